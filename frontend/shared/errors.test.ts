import { describe, expect, it } from "vitest";
import { isRetryable, RETRYABLE_ERROR_CODES } from "./errors";
import type { ErrorCode } from "./protocol";

describe("isRetryable", () => {
  it("retries rate limits and server failures only", () => {
    expect(RETRYABLE_ERROR_CODES).toEqual(["rate_limited", "internal_error"]);
    expect(isRetryable("rate_limited")).toBe(true);
    expect(isRetryable("internal_error")).toBe(true);
    for (const code of ["body_too_long", "empty_body", "invalid_field", "not_found", "frame_too_large", ""]) {
      expect(isRetryable(code as ErrorCode)).toBe(false);
    }
  });
});
