import { describe, expect, it } from "vitest";
import { parseConfig } from "./config";

describe("parseConfig", () => {
  it("reads the page's settings", () => {
    const config = parseConfig(
      JSON.stringify({
        agent: { id: 3, name: "Dana" },
        socket_path: "/ws/x/",
        message_max_length: 10,
        frame_max_bytes: 99,
      }),
    );
    expect(config.agent).toEqual({ id: 3, name: "Dana" });
    expect(config.socket_path).toBe("/ws/x/");
    expect(config.message_max_length).toBe(10);
    expect(config.frame_max_bytes).toBe(99);
  });

  it("falls back to defaults for what is missing or unreadable", () => {
    for (const text of [null, "", "not json", "[1]", '{"agent": 5}']) {
      const config = parseConfig(text);
      expect(config.agent).toEqual({ id: null, name: "" });
      expect(config.socket_path).toBe("/ws/agent/");
      expect(config.subprotocol).toBe("parley.v1");
      expect(config.login_url).toBe("/console/login/?next=/console/");
      expect(config.message_max_length).toBe(4000);
      expect(config.frame_max_bytes).toBe(16384);
    }
  });
});
