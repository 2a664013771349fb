import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { ConversationOpened } from "../shared/protocol";
import { conversationFromHash } from "./controller";
import { Notifier } from "./notify";
import { AGENT_ID, consoleOnFakeSocket, message, ready, summary } from "./testing";

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

function opened(
  fields: Parameters<typeof summary>[0] = {},
  messages = [message({ seq: 1 })],
  hasMore = false,
): ConversationOpened {
  const last = messages[messages.length - 1] ?? null;
  return {
    type: "conversation.opened",
    conversation: summary({ last_seq: last?.seq ?? 0, last_message: last, ...fields }),
    messages,
    has_more: hasMore,
    activity: [],
  };
}

/** A console whose socket said ready with conversation c1, which the agent opened. */
function withOpenConversation() {
  const setup = consoleOnFakeSocket();
  setup.socket.receive(ready(summary({ last_seq: 1, last_message: message({ seq: 1 }) })));
  setup.controller.openConversation("c1");
  setup.socket.receive(opened());
  return setup;
}

const OPEN = { status: "open", assignee_id: null } as const;

describe("ready", () => {
  it("goes online, draws the inbox and sends replies of conversations not open", () => {
    const { controller, socket, model } = consoleOnFakeSocket();
    model.outbox.add({ conversation_id: "c2", client_id: "r1", body: "hello", created_at: "t" });
    socket.receive(ready(summary({ last_read_seq: 0, last_message: message({ seq: 1 }) })));
    const state = controller.state;
    expect(state.link).toBe("online");
    expect(state.statusText).toBe("Connected");
    expect(state.everReady).toBe(true);
    expect(model.conversations.order).toEqual(["c1"]);
    expect(model.readMarks.isUnread(model.conversations.get("c1")!.summary)).toBe(true);
    expect(socket.ofType("message.send")).toEqual([
      { type: "message.send", conversation_id: "c2", client_id: "r1", body: "hello" },
    ]);
  });

  it("forgets the conversations of a site the agent no longer belongs to, and closes its open thread", () => {
    const { controller, socket, model } = withOpenConversation();
    socket.generation = 2;
    socket.callbacks.onStatus("offline");
    socket.receive({ ...ready(), sites: [{ id: 2, name: "Other shop" }] });
    expect(model.conversations.order).toEqual([]);
    expect(model.conversations.get("c1")).toBeUndefined();
    expect(controller.state.openId).toBeNull();
  });

  it("reopens the open conversation from the highest seq held", () => {
    const { controller, socket } = withOpenConversation();
    socket.generation = 2;
    socket.callbacks.onStatus("offline");
    expect(controller.state.statusText).toBe("Reconnecting…");
    expect(controller.state.ready).toBe(false);
    socket.receive(ready(summary()));
    expect(socket.last("conversation.open")).toEqual({ type: "conversation.open", conversation_id: "c1", after_seq: 1 });
  });
});

describe("conversation.opened", () => {
  it("stores the messages, marks them read and sends the conversation's waiting replies", () => {
    const { controller, socket, model } = consoleOnFakeSocket();
    socket.receive(ready(summary({ last_message: message({ seq: 1 }), last_seq: 1 })));
    model.outbox.add({ conversation_id: "c1", client_id: "r1", body: "later", created_at: "t" });
    controller.openConversation("c1");
    expect(socket.ofType("message.send")).toEqual([]);
    socket.receive(opened());
    expect(controller.openedOnSocket).toBe(1);
    expect(socket.ofType("message.send")).toHaveLength(1);
    expect(socket.ofType("conversation.read")).toEqual([{ type: "conversation.read", conversation_id: "c1", seq: 1 }]);
  });

  it("syncs when the server has more", () => {
    const { controller, socket } = consoleOnFakeSocket();
    socket.receive(ready(summary()));
    controller.openConversation("c1");
    socket.receive(opened({}, [message({ seq: 1 })], true));
    expect(socket.ofType("sync")).toEqual([{ type: "sync", conversation_id: "c1", after_seq: 1 }]);
  });

  it("leaves the read mark alone while the window is in the background", () => {
    const { controller, socket, model } = consoleOnFakeSocket({ focused: () => false });
    socket.receive(ready(summary({ last_message: message({ seq: 1 }), last_seq: 1 })));
    controller.openConversation("c1");
    socket.receive(opened());
    expect(socket.ofType("conversation.read")).toEqual([]);
    expect(model.readMarks.get("c1")).toBe(0);
  });
});

