// Typing indicators and read receipts in the console: the frames' handlers, the thread's view and what
// the controller sends while the agent types.
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { Typing } from "../shared/protocol";
import { TYPING_INTERVAL_MS } from "../shared/typing";
import { AGENT_ID, consoleOnFakeSocket, message, ready, summary } from "./testing";
import { threadView } from "./view";

beforeEach(() => vi.useFakeTimers());
afterEach(() => vi.useRealTimers());

function typingFrame(fields: Partial<Typing> = {}): Typing {
  return {
    type: "typing",
    conversation_id: "c1",
    author: "visitor",
    agent_id: null,
    author_name: null,
    state: "start",
    ttl_seconds: 6,
    ...fields,
  };
}

function withOpenConversation() {
  const setup = consoleOnFakeSocket();
  const messages = [message({ seq: 1 }), message({ seq: 2, author: "agent", agent_id: AGENT_ID, author_name: "Me" })];
  setup.socket.receive(ready(summary({ last_seq: 2, last_message: messages[1]!, visitor: { id: "v1", name: "Alice", display_name: "Alice", email: "", last_page_url: "" } })));
  setup.controller.openConversation("c1");
  setup.socket.receive({
    type: "conversation.opened",
    conversation: summary({ last_seq: 2, last_message: messages[1]!, visitor: { id: "v1", name: "Alice", display_name: "Alice", email: "", last_page_url: "" } }),
    messages,
    has_more: false,
    activity: [],
  });
  return setup;
}

const typingText = (setup: ReturnType<typeof withOpenConversation>) => threadView(setup.model, setup.controller.state)?.typing;

describe("typing in the thread", () => {
  it("shows the visitor typing until stop", () => {
    const setup = withOpenConversation();
    setup.socket.receive(typingFrame());
    expect(typingText(setup)).toBe("Alice is typing…");
    setup.socket.receive(typingFrame({ state: "stop" }));
    expect(typingText(setup)).toBeNull();
  });

  it("clears it when their message arrives, or after the TTL without a refresh", () => {
    const setup = withOpenConversation();
    setup.socket.receive(typingFrame());
    setup.socket.receive({ type: "message.new", message: message({ seq: 3 }) });
    expect(typingText(setup)).toBeNull();
    setup.socket.receive(typingFrame({ author: "agent", agent_id: 8, author_name: "Dan" }));
    expect(typingText(setup)).toBe("Dan is typing…");
    vi.advanceTimersByTime(6000);
    expect(typingText(setup)).toBeNull();
  });

  it("ignores this agent's own typing", () => {
    const setup = withOpenConversation();
    setup.socket.receive(typingFrame({ author: "agent", agent_id: AGENT_ID, author_name: "Me" }));
    expect(typingText(setup)).toBeNull();
  });

  it("sends start at most every interval while the agent types, and stop on send", () => {
    const { controller, socket } = withOpenConversation();
    controller.setReply("H");
    controller.setReply("He");
    expect(socket.ofType("typing")).toEqual([{ type: "typing", conversation_id: "c1", state: "start" }]);
    vi.advanceTimersByTime(TYPING_INTERVAL_MS);
    controller.setReply("Hel");
    expect(socket.ofType("typing")).toHaveLength(2);
    controller.submitReply();
    expect(socket.last("typing")).toEqual({ type: "typing", conversation_id: "c1", state: "stop" });
    controller.stopTyping();
    expect(socket.ofType("typing")).toHaveLength(3);
  });
});

describe("read receipts", () => {
  it("marks the agent's last message the visitor read as seen, moved by read frames", () => {
    const setup = withOpenConversation();
    const seen = () => threadView(setup.model, setup.controller.state)!.items.filter((item) => item.kind === "stored" && item.seenByVisitor).map((item) => item.key);
    expect(seen()).toEqual([]);
    setup.socket.receive({ type: "read", conversation_id: "c1", reader: "visitor", seq: 2 });
    expect(seen()).toEqual(["seq-2"]);
    // An inbox.update without the mark (null) keeps the one held.
    setup.socket.receive({ type: "inbox.update", conversation: summary({ last_seq: 2, last_message: message({ seq: 2, author: "agent", agent_id: AGENT_ID }), last_read_seq: null, visitor_last_read_seq: null }), previous: { status: "open", assignee_id: null } });
    expect(seen()).toEqual(["seq-2"]);
    // The agents' own reads are the visitor's business.
    setup.socket.receive({ type: "read", conversation_id: "c1", reader: "agent", seq: 1 });
    expect(setup.model.conversations.get("c1")!.summary.visitor_last_read_seq).toBe(2);
  });
});
