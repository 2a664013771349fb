import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { ConversationOpened } from "../shared/protocol";
import { activity, AGENT_ID, COLLEAGUE_ID, consoleOnFakeSocket, message, ready, summary } from "./testing";
import { threadView } from "./view";

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

function opened(fields: Partial<ConversationOpened> = {}): ConversationOpened {
  return {
    type: "conversation.opened",
    conversation: summary({ last_seq: 1, last_message: message({ seq: 1 }) }),
    messages: [message({ seq: 1 })],
    has_more: false,
    activity: [],
    ...fields,
  };
}

function withOpenConversation(fields: Partial<ConversationOpened> = {}) {
  const setup = consoleOnFakeSocket();
  setup.socket.receive(ready(summary({ last_seq: 1, last_message: message({ seq: 1 }) }), summary({ id: "c2" })));
  setup.controller.openConversation("c1");
  setup.socket.receive(opened(fields));
  return setup;
}

const kinds = (setup: ReturnType<typeof withOpenConversation>) =>
  threadView(setup.model, setup.controller.state)!.items.map((item) => item.kind);

describe("lifecycle frames", () => {
  it("keeps the activity of conversation.opened and interleaves it with the messages by time", () => {
    const setup = withOpenConversation({
      messages: [message({ seq: 1 }), message({ seq: 2 }), message({ seq: 3, author: "system", event: "resolved", agent_id: AGENT_ID })],
      activity: [activity({ id: 5, minute: 11 })],
    });
    // message 1 at 07:11:00, the assignment at 07:11:30, message 2 at 07:12:00.
    expect(kinds(setup)).toEqual(["stored", "activity", "stored", "event"]);
    const items = threadView(setup.model, setup.controller.state)!.items;
    expect(items[1]).toMatchObject({ text: "Dana assigned this to Eli" });
    expect(items[3]).toMatchObject({ text: "Dana resolved the conversation", event: "resolved" });
  });

  it("adds activity.new once, and only what belongs to a conversation", () => {
    const setup = withOpenConversation();
    const before = setup.controller.state.revision;
    setup.socket.receive({ type: "activity.new", activity: activity({ id: 6, minute: 30, kind: "unassigned" }) });
    setup.socket.receive({ type: "activity.new", activity: activity({ id: 6, minute: 30, kind: "unassigned" }) });
    expect(kinds(setup)).toEqual(["stored", "activity"]);
    expect(setup.controller.state.revision).toBe(before + 1);
  });

  it("conversation.assigned updates the row and offers to open it in a toast", () => {
    const { socket, controller, model } = consoleOnFakeSocket();
    socket.receive(ready(summary({ id: "c2" })));
    socket.receive({
      type: "conversation.assigned",
      conversation: summary({ id: "c2", assignee_id: AGENT_ID, assignee_name: "Dana", visitor: { id: "abcdef123", name: "Ann", display_name: "Ann", email: "", last_page_url: "" } }),
      by: { id: COLLEAGUE_ID, name: "Eli" },
    });
    expect(model.conversations.get("c2")?.summary.assignee_id).toBe(AGENT_ID);
    expect(controller.state.toasts).toMatchObject([{ title: "Eli assigned you: Ann", openId: "c2" }]);
  });

  it("sends assign, resolve and reopen for the open conversation", () => {
    const { controller, socket } = withOpenConversation();
    controller.assign(COLLEAGUE_ID);
    controller.assign(null);
    controller.setStatus("resolved");
    controller.setStatus("open");
    expect(socket.sent.slice(-4)).toEqual([
      { type: "conversation.assign", conversation_id: "c1", assignee_id: COLLEAGUE_ID },
      { type: "conversation.assign", conversation_id: "c1", assignee_id: null },
      { type: "conversation.resolve", conversation_id: "c1" },
      { type: "conversation.reopen", conversation_id: "c1" },
    ]);
  });

  it("inbox.update changes the open thread's status and assignee live", () => {
    const { controller, socket, model } = withOpenConversation();
    socket.receive({
      type: "inbox.update",
      conversation: summary({ status: "resolved", assignee_id: COLLEAGUE_ID, assignee_name: "Eli", last_seq: 1, last_message: message({ seq: 1 }) }),
      previous: { status: "open", assignee_id: null },
    } as never);
    const view = threadView(model, controller.state)!;
    expect(view.resolved).toBe(true);
    expect(view.assignment).toMatchObject({ resolved: true, assignee: String(COLLEAGUE_ID), canTake: true });
  });

  it("shows conversation_superseded by the composer and gives the reply back", () => {
    const { controller, socket } = withOpenConversation();
    controller.setReply("Are you still there?");
    controller.submitReply();
    const sent = socket.last("message.send")!;
    socket.receive({
      type: "error",
      code: "conversation_superseded",
      message: "The visitor has a newer conversation.",
      ref: sent.client_id as string,
    } as never);
    expect(controller.state.replyError).toBe("The visitor has started a newer conversation: reply there.");
    expect(controller.state.reply).toBe("Are you still there?");
  });
});