describe("message.new", () => {
  it("drops a seq already held and syncs over a gap", () => {
    const { socket, model } = withOpenConversation();
    socket.receive({ type: "message.new", message: message({ seq: 1, body: "again" }) });
    expect(model.conversations.get("c1")!.messages.get(1)?.body).toBe("message 1");
    socket.receive({ type: "message.new", message: message({ seq: 3 }) });
    expect(socket.ofType("sync")).toEqual([{ type: "sync", conversation_id: "c1", after_seq: 1 }]);
    socket.receive({ type: "history", conversation_id: "c1", messages: [message({ seq: 2 })], has_more: false, previous_id: null });
    expect(model.conversations.contiguous("c1")).toBe(3);
  });

  it("marks a visitor message of the open conversation read at once", () => {
    const { socket } = withOpenConversation();
    socket.receive({ type: "message.new", message: message({ seq: 2 }) });
    expect(socket.last("conversation.read")).toEqual({ type: "conversation.read", conversation_id: "c1", seq: 2 });
  });
});

describe("sending", () => {
  it("shows a reply as pending, sends it once, and settles it on ack", () => {
    const { controller, socket, model } = withOpenConversation();
    controller.setReply("  Hello there  ");
    controller.submitReply();
    const [sent] = socket.ofType("message.send");
    expect(sent).toMatchObject({ conversation_id: "c1", body: "Hello there" });
    expect(controller.state.reply).toBe("");
    expect(model.outbox.size).toBe(1);
    const clientId = String(sent!.client_id);
    const stored = message({ seq: 2, author: "agent", agent_id: 7, client_id: clientId, body: "Hello there" });
    socket.receive({ type: "message.ack", client_id: clientId, message: stored });
    expect(model.outbox.size).toBe(0);
    expect(model.conversations.get("c1")!.messages.get(2)?.body).toBe("Hello there");
  });

  it("refuses an empty or too long reply before sending", () => {
    const { controller, socket } = withOpenConversation();
    controller.setReply("   ");
    controller.submitReply();
    expect(controller.state.replyError).toBe("Write something before sending.");
    controller.setReply("x".repeat(21));
    controller.submitReply();
    expect(controller.state.replyError).toBe("That reply is too long (at most 20 characters).");
    expect(socket.ofType("message.send")).toEqual([]);
    vi.advanceTimersByTime(6_000);
    expect(controller.state.replyError).toBeNull();
  });

  it("takes a refused reply back into the empty box and says why", () => {
    const { controller, socket, model } = withOpenConversation();
    controller.setReply("bad\u0001");
    controller.submitReply();
    const clientId = String(socket.ofType("message.send")[0]!.client_id);
    socket.receive({ type: "error", code: "frame_too_large", message: "", ref: clientId });
    expect(model.outbox.size).toBe(0);
    expect(controller.state.reply).toBe("bad\u0001");
    expect(controller.state.replyError).toBe("That reply is too long to send.");
  });

  it("retries a rate-limited reply after a moment", () => {
    const { controller, socket } = withOpenConversation();
    controller.setReply("hi");
    controller.submitReply();
    const clientId = String(socket.ofType("message.send")[0]!.client_id);
    socket.receive({ type: "error", code: "rate_limited", message: "", ref: clientId });
    expect(controller.state.replyError).toBe("You are sending too fast. Retrying in a moment…");
    vi.advanceTimersByTime(1_500);
    expect(socket.ofType("message.send")).toHaveLength(2);
  });

  it("waits for the connection: nothing goes before ready", () => {
    const { controller, socket } = withOpenConversation();
    socket.callbacks.onStatus("offline");
    controller.setReply("later");
    controller.submitReply();
    expect(socket.ofType("message.send")).toEqual([]);
  });
});

