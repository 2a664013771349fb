// @vitest-environment happy-dom
import { describe, expect, it } from "vitest";
import type { VisitorClientFrame } from "../shared/protocol";
import { sendPageContext } from "./page-context";
import type { ConnectionState, Listener, PanelApi } from "./types";

function fakeApi(state: ConnectionState) {
  const sent: VisitorClientFrame[] = [];
  const listeners: Listener[] = [];
  const api = {
    send: (frame: VisitorClientFrame) => sent.push(frame),
    state: () => state,
    listen: (listener: Listener) => listeners.push(listener),
  } as unknown as PanelApi;
  return { api, sent, emit: (type: string) => listeners.forEach((listener) => listener(type)) };
}

describe("page context", () => {
  it("is sent at once when online, and again with every ready", () => {
    const { api, sent, emit } = fakeApi("online");
    sendPageContext(api);
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatchObject({ type: "page", timezone: Intl.DateTimeFormat().resolvedOptions().timeZone });
    emit("message.new");
    emit("ready");
    expect(sent).toHaveLength(2);
  });

  it("waits for ready while offline", () => {
    const { api, sent, emit } = fakeApi("connecting");
    sendPageContext(api);
    expect(sent).toEqual([]);
    emit("ready");
    expect(sent).toHaveLength(1);
  });
});
