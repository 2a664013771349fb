// Reconnect delays: exponential (base 0.5 s, ×2, cap 30 s, docs/protocol.md "Client rules") with jitter,
// so the clients of a restarted server do not all come back in the same instant.

export const BACKOFF_BASE_MS = 500;
export const BACKOFF_MAX_MS = 30_000;

export interface BackoffOptions {
  baseMs?: number;
  maxMs?: number;
  /** A number in [0, 1); Math.random by default. */
  random?: () => number;
  /** "full": anywhere in 0..ceiling (the default); "equal": in ceiling/2..ceiling. */
  jitter?: "full" | "equal";
}

/** The upper bound of the delay before reconnect number `attempt` (0 for the first). */
export function backoffCeiling(attempt: number, opts: BackoffOptions = {}): number {
  const { baseMs = BACKOFF_BASE_MS, maxMs = BACKOFF_MAX_MS } = opts;
  return Math.min(maxMs, baseMs * 2 ** Math.max(0, attempt));
}

/** The delay in whole milliseconds before reconnect number `attempt`, jittered below its ceiling. */
export function backoffDelay(attempt: number, opts: BackoffOptions = {}): number {
  const ceiling = backoffCeiling(attempt, opts);
  const random = (opts.random ?? Math.random)();
  const low = opts.jitter === "equal" ? ceiling / 2 : 0;
  return Math.floor(low + random * (ceiling - low));
}
