// What a client does when its socket closes, by close code (docs/protocol.md "Close codes").

/**
 * - "reconnect": with backoff (network loss 1006, hello timeout 4408, frame too large 1009, too many
 *   connections 4429, slow reader 4008: the socket left too much unread, anything unknown); the client then
 *   resumes by seq.
 * - "reconnect-now": the server is ready again at once: a process going away (4001, or 1001 from a proxy)
 *   or live fan-out back after an outage (4012, or 1012), or (connectionCloseAction) an agent's access
 *   changed (4003: a site was removed, the next connection gets an inbox without it); reconnect within a
 *   second, jittered.
 * - "login": the credentials were refused (4401 not authenticated, 4403 token of another site): a visitor
 *   gets a new session and reconnects, an agent is sent to log in.
 * - "stop": a normal close (1000), which the server never sends: only this client closes that way.
 */
export type CloseAction = "reconnect" | "reconnect-now" | "login" | "stop";

export const CLOSE_NORMAL = 1000;
export const CLOSE_ABNORMAL = 1006;
export const CLOSE_NOT_AUTHENTICATED = 4401;
export const CLOSE_FORBIDDEN = 4403;
export const CLOSE_ACCESS_CHANGED = 4003;
export const RECONNECT_AT_ONCE: ReadonlySet<number> = new Set([4001, 4012, 1001, 1012]);

/** Whether the close code refused the credentials (the "login" action). */
export function isLoginCode(code: number): boolean {
  return code === CLOSE_NOT_AUTHENTICATED || code === CLOSE_FORBIDDEN;
}

/** The action for a close code. (The widget's loader tests the codes itself: the action names cost bytes.) */
export function closeAction(code: number): CloseAction {
  if (code === CLOSE_NORMAL) return "stop";
  if (isLoginCode(code)) return "login";
  if (RECONNECT_AT_ONCE.has(code)) return "reconnect-now";
  return "reconnect";
}

/**
 * closeAction for the shared Connection (console and panel), which also knows 4003 (access changed: only
 * agent sockets hear it) as "reconnect-now". The widget's loader never hears it.
 */
export function connectionCloseAction(code: number): CloseAction {
  return code === CLOSE_ACCESS_CHANGED ? "reconnect-now" : closeAction(code);
}
