import { afterEach, describe, expect, it, vi } from "vitest";
import { newClientId } from "./client-id";

const VALID = /^[A-Za-z0-9_-]{1,64}$/;

describe("newClientId", () => {
  afterEach(() => vi.unstubAllGlobals());

  it("is a valid, fresh client_id", () => {
    const a = newClientId();
    expect(a).toMatch(VALID);
    expect(newClientId()).not.toBe(a);
  });

  it("falls back to 32 hex digits without randomUUID", () => {
    vi.stubGlobal("crypto", { getRandomValues: (bytes: Uint8Array) => bytes.fill(10) });
    expect(newClientId()).toBe("0a".repeat(16));
  });

  it("works without any crypto", () => {
    vi.stubGlobal("crypto", undefined);
    expect(newClientId()).toMatch(/^[0-9a-f]{32}$/);
  });
});
