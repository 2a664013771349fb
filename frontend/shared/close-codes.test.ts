import { describe, expect, it } from "vitest";
import { closeAction, connectionCloseAction, isLoginCode } from "./close-codes";

describe("closeAction", () => {
  it("follows docs/protocol.md", () => {
    expect(closeAction(1000)).toBe("stop");
    expect(closeAction(4401)).toBe("login");
    expect(closeAction(4403)).toBe("login");
    for (const code of [4001, 4012, 1001, 1012]) expect(closeAction(code)).toBe("reconnect-now");
    for (const code of [1006, 1009, 1011, 4008, 4408, 4429, 3000, 4999]) expect(closeAction(code)).toBe("reconnect");
  });
});

describe("connectionCloseAction", () => {
  it("reconnects at once after 4003 (access changed) and otherwise follows closeAction", () => {
    expect(connectionCloseAction(4003)).toBe("reconnect-now");
    for (const code of [1000, 1006, 1009, 4001, 4012, 4401, 4403, 4408]) {
      expect(connectionCloseAction(code)).toBe(closeAction(code));
    }
  });
});

describe("isLoginCode", () => {
  it("is true exactly for the codes whose action is login", () => {
    for (const code of [1000, 1006, 4001, 4003, 4008, 4401, 4403, 4429]) {
      expect(isLoginCode(code)).toBe(closeAction(code) === "login");
    }
  });
});
