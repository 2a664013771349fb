import { describe, expect, it } from "vitest";
import { consoleOnFakeSocket, message, ready, summary } from "./testing";
import { inboxEmptyText, inboxRows, threadView, unreadTotal } from "./view";

describe("view", () => {
  it("describes inbox rows: label, preview, unread, selection and the one focusable row", () => {
    const { controller, socket, model } = consoleOnFakeSocket();
    expect(inboxEmptyText(model, controller.state)).toBeNull();
    socket.receive(
      ready(
        summary({
          id: "a",
          updated_at: "2026-11-24T09:00:00Z",
          visitor: { id: "v1", name: "Ann", email: "", last_page_url: "", display_name: "Ann" },
          last_message: message({ seq: 1, conversation_id: "a", body: "hi\nthere" }),
        }),
        summary({
          id: "b",
          updated_at: "2026-11-24T08:00:00Z",
          status: "resolved",
          last_message: message({ seq: 1, conversation_id: "b", author: "agent", agent_id: 7, body: "done" }),
        }),
        summary({
          id: "c",
          last_message: message({
            seq: 1,
            conversation_id: "c",
            author: "agent",
            agent_id: 8,
            author_name: "Bob",
            body: "ok",
          }),
        }),
      ),
    );
    controller.openConversation("b");
    // "All open" lists the open ones; the resolved one is under "Resolved".
    const rows = inboxRows(model, controller.state);
    expect(rows.map((row) => [row.id, row.label, row.preview, row.unread, row.selected, row.focusable])).toEqual([
      ["a", "Ann", "hi there", true, false, true],
      ["c", "Amber Fox", "Bob: ok", false, false, false],
    ]);
    controller.setView("resolved");
    const resolved = inboxRows(model, controller.state);
    expect(resolved.map((row) => [row.id, row.label, row.preview, row.unread, row.selected, row.focusable])).toEqual([
      ["b", "Amber Fox", "You: done", false, true, true],
    ]);
    expect(resolved[0]!.resolved).toBe(true);
    expect(unreadTotal(model)).toBe(1);
  });

  it("says why the inbox is empty", () => {
    const { controller, socket, model } = consoleOnFakeSocket();
    socket.receive(ready());
    expect(inboxEmptyText(model, controller.state)).toBe("No conversations yet. Open the demo page and say hello.");
    socket.receive(ready(summary()));
    controller.setSiteFilter("9");
    // The site's first page is asked for first: loading, not empty.
    expect(inboxEmptyText(model, controller.state)).toBeNull();
    expect(socket.last("inbox.query")).toEqual({
      type: "inbox.query",
      view: "open",
      site_id: 9,
      before: null,
      search: null,
    });
    socket.receive({
      type: "inbox.page",
      view: "open",
      site_id: 9,
      search: null,
      before: null,
      conversations: [],
      matches: [],
      next: null,
    });
    expect(inboxEmptyText(model, controller.state)).toBe("No conversations for this site yet.");
    controller.setView("mine");
    socket.receive({ ...(socket.last("inbox.query") as object), type: "inbox.page", conversations: [], matches: [], next: null } as never);
    expect(inboxEmptyText(model, controller.state)).toBe("No conversations in this view.");
  });

  it("lists stored messages in seq order, then replies still sending", () => {
    const { controller, socket, model } = consoleOnFakeSocket();
    socket.receive(ready(summary()));
    controller.openConversation("c1");
    expect(threadView(model, controller.state)?.loading).toBe(true);
    socket.receive({
      type: "conversation.opened",
      conversation: summary(),
      messages: [message({ seq: 2 }), message({ seq: 1 })],
      has_more: false,
      activity: [],
    });
    controller.setReply("pending one");
    controller.submitReply();
    const view = threadView(model, controller.state)!;
    expect(view.loading).toBe(false);
    expect(view.items.map((item) => [item.kind, "body" in item ? item.body : ""])).toEqual([
      ["stored", "message 1"],
      ["stored", "message 2"],
      ["pending", "pending one"],
    ]);
    expect(view.items[2]).toMatchObject({ authorName: "Dana", label: "Sending…" });
    socket.callbacks.onStatus("offline");
    expect(threadView(model, controller.state)!.items[2]).toMatchObject({ label: "Waiting for connection…" });
  });
});
