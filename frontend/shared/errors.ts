// Error codes after which nothing was stored and sending the same frame again shortly is right
// (docs/protocol.md "Error codes"); every other refusal is final for that frame.

import type { ErrorCode } from "./protocol";

export const RETRYABLE_ERROR_CODES: readonly ErrorCode[] = ["rate_limited", "internal_error"];

/** Whether an `error` frame's code means "try the same frame again later". */
export function isRetryable(code: ErrorCode): boolean {
  return RETRYABLE_ERROR_CODES.includes(code);
}