describe("other frames", () => {
  it("moves a conversation to the top on inbox.update and catches up when behind", () => {
    const { socket, model } = withOpenConversation();
    socket.receive({ type: "inbox.update", conversation: summary({ id: "c2" }), previous: null });
    expect(model.conversations.order[0]).toBe("c2");
    socket.receive({
      type: "inbox.update",
      conversation: summary({ last_seq: 2, last_message: message({ seq: 2 }), last_read_seq: null }),
      previous: null,
    });
    expect(model.conversations.order[0]).toBe("c1");
    vi.advanceTimersByTime(1_500);
    expect(socket.ofType("sync")).toEqual([{ type: "sync", conversation_id: "c1", after_seq: 1 }]);
  });

  it("shows a notification as a toast for a while", () => {
    const { controller, socket } = consoleOnFakeSocket();
    socket.receive({ type: "notification", payload: { title: "Hi", body: "there" } });
    socket.receive({ type: "notification", payload: { n: 1 } });
    expect(controller.state.toasts.map((toast) => [toast.title, toast.body, toast.json])).toEqual([
      ["Hi", "there", false],
      ["Notification", '{\n  "n": 1\n}', true],
    ]);
    vi.advanceTimersByTime(8_000);
    expect(controller.state.toasts).toEqual([]);
  });

  it("says when the conversation cannot be opened, and retries a rate-limited open", () => {
    const { controller, socket } = consoleOnFakeSocket();
    socket.receive(ready(summary()));
    controller.openConversation("c1");
    socket.receive({ type: "error", code: "rate_limited", message: "", ref: "conversation.open" });
    vi.advanceTimersByTime(1_500);
    expect(socket.ofType("conversation.open")).toHaveLength(2);
    socket.receive({ type: "error", code: "not_found", message: "", ref: "conversation.open" });
    expect(controller.state.threadNotice).toBe("This conversation is no longer available.");
  });

  it("redoes what a dropped frame may have carried", () => {
    const { controller, socket } = withOpenConversation();
    controller.setReply("hi");
    controller.submitReply();
    socket.receive({ type: "error", code: "rate_limited", message: "", ref: null });
    vi.advanceTimersByTime(1_500);
    expect(socket.ofType("message.send")).toHaveLength(2);
  });

  it("sends the agent to log in when the session is gone", () => {
    const { socket, navigated } = consoleOnFakeSocket();
    socket.callbacks.onUnauthorized();
    expect(navigated).toEqual(["/console/login/?next=/console/"]);
  });
});

describe("notifications", () => {
  /** A console whose notifier records its alerts (the page is hidden, permission granted). */
  function withNotifier() {
    const alerts: unknown[] = [];
    const notifier = new Notifier(() => {}, {
      hidden: () => true,
      focused: () => false,
      api: () => undefined,
      beep: () => {},
    });
    vi.spyOn(notifier, "alert").mockImplementation((alert) => void alerts.push(alert));
    const setup = consoleOnFakeSocket({ notifier });
    return { ...setup, alerts };
  }

  it("takes the preferences from ready and from the preferences frame", () => {
    const { controller, socket } = consoleOnFakeSocket();
    socket.receive(ready());
    expect(controller.state.preferences).toEqual({ desktop: true, push: false, sound: false, title_count: true });
    socket.receive({ type: "preferences", preferences: { desktop: false, push: false, sound: true, title_count: true } });
    expect(controller.state.preferences?.sound).toBe(true);
  });

  it("sends a changed preference at once and shows it before the server answers", () => {
    const { controller, socket } = consoleOnFakeSocket();
    socket.receive(ready());
    controller.setPreference("title_count", false);
    expect(controller.state.preferences?.title_count).toBe(false);
    expect(socket.last("preferences.set")).toEqual({ type: "preferences.set", title_count: false });
  });

  it("alerts about a new conversation and a visitor's message, not about an agent's", () => {
    const { socket, alerts } = withNotifier();
    socket.receive(ready());
    const first = summary({ last_seq: 1, last_message: message({ seq: 1, body: "Hello" }) });
    socket.receive({ type: "inbox.update", conversation: first, previous: null });
    const second = summary({ last_seq: 2, last_message: message({ seq: 2, body: "Anyone?" }) });
    socket.receive({ type: "inbox.update", conversation: second, previous: OPEN });
    const reply = summary({ last_seq: 3, last_message: message({ seq: 3, author: "agent", agent_id: AGENT_ID }) });
    socket.receive({ type: "inbox.update", conversation: reply, previous: OPEN });
    // The same row again (another change than a message: a status, an assignee) is no news.
    socket.receive({ type: "inbox.update", conversation: { ...second, last_seq: 3 }, previous: OPEN });
    socket.receive({ type: "inbox.update", conversation: second, previous: OPEN });
    expect(alerts).toEqual([
      { conversationId: "c1", title: "New conversation: Amber Fox", body: "Hello" },
      { conversationId: "c1", title: "Amber Fox", body: "Anyone?" },
    ]);
  });

  it("opens the conversation a notification named once the inbox holds it", () => {
    const { controller, socket } = consoleOnFakeSocket();
    controller.openFromNotification("c1");
    expect(controller.state.openId).toBeNull();
    socket.receive(ready(summary()));
    expect(controller.state.openId).toBe("c1");
    expect(socket.last("conversation.open")).toEqual({ type: "conversation.open", conversation_id: "c1", after_seq: 0 });
  });

  it("reads the conversation a push's click put in the address", () => {
    expect(conversationFromHash("#conversation=6f1c-1")).toBe("6f1c-1");
    expect(conversationFromHash("#other")).toBeNull();
  });
});
