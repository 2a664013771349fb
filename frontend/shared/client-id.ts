// A message's client_id (docs/protocol.md: 1–64 chars of [A-Za-z0-9_-]), chosen by the sender so a
// retried send is stored once.

/** A UUID where the browser offers one (secure contexts only), else 32 random hex digits. */
export function newClientId(): string {
  const crypto: Crypto | undefined = globalThis.crypto;
  if (crypto && typeof crypto.randomUUID === "function") return crypto.randomUUID();
  const bytes = new Uint8Array(16);
  if (crypto && typeof crypto.getRandomValues === "function") crypto.getRandomValues(bytes);
  else for (let i = 0; i < bytes.length; i += 1) bytes[i] = Math.floor(Math.random() * 256);
  return Array.from(bytes, (byte) => (byte | 256).toString(16).slice(1)).join("");
}
