// @vitest-environment happy-dom
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { followFrames, openOutbox, pendingItems, setPending, settlePending, transmitter } from "./outbox";
import { createSender } from "./sending";
import type { PendingItem } from "./types";

describe("outbox and sending", () => {
  const transmitted: PendingItem[][] = [];
  const api = { pending: pendingItems, setPending, transmit: (items: readonly PendingItem[]) => void transmitted.push([...items]) };
  const changes = vi.fn();

  beforeEach(() => {
    localStorage.clear();
    openOutbox("parley:k:outbox", changes);
    setPending([]);
    changes.mockClear();
    transmitted.length = 0;
    vi.useFakeTimers();
  });
  afterEach(() => vi.useRealTimers());

  it("keeps a sent message pending, in localStorage, until a stored copy settles it", () => {
    const sender = createSender(api);
    sender.send("Hello");
    const [item] = pendingItems();
    expect(item?.body).toBe("Hello");
    expect(item?.client_id).toMatch(/^[A-Za-z0-9_-]{1,64}$/);
    expect(transmitted).toEqual([[item]]);
    expect(JSON.parse(localStorage.getItem("parley:k:outbox") ?? "")).toEqual([item]);
    expect(changes).toHaveBeenCalled();

    // A reload reads it back.
    openOutbox("parley:k:outbox");
    expect(pendingItems()).toEqual([item]);

    settlePending([{ client_id: "someone else's" }]);
    expect(pendingItems()).toHaveLength(1);
    settlePending([{ client_id: item?.client_id ?? null }]);
    expect(pendingItems()).toEqual([]);
  });

  it("sends the whole outbox again once after retryable errors", () => {
    const sender = createSender(api);
    sender.send("one");
    sender.send("two");
    transmitted.length = 0;
    expect(sender.refused({ code: "rate_limited", ref: null })).toBe("");
    expect(sender.refused({ code: "internal_error", ref: null })).toBe("");
    vi.advanceTimersByTime(3000);
    expect(transmitted).toEqual([pendingItems()]);
    expect(pendingItems()).toHaveLength(2);
  });

  it("keeps a rate-limited message pending and sends it again only after retry_after", () => {
    const sender = createSender(api);
    sender.send("one");
    const clientId = pendingItems()[0]?.client_id ?? null;
    transmitted.length = 0;
    expect(sender.refused({ code: "rate_limited", ref: clientId, retry_after: 20 })).toBe("");
    // A shorter wait asked for afterwards does not bring the retry forward.
    expect(sender.refused({ code: "rate_limited", ref: clientId, retry_after: 1 })).toBe("");
    vi.advanceTimersByTime(19_000);
    expect(transmitted).toEqual([]);
    vi.advanceTimersByTime(2_600);
    expect(transmitted).toEqual([pendingItems()]);
    expect(pendingItems()).toHaveLength(1);
  });

  it("gives a message refused for good back for editing", () => {
    const sender = createSender(api);
    sender.send("far too long");
    const clientId = pendingItems()[0]?.client_id ?? null;
    expect(sender.refused({ code: "body_too_long", ref: clientId })).toBe("far too long");
    expect(pendingItems()).toEqual([]);
    expect(sender.refused({ code: "body_too_long", ref: "unknown" })).toBe("");
  });

  it("starts empty from an unreadable outbox", () => {
    localStorage.setItem("parley:k:other", "{broken");
    openOutbox("parley:k:other");
    expect(pendingItems()).toEqual([]);
  });
});

describe("outbox following the loader's frames", () => {
  beforeEach(() => {
    localStorage.clear();
    openOutbox("parley:k:outbox", () => {});
  });

  function loaderApi(state: "connecting" | "online") {
    const listeners: ((type: string, detail?: unknown) => void)[] = [];
    const sent: unknown[] = [];
    return {
      api: { state: () => state, send: (frame: unknown) => void sent.push(frame), listen: (l: (typeof listeners)[0]) => void listeners.push(l) },
      emit: (frame: { type: string }) => listeners.forEach((listener) => listener(frame.type, frame)),
      sent,
    };
  }

  it("sends nothing before ready, then what ready did not settle", () => {
    const loader = loaderApi("connecting");
    const transmit = transmitter(loader.api as never);
    followFrames(loader.api, transmit);
    setPending([
      { client_id: "a", body: "one", created_at: "" },
      { client_id: "b", body: "two", created_at: "" },
    ]);
    transmit(pendingItems());
    expect(loader.sent).toEqual([]);

    const online = loaderApi("online");
    followFrames(online.api, transmitter(online.api as never));
    online.emit({ type: "ready", messages: [{ client_id: "a" }] } as never);
    expect(online.sent).toEqual([{ type: "message.send", client_id: "b", body: "two" }]);
    expect(pendingItems().map((item) => item.client_id)).toEqual(["b"]);
  });

  it("settles an entry from message.ack, message.new and history", () => {
    const loader = loaderApi("online");
    followFrames(loader.api, transmitter(loader.api as never));
    setPending(["a", "b", "c"].map((client_id) => ({ client_id, body: client_id, created_at: "" })));
    loader.emit({ type: "message.ack", message: { client_id: "a" } } as never);
    loader.emit({ type: "message.new", message: { client_id: "b" } } as never);
    loader.emit({ type: "history", messages: [{ client_id: "c" }] } as never);
    expect(pendingItems()).toEqual([]);
  });
});
