import { describe, expect, it, vi } from "vitest";
import { memoryStorage, Outbox, type OutboxEntry, webStorage } from "./outbox";

const entry = (client_id: string, conversation_id?: string): OutboxEntry => ({
  client_id,
  body: `body ${client_id}`,
  created_at: "2026-11-24T07:26:23+00:00",
  ...(conversation_id ? { conversation_id } : {}),
});

describe("Outbox", () => {
  it("resends every unacknowledged entry, oldest first", () => {
    const outbox = new Outbox();
    outbox.add(entry("a"));
    outbox.add(entry("b"));
    const sent: string[] = [];
    expect(outbox.resend((item) => (sent.push(item.client_id), true))).toBe(2);
    expect(sent).toEqual(["a", "b"]);
    // Not acknowledged: the next reconnect sends both again.
    expect(outbox.resend(() => true)).toBe(2);
  });

  it("stops resending when the socket refuses a send", () => {
    const outbox = new Outbox();
    outbox.add(entry("a"));
    outbox.add(entry("b"));
    expect(outbox.resend(() => false)).toBe(0);
  });

  it("forgets an entry on ack or on a stored copy", () => {
    const onChange = vi.fn();
    const outbox = new Outbox({ onChange });
    outbox.add(entry("a"));
    outbox.add(entry("b"));
    outbox.add(entry("c"));
    expect(outbox.ack("a")).toBe(true);
    expect(outbox.ack("a")).toBe(false);
    expect(outbox.settle([{ client_id: "b" }, { client_id: null }])).toBe(true);
    expect(outbox.all().map((item) => item.client_id)).toEqual(["c"]);
    expect(onChange).toHaveBeenCalledTimes(5);
  });

  it("gives a refused entry back", () => {
    const outbox = new Outbox();
    outbox.add(entry("a"));
    expect(outbox.refuse("a")?.body).toBe("body a");
    expect(outbox.refuse("a")).toBeNull();
    expect(outbox.size).toBe(0);
  });

  it("filters by conversation", () => {
    const outbox = new Outbox();
    outbox.add(entry("a", "one"));
    outbox.add(entry("b", "two"));
    expect(outbox.forConversation("two").map((item) => item.client_id)).toEqual(["b"]);
    const sent: string[] = [];
    outbox.resend((item) => (sent.push(item.client_id), true), (item) => item.conversation_id !== "one");
    expect(sent).toEqual(["b"]);
  });

  it("survives a reload through its storage and drops what it cannot read", () => {
    const storage = memoryStorage();
    new Outbox({ storage }).add(entry("a"));
    expect(new Outbox({ storage }).get("a")?.body).toBe("body a");
    storage.write(JSON.stringify([entry("b"), { client_id: "bad id!", body: "x", created_at: "" }, 7]));
    expect(new Outbox({ storage }).all().map((item) => item.client_id)).toEqual(["b"]);
    storage.write("{not json");
    expect(new Outbox({ storage }).size).toBe(0);
  });

  it("removes its key when empty and tolerates a storage that throws", () => {
    const items = new Map<string, string>();
    const fake = {
      getItem: (key: string) => items.get(key) ?? null,
      setItem: (key: string, value: string) => void items.set(key, value),
      removeItem: (key: string) => void items.delete(key),
    } as unknown as Storage;
    const outbox = new Outbox({ storage: webStorage("k", () => fake) });
    outbox.add(entry("a"));
    expect(JSON.parse(items.get("k") ?? "")).toHaveLength(1);
    outbox.ack("a");
    expect(items.has("k")).toBe(false);

    const broken = webStorage("k", () => {
      throw new Error("blocked");
    });
    const inMemory = new Outbox({ storage: broken });
    inMemory.add(entry("a"));
    expect(inMemory.size).toBe(1);
  });
});
