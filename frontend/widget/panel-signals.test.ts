// @vitest-environment happy-dom
// The panel's typing line, its "Seen" receipt and the read marks it sends.
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { Message, VisitorClientFrame } from "../shared/protocol";
import { mountPanel } from "./panel-view";
import { widgetSite } from "./testing";
import type { Listener, PanelApi } from "./types";

const message = (seq: number, author: Message["author"] = "visitor"): Message => ({
  id: seq,
  conversation_id: "c1",
  seq,
  author,
  author_name: author === "agent" ? "Bob" : null,
  agent_id: author === "agent" ? 7 : null,
  body: `m${seq}`,
  client_id: author === "visitor" ? `c-${seq}` : null,
  created_at: "2026-11-24T07:26:23+00:00",
  event: null,
});

function mounted(messages: Message[], marks: Record<string, number> = {}) {
  const host = document.createElement("div");
  const root = document.createElement("div");
  host.attachShadow({ mode: "open" }).append(root);
  document.body.append(host);
  const sent: VisitorClientFrame[] = [];
  let listener: Listener = () => {};
  const api: PanelApi = {
    root,
    site: widgetSite({ greeting: "Hi" }),
    prefix: "parley:test:",
    calls: [],
    messages: () => messages,
    // The page context the panel reports on mount (page-context.ts) is not what these tests look at.
    send: (frame) => void (frame.type !== "page" && sent.push(frame)),
    marks,
    latest: () => ({ id: "c1", status: "open", last_seq: messages.length, previous_id: null, visitor_last_read_seq: 0, agent_last_read_seq: 0 }),
    heard: {},
    state: () => "online",
    listen: (added) => void (listener = added),
  };
  const panel = mountPanel(api);
  const q = (hook: string) => root.querySelector(`[data-parley="${hook}"]`) as HTMLElement;
  return { panel, sent, emit: (type: string, detail?: unknown) => listener(type, detail), q, root };
}

beforeEach(() => vi.useFakeTimers());
afterEach(() => {
  vi.useRealTimers();
  document.body.replaceChildren();
});

describe("typing", () => {
  it("shows an agent typing until stop, their message, or the TTL", () => {
    const { emit, q } = mounted([message(1)]);
    const typing = { type: "typing", conversation_id: "c1", author: "agent", agent_id: 7, author_name: "Bob", state: "start", ttl_seconds: 6 };
    emit("typing", typing);
    expect(q("typing").hidden).toBe(false);
    expect(q("typing").textContent).toBe("Bob is typing…");
    emit("typing", { ...typing, state: "stop" });
    expect(q("typing").hidden).toBe(true);
    emit("typing", typing);
    emit("message.new", { type: "message.new", message: message(2, "agent") });
    expect(q("typing").hidden).toBe(true);
    emit("typing", typing);
    vi.advanceTimersByTime(6000);
    expect(q("typing").hidden).toBe(true);
  });

  it("sends start while the visitor types and stop when the box empties", () => {
    const { sent, q } = mounted([]);
    const input = q("input") as HTMLTextAreaElement;
    input.value = "Hel";
    input.dispatchEvent(new Event("input"));
    input.value = "";
    input.dispatchEvent(new Event("input"));
    expect(sent).toEqual([
      { type: "typing", state: "start" },
      { type: "typing", state: "stop" },
    ]);
  });
});

describe("read receipts", () => {
  it("shows Seen under the visitor's last message once an agent read that far", () => {
    const marks: Record<string, number> = { agent: 1 };
    const messages = [message(1), message(2, "agent"), message(3)];
    const { emit, root } = mounted(messages, marks);
    const seen = () => [...root.querySelectorAll("[data-seen]")].map((node) => node.getAttribute("data-seq"));
    expect(seen()).toEqual([]);
    marks.agent = 3;
    emit("read", {});
    expect(seen()).toEqual(["3"]);
    expect(root.querySelector("[data-seen] .meta")!.textContent).toMatch(/· Seen$/);
  });

  it("sends conversation.read for the newest message once shown, once per seq", () => {
    const marks: Record<string, number> = { visitor: 0 };
    const { panel, sent, emit } = mounted([message(1), message(2, "agent")], marks);
    expect(sent).toEqual([]);
    panel.show(true);
    emit("read", {});
    expect(sent).toEqual([{ type: "conversation.read", conversation_id: "c1", seq: 2 }]);
    marks.visitor = 2;
    emit("read", {});
    expect(sent).toHaveLength(1);
  });
});
