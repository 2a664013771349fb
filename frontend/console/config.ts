// The settings the page embeds as JSON (`{{ config|json_script:"console-config" }}`, agent_console/views.py).

export interface ConsoleConfig {
  agent: { id: number | null; name: string };
  socket_path: string;
  subprotocol: string;
  login_url: string;
  logout_url: string;
  /** The account's pages (email, password, two-factor). */
  account_url: string;
  /** The owner pages, for an owner of a site; empty otherwise. */
  owner_url: string;
  message_max_length: number;
  frame_max_bytes: number;
  /** The VAPID public key browsers subscribe with; empty when Web Push is off on the server. */
  push_public_key: string;
  push_subscriptions_url: string;
  service_worker_url: string;
}

type Raw = Record<string, unknown>;

const asObject = (value: unknown): Raw => (value !== null && typeof value === "object" ? (value as Raw) : {});
const asText = (value: unknown, fallback: string): string => (typeof value === "string" && value ? value : fallback);

/** The config from the JSON text of the page (defaults for whatever is missing or unreadable). */
export function parseConfig(text: string | null | undefined): ConsoleConfig {
  let parsed: Raw = {};
  try {
    parsed = asObject(JSON.parse(text || "{}"));
  } catch {
    // Unreadable: the defaults below still start the console.
  }
  const agent = asObject(parsed.agent);
  return {
    agent: {
      id: typeof agent.id === "number" ? agent.id : null,
      name: typeof agent.name === "string" ? agent.name : "",
    },
    socket_path: asText(parsed.socket_path, "/ws/agent/"),
    subprotocol: asText(parsed.subprotocol, "parley.v1"),
    login_url: asText(parsed.login_url, "/console/login/?next=/console/"),
    logout_url: asText(parsed.logout_url, "/console/logout/"),
    account_url: asText(parsed.account_url, "/accounts/email/"),
    owner_url: asText(parsed.owner_url, ""),
    message_max_length: Number(parsed.message_max_length) || 4000,
    frame_max_bytes: Number(parsed.frame_max_bytes) || 16384,
    push_public_key: typeof parsed.push_public_key === "string" ? parsed.push_public_key : "",
    push_subscriptions_url: asText(parsed.push_subscriptions_url, "/console/push/subscriptions"),
    service_worker_url: asText(parsed.service_worker_url, "/console/sw.js"),
  };
}
