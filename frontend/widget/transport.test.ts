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
// What a socket sent, page reports aside (the panel sends those: page-context.test.ts).
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

    // The server stops answering: a ping after 5 s (naming the page), dead 4 s later, then a new socket
    // after backoff.
    await vi.advanceTimersByTimeAsync(5_000);
    expect(socket.sent[socket.sent.length - 1]).toEqual({
      type: "ping",
      page_url: location.href,
      page_title: document.title,
    });
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

describe("identify and reset", () => {
  // Each test a fresh copy of the transport (module state) with a server that answers sessions.
  let sessions: { visitor_token: string | null; identity?: unknown }[];
  let nextVisitor: string;
  beforeEach(() => {
    vi.resetModules();
    vi.useFakeTimers();
    vi.stubGlobal("WebSocket", FakeSocket);
    sessions = [];
    nextVisitor = "v1";
    vi.stubGlobal(
      "fetch",
      vi.fn(async (_url: string, init: { body: string }) => {
        sessions.push(JSON.parse(init.body));
        return { ok: true, json: async () => ({ visitor_token: "t-" + nextVisitor, visitor_id: nextVisitor, socket_url: "ws://p/" }) };
      }),
    );
    localStorage.clear();
  });
  afterEach(() => {
    vi.unstubAllGlobals();
    vi.useRealTimers();
  });

  async function started(): Promise<typeof import("./transport") & typeof import("./events")> {
    const transport = await import("./transport");
    const events = await import("./events");
    transport.configureTransport("http://p/api/widget/sites/k", "parley:k:");
    return { ...transport, ...events };
  }

  it("sends the identity with the first session, and a changed one with a new session and socket", async () => {
    const widget = await started();
    const claim = { user_id: "u-42", user_hash: "ab" };
    widget.identify(claim);
    widget.startTransport();
    await vi.advanceTimersByTimeAsync(0);
    expect(sessions).toEqual([{ visitor_token: null, page_url: location.href, identity: claim }]);
    const first = latest();
    widget.identify({ ...claim });
    await vi.advanceTimersByTimeAsync(0);
    expect(sessions.length).toBe(1);
    widget.identify({ user_id: "u-7", user_hash: "cd" });
    await vi.advanceTimersByTimeAsync(0);
    expect(sessions[1]).toEqual({ visitor_token: "t-v1", page_url: location.href, identity: { user_id: "u-7", user_hash: "cd" } });
    expect(first.closed).toBe(true);
    expect(latest()).not.toBe(first);
  });

  it("tells the panel when the session's visitor changed, so nothing of the previous one stays", async () => {
    const widget = await started();
    const heard: string[] = [];
    widget.listen((type) => heard.push(type));
    widget.startTransport();
    await vi.advanceTimersByTimeAsync(0);
    nextVisitor = "v2";
    widget.identify({ user_id: "u-42", token: "jwt" });
    await vi.advanceTimersByTimeAsync(0);
    expect(heard).toContain("visitor");
  });

  it("ignores the answer to a session asked for before a reset, and asks again", async () => {
    const widget = await started();
    localStorage.setItem("parley:k:token", "t-ann");
    widget.configureTransport("http://p/api/widget/sites/k", "parley:k:");
    widget.startTransport();
    widget.resetVisitor();
    nextVisitor = "v2";
    await vi.advanceTimersByTimeAsync(0);
    expect(sessions.map((session) => session.visitor_token)).toEqual(["t-ann", null]);
    expect(localStorage.getItem("parley:k:token")).toBe("t-v2");
    expect(FakeSocket.all.filter((socket) => !socket.closed).length).toBeGreaterThan(0);
  });

  it("reset forgets the token and the identity, says so, and asks for a new anonymous visitor", async () => {
    const widget = await started();
    const heard: string[] = [];
    widget.listen((type) => heard.push(type));
    widget.identify({ user_id: "u-42", user_hash: "ab" });
    widget.startTransport();
    await vi.advanceTimersByTimeAsync(0);
    expect(localStorage.getItem("parley:k:token")).toBe("t-v1");
    nextVisitor = "v2";
    widget.resetVisitor();
    await vi.advanceTimersByTimeAsync(0);
    expect(heard.slice(0, 1)).toEqual(["reset"]);
    expect(sessions[1]).toEqual({ visitor_token: null, page_url: location.href, identity: null });
    expect(heard).toContain("visitor");
    expect(localStorage.getItem("parley:k:token")).toBe("t-v2");
  });
});
