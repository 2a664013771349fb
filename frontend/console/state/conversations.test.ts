import { describe, expect, it } from "vitest";
import { message, summary } from "../testing";
import { Conversations, isMessage, isSummary } from "./conversations";

describe("Conversations", () => {
  it("puts a conversation seen for the first time at the top", () => {
    const conversations = new Conversations();
    conversations.upsert(summary({ id: "a" }));
    conversations.upsert(summary({ id: "b" }));
    expect(conversations.order).toEqual(["b", "a"]);
  });

  it("forgets the conversations of sites no longer kept", () => {
    const conversations = new Conversations();
    conversations.upsert(summary({ id: "a", site: { id: 1, name: "One" } }));
    conversations.upsert(summary({ id: "b", site: { id: 2, name: "Two" } }));
    conversations.keepSites(new Set([2]));
    expect(conversations.order).toEqual(["b"]);
    expect(conversations.get("a")).toBeUndefined();
  });

  it("keeps a newer last message when an older summary arrives", () => {
    const conversations = new Conversations();
    const conversation = conversations.upsert(summary({ last_seq: 3, last_message: message({ seq: 3 }) }));
    conversations.upsert(summary({ last_seq: 2, last_message: message({ seq: 2 }), status: "resolved" }));
    expect(conversation.summary.last_message?.seq).toBe(3);
    expect(conversation.summary.last_seq).toBe(3);
    expect(conversation.summary.status).toBe("resolved");
  });

  it("drops messages already held or of another conversation, and reports the new ones in seq order", () => {
    const conversations = new Conversations();
    const conversation = conversations.upsert(summary());
    expect(
      conversations.addMessages(conversation, [message({ seq: 2 }), message({ seq: 1 })]).added.map((m) => m.seq),
    ).toEqual([1, 2]);
    const again = conversations.addMessages(conversation, [
      message({ seq: 2 }),
      message({ seq: 3, conversation_id: "other" }),
      { seq: "x" },
    ]);
    expect(again.added).toEqual([]);
    expect(conversations.messagesOf(conversation).map((m) => m.seq)).toEqual([1, 2]);
  });

  it("follows the highest contiguous seq and tells gaps", () => {
    const conversations = new Conversations();
    const conversation = conversations.upsert(summary());
    conversations.addMessages(conversation, [message({ seq: 1 })]);
    expect(conversations.isGap("c1", 3)).toBe(true);
    expect(conversations.isGap("c1", 2)).toBe(false);
    conversations.addMessages(conversation, [message({ seq: 3 })]);
    expect(conversations.contiguous("c1")).toBe(1);
    expect(conversations.hasGap(conversation)).toBe(true);
    conversations.addMessages(conversation, [message({ seq: 2 })]);
    expect(conversations.contiguous("c1")).toBe(3);
    expect(conversations.hasGap(conversation)).toBe(false);
  });

  it("counts a loaded conversation behind its summary's last seq as a gap", () => {
    const conversations = new Conversations();
    const conversation = conversations.upsert(summary({ last_seq: 2 }));
    expect(conversations.hasGap(conversation)).toBe(false);
    conversation.loaded = true;
    expect(conversations.hasGap(conversation)).toBe(true);
  });

  it("moves a conversation to the top when a newer message arrives, and updates its preview", () => {
    const conversations = new Conversations();
    const a = conversations.upsert(summary({ id: "a" }));
    conversations.upsert(summary({ id: "b" }));
    const result = conversations.addMessages(a, [message({ seq: 1, conversation_id: "a", body: "hi" })]);
    expect(result.moved).toBe(true);
    expect(conversations.order).toEqual(["a", "b"]);
    expect(a.summary.last_message?.body).toBe("hi");
    expect(a.summary.updated_at).toBe(message({ seq: 1 }).created_at);
  });

  it("sorts by activity and filters by site", () => {
    const conversations = new Conversations();
    conversations.upsert(summary({ id: "old", updated_at: "2026-11-20T00:00:00Z", site: { id: 2, name: "B" } }));
    conversations.upsert(summary({ id: "new", updated_at: "2026-11-24T00:00:00Z" }));
    conversations.upsert(summary({ id: "mid", updated_at: "2026-11-22T00:00:00Z" }));
    conversations.sortByActivity();
    expect(conversations.order).toEqual(["new", "mid", "old"]);
    expect(conversations.visibleIds("2")).toEqual(["old"]);
    expect(conversations.visibleIds("")).toEqual(["new", "mid", "old"]);
  });

  it("checks wire values", () => {
    expect(isMessage(message({ seq: 1 }))).toBe(true);
    expect(isMessage({ conversation_id: "c1", seq: 0 })).toBe(false);
    expect(isMessage(null)).toBe(false);
    expect(isSummary(summary())).toBe(true);
    expect(isSummary({ id: 3 })).toBe(false);
  });
});
