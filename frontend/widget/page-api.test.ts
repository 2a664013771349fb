// @vitest-environment happy-dom
import { afterEach, describe, expect, it, vi } from "vitest";
import type { Message, VisitorClientFrame } from "../shared/protocol";
import { createPageApi } from "./page-api";
import type { ConnectionState, PanelApi } from "./types";

function fakeApi(state: ConnectionState = "online") {
  const sent: VisitorClientFrame[] = [];
  const api = { send: (frame: VisitorClientFrame) => sent.push(frame), state: () => state } as unknown as PanelApi;
  return { page: createPageApi(api), sent };
}

const message = (id: number, author: Message["author"]): Message => ({
  id,
  conversation_id: "c1",
  seq: id,
  author,
  author_name: null,
  agent_id: null,
  body: `m${id}`,
  client_id: null,
  created_at: "2026-12-06T10:00:00Z",
  event: null,
});

afterEach(() => vi.restoreAllMocks());

describe("events", () => {
  it("calls the handlers of an event, not those removed by off or of other events", () => {
    const { page } = fakeApi();
    const opened = vi.fn();
    const closed = vi.fn();
    page.run("on", "open", opened);
    page.run("on", "close", closed);
    page.tell("open");
    page.run("off", "open", opened);
    page.tell("open");
    expect(opened).toHaveBeenCalledTimes(1);
    expect(closed).not.toHaveBeenCalled();
  });

  it("registers a handler once however often it is added", () => {
    const { page } = fakeApi();
    const handler = vi.fn();
    page.run("on", "unread", handler);
    page.run("on", "unread", handler);
    page.tell("unread", 2);
    expect(handler).toHaveBeenCalledOnce();
    expect(handler).toHaveBeenCalledWith(2);
  });

  it("goes on past a handler that throws, and reports it", () => {
    const { page } = fakeApi();
    const reported = vi.spyOn(console, "error").mockImplementation(() => {});
    const after = vi.fn();
    page.run("on", "ready", () => {
      throw new Error("page bug");
    });
    page.run("on", "ready", after);
    expect(() => page.tell("ready")).not.toThrow();
    expect(after).toHaveBeenCalledOnce();
    expect(reported).toHaveBeenCalledOnce();
  });

  it("tells ready at once to a handler added after it", () => {
    const { page } = fakeApi();
    page.tell("ready");
    const late = vi.fn();
    page.run("on", "ready", late);
    expect(late).toHaveBeenCalledOnce();
  });

  it("tells availability and unread only when they change", () => {
    const { page } = fakeApi();
    const seen: unknown[] = [];
    page.run("on", "availability", (status: unknown) => seen.push(status));
    page.onEvent("ready", { type: "ready", availability: "online" });
    page.onEvent("availability", { type: "availability", status: "online" });
    page.onEvent("availability", { type: "availability", status: "away" });
    expect(seen).toEqual(["online", "away"]);
  });

  it("tells each new message once (ack and broadcast), never a system line", () => {
    const { page } = fakeApi();
    const messages: unknown[] = [];
    page.run("on", "message", (detail: unknown) => messages.push(detail));
    page.onEvent("message.ack", { type: "message.ack", client_id: "x", message: message(1, "visitor") });
    page.onEvent("message.new", { type: "message.new", message: message(1, "visitor") });
    page.onEvent("message.new", { type: "message.new", message: message(2, "system") });
    page.onEvent("message.new", { type: "message.new", message: message(3, "agent") });
    expect(messages).toEqual([
      { id: 1, author: "visitor", text: "m1", created_at: "2026-12-06T10:00:00Z" },
      { id: 3, author: "agent", text: "m3", created_at: "2026-12-06T10:00:00Z" },
    ]);
  });

  it("warns once of an unknown command, and of bad arguments, and throws nothing", () => {
    const { page } = fakeApi();
    const warned = vi.spyOn(console, "warn").mockImplementation(() => {});
    page.run("shake");
    page.run("shake");
    page.run("on", "open", "not a function");
    expect(warned.mock.calls).toEqual([
      ["Parley: unknown command", "shake"],
      ["Parley: bad arguments for", "on"],
    ]);
  });
});

describe("setAttributes", () => {
  it("sends them at once when online, and all of them again with each ready", () => {
    const { page, sent } = fakeApi("online");
    page.run("setAttributes", { plan: "pro" });
    page.run("setAttributes", { seats: 3 });
    expect(sent).toEqual([
      { type: "attributes", attributes: { plan: "pro" } },
      { type: "attributes", attributes: { seats: 3 } },
    ]);
    page.onEvent("ready", { type: "ready", availability: "online" });
    expect(sent[2]).toEqual({ type: "attributes", attributes: { plan: "pro", seats: 3 } });
  });

  it("warns the site's developer of attributes the server refused", () => {
    const { page } = fakeApi();
    const warned = vi.spyOn(console, "warn").mockImplementation(() => {});
    page.onEvent("error", { type: "error", code: "invalid_attributes", message: "At most 20 attributes.", ref: "attributes" });
    page.onEvent("error", { type: "error", code: "rate_limited", message: "Slow down.", ref: null });
    expect(warned.mock.calls).toEqual([["Parley:", "At most 20 attributes."]]);
  });

  it("waits for ready while not connected, and forgets them at a reset", () => {
    const { page, sent } = fakeApi("connecting");
    page.run("setAttributes", { plan: "pro" });
    expect(sent).toEqual([]);
    page.onEvent("reset");
    page.onEvent("ready", { type: "ready", availability: "online" });
    expect(sent).toEqual([]);
  });
});
