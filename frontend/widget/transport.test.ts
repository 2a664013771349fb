// @vitest-environment happy-dom
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { listen } from "./events";
import { configureTransport, currentState, startTransport } from "./transport";

class FakeSocket {
  static all: FakeSocket[] = [];
  readyState = 0;
  sent: { type: string }[] = [];
  onopen: (() => void) | null = null;
  onmessage: ((event: { data: string }) => void) | null = null;
  onclose: ((event: { code: number }) => void) | null = null;
  closed = false;

  constructor(readonly url: string) {
    FakeSocket.all.push(this);
  }

  send(data: string): void {
    this.sent.push(JSON.parse(data));
  }

  close(): void {
    this.closed = true;
  }

  serverSends(frame: object): void {
    this.onmessage?.({ data: JSON.stringify(frame) });
  }
}

const latest = (): FakeSocket => FakeSocket.all[FakeSocket.all.length - 1] as FakeSocket;
// What a socket sent besides the page reports (page-tracking.test.ts covers those).
const sentTypes = (socket: FakeSocket): string[] => socket.sent.map((frame) => frame.type).filter((type) => type !== "page");

describe("the widget's transport", () => {
  beforeEach(() => {
    vi.useFakeTimers();
    vi.stubGlobal("WebSocket", FakeSocket);
    vi.stubGlobal(
      "fetch",
      vi.fn(async () => ({ ok: true, json: async () => ({ visitor_token: "t", socket_url: "ws://parley/ws/visitor/k/" }) })),
    );
  });
  afterEach(() => {
    vi.unstubAllGlobals();
    vi.useRealTimers();
  });

  it("pings a quiet socket, and shows a server that stops answering as offline within 10 s", async () => {
    const states: unknown[] = [];
    listen((type, detail) => type === "state" && states.push(detail));
    configureTransport("http://parley/api/widget/sites/k", "parley:k:");
    startTransport();
    await vi.advanceTimersByTimeAsync(0);
    const socket = latest();
    socket.readyState = 1;
    socket.onopen?.();
    expect(socket.sent.map((frame) => frame.type)).toEqual(["hello"]);
    socket.serverSends({ type: "ready", visitor: { id: "v" }, conversation: null, messages: [], has_more: false });
    expect(currentState()).toBe("online");

    // Busy: each frame restarts the wait.
    for (let i = 0; i < 3; i += 1) {
      await vi.advanceTimersByTimeAsync(4_000);
      socket.serverSends({ type: "pong" });
    }
    expect(sentTypes(socket)).toEqual(["hello"]);

    // The server stops answering: a ping after 5 s, dead 4 s later, then a new socket after backoff.
    await vi.advanceTimersByTimeAsync(5_000);
    expect(socket.sent[socket.sent.length - 1]).toEqual({ type: "ping" });
    await vi.advanceTimersByTimeAsync(3_999);
    expect(currentState()).toBe("online");
    await vi.advanceTimersByTimeAsync(1);
    expect(currentState()).toBe("offline");
    expect(states[states.length - 1]).toBe("offline");
    expect(socket.closed).toBe(true);
    expect(socket.onmessage).toBeNull();

    // Reconnects with backoff; a socket that never answers its hello is given up within 10 s too.
    while (FakeSocket.all.length === 1) await vi.advanceTimersByTimeAsync(10);
    const next = latest();
    next.readyState = 1;
    next.onopen?.();
    expect(next.sent.map((frame) => frame.type)).toEqual(["hello"]);
    await vi.advanceTimersByTimeAsync(8_900);
    expect(next.closed).toBe(false);
    await vi.advanceTimersByTimeAsync(1_100);
    expect(next.closed).toBe(true);
    while (FakeSocket.all.length === 2) await vi.advanceTimersByTimeAsync(10);
  });
});
