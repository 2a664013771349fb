import { describe, expect, it } from "vitest";
import { parseConfig } from "./config";
import { keyBytes, pushSupported } from "./push";

describe("web push", () => {
  it("turns the base64url VAPID key into its bytes", () => {
    expect([...keyBytes("BAEC_-8")]).toEqual([4, 1, 2, 255, 239]);
  });

  it("is unavailable without the server's key", () => {
    expect(pushSupported(parseConfig("{}"))).toBe(false);
  });
});
