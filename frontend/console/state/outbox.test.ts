import { describe, expect, it } from "vitest";
import { memoryStorage } from "../../shared/outbox";
import { message } from "../testing";
import { ReplyOutbox, type Reply } from "./outbox";

const reply = (clientId: string, conversationId = "c1"): Reply => ({
  conversation_id: conversationId,
  client_id: clientId,
  body: `body ${clientId}`,
  created_at: "2026-11-24T07:00:00Z",
});

describe("ReplyOutbox", () => {
  it("keeps replies per conversation across instances on the same storage", () => {
    const storage = memoryStorage();
    const outbox = new ReplyOutbox(storage);
    outbox.add(reply("r1"));
    outbox.add(reply("r2", "c2"));
    const reloaded = new ReplyOutbox(storage);
    expect(reloaded.forConversation("c1").map((r) => r.client_id)).toEqual(["r1"]);
    expect(reloaded.isOwn("r2")).toBe(true);
    expect(reloaded.size).toBe(2);
  });

  it("sends a reply once per socket", () => {
    const outbox = new ReplyOutbox(memoryStorage());
    outbox.add(reply("r1"));
    outbox.markSent("r1", 1);
    expect(outbox.wasSentOn("r1", 1)).toBe(true);
    expect(outbox.wasSentOn("r1", 2)).toBe(false);
    outbox.forgetSent("r1");
    expect(outbox.wasSentOn("r1", 1)).toBe(false);
  });

  it("forgets a reply once stored (ack or a stored copy), and remembers it was ours", () => {
    const outbox = new ReplyOutbox(memoryStorage());
    outbox.add(reply("r1"));
    outbox.add(reply("r2"));
    outbox.ack("r1");
    outbox.settle([message({ seq: 2, client_id: "r2" })]);
    expect(outbox.size).toBe(0);
    expect(outbox.isOwn("r1") && outbox.isOwn("r2")).toBe(true);
    expect(outbox.isOwn("someone-else")).toBe(false);
  });

  it("gives back a refused reply", () => {
    const outbox = new ReplyOutbox(memoryStorage());
    outbox.add(reply("r1"));
    expect(outbox.refuse("r1")?.body).toBe("body r1");
    expect(outbox.refuse("r1")).toBeNull();
    expect(outbox.get("r1")).toBeNull();
  });

  it("ignores entries without a conversation (another client's format)", () => {
    const storage = memoryStorage();
    storage.write(JSON.stringify([{ client_id: "v1", body: "x", created_at: "t" }]));
    expect(new ReplyOutbox(storage).all()).toEqual([]);
  });
});
