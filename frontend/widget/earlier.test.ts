import { describe, expect, it } from "vitest";
import type { Conversation, Message, VisitorClientFrame } from "../shared/protocol";
import { createEarlier, EARLIER_STEP } from "./earlier";
import { message as build } from "./testing";

const message = (conversation_id: string, seq: number, minute: number, extra: Partial<Message> = {}): Message =>
  build(conversation_id, seq, { minute, ...extra });

const conversation = (id: string, previous_id: string | null): Conversation =>
  ({ id, status: "open", last_seq: 1, previous_id }) as Conversation;

function setup(latest: Conversation | null, held: Message[] = []) {
  const sent: VisitorClientFrame[] = [];
  const api = {
    messages: () => held,
    latest: () => latest,
    send: (frame: VisitorClientFrame) => void sent.push(frame),
    state: () => "online" as const,
  };
  const earlier = createEarlier(api);
  const history = (conversation_id: string, messages: Message[], extra: Record<string, unknown> = {}) =>
    earlier.onFrame("history", { type: "history", conversation_id, messages, has_more: false, ...extra });
  return { earlier, sent, history, api };
}

const bodies = (messages: Message[]): string[] => messages.map((m) => m.body);

describe("earlier conversations", () => {
  it("fetches the latest conversation's previous one and shows it above, once", () => {
    const { earlier, sent, history } = setup(conversation("c2", "c1"), [message("c2", 1, 30)]);
    earlier.step();
    expect(sent).toEqual([{ type: "sync", conversation_id: "c1", after_seq: 0 }]);
    expect(history("c1", [message("c1", 1, 10), message("c1", 2, 11, { event: "resolved", author: "system" })])).toBe(true);
    history("c1", [message("c1", 1, 10)]);
    expect(bodies(earlier.messages())).toEqual(["c1-1", "c1-2", "c2-1"]);
    expect(sent).toHaveLength(1);
  });

  it("forgets every earlier conversation when the session is another visitor's (identify, reset)", () => {
    const { earlier, sent, history } = setup(conversation("c2", "c1"), []);
    earlier.step();
    history("c1", [message("c1", 1, 10)]);
    expect(bodies(earlier.messages())).toEqual(["c1-1"]);
    earlier.onFrame("visitor", undefined);
    expect(earlier.messages()).toEqual([]);
    earlier.onFrame("ready", {});
    expect(sent[sent.length - 1]).toEqual({ type: "sync", conversation_id: "c1", after_seq: 0 });
  });

  it("pages through a long earlier conversation from the highest seq held", () => {
    const { earlier, sent, history } = setup(conversation("c2", "c1"));
    earlier.step();
    history("c1", [message("c1", 1, 10), message("c1", 2, 10)], { has_more: true });
    expect(sent[1]).toEqual({ type: "sync", conversation_id: "c1", after_seq: 2 });
  });

  it("walks previous_id back at most a few conversations, more on scrolling up", () => {
    const { earlier, sent, history } = setup(conversation("c9", "c8"));
    earlier.step();
    for (let n = 8; n > 0; n -= 1) {
      const last = sent[sent.length - 1] as { conversation_id: string };
      if (last.conversation_id !== `c${n}`) break;
      history(`c${n}`, [message(`c${n}`, 1, n)], { previous_id: n > 1 ? `c${n - 1}` : null });
    }
    expect(sent).toHaveLength(EARLIER_STEP);
    earlier.more();
    expect(sent).toHaveLength(EARLIER_STEP + 1);
    expect(sent[EARLIER_STEP]).toMatchObject({ conversation_id: "c3" });
  });

  it("stops when history does not name the previous conversation", () => {
    const { earlier, sent, history } = setup(conversation("c3", "c2"));
    earlier.step();
    history("c2", [message("c2", 1, 1)]);
    earlier.more();
    expect(sent).toHaveLength(1);
  });

  it("does not fetch what the page already holds with a known predecessor", () => {
    const held = [message("c1", 1, 1), message("c2", 1, 2)];
    const state = { latest: conversation("c1", null) };
    const sent: VisitorClientFrame[] = [];
    const earlier = createEarlier({
      messages: () => held,
      latest: () => state.latest,
      send: (f) => void sent.push(f),
      state: () => "online",
    });
    earlier.step();
    state.latest = conversation("c2", "c1");
    earlier.onFrame("conversation.started", {});
    expect(sent).toEqual([]);
    expect(bodies(earlier.messages())).toEqual(["c1-1", "c2-1"]);
  });

  it("asks again after a reconnect when the answer was lost", () => {
    const { earlier, sent } = setup(conversation("c2", "c1"));
    earlier.step();
    earlier.step();
    expect(sent).toHaveLength(1);
    earlier.onFrame("ready", {});
    expect(sent).toHaveLength(2);
  });

  it("ignores history of the latest conversation and of conversations it did not ask for", () => {
    const { earlier, history } = setup(conversation("c2", null), [message("c2", 1, 5)]);
    earlier.step();
    expect(history("c2", [message("c2", 2, 6)])).toBe(false);
    expect(history("cX", [message("cX", 1, 1)])).toBe(false);
    expect(bodies(earlier.messages())).toEqual(["c2-1"]);
  });

  it("keeps the latest conversation last even when its first held message is older", () => {
    const { earlier, history } = setup(conversation("c2", "c1"), [message("c2", 5, 1)]);
    earlier.step();
    history("c1", [message("c1", 1, 50)]);
    expect(bodies(earlier.messages())).toEqual(["c1-1", "c2-5"]);
  });

  it("keeps the loader's current conversation last before conversation.started names it", () => {
    const held = [message("c1", 1, 50), message("c2", 1, 10)];
    const { earlier } = setup(conversation("c1", null), held);
    expect(bodies(earlier.messages())).toEqual(["c1-1", "c2-1"]);
  });

  it("waits for the socket to be online", () => {
    const sent: VisitorClientFrame[] = [];
    let state: "online" | "offline" = "offline";
    const earlier = createEarlier({
      messages: () => [],
      latest: () => conversation("c2", "c1"),
      send: (f) => void sent.push(f),
      state: () => state,
    });
    earlier.more();
    expect(sent).toEqual([]);
    state = "online";
    earlier.onFrame("ready", {});
    expect(sent).toHaveLength(1);
  });
});
