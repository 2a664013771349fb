// @vitest-environment happy-dom
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { Connection, type ConnectionStatus, type WebSocketClass } from "./connection";

class FakeSocket {
  static all: FakeSocket[] = [];
  readyState = 0;
  sent: unknown[] = [];
  closedWith: number | null = null;
  onopen: (() => void) | null = null;
  onmessage: ((event: { data: unknown }) => void) | null = null;
  onclose: ((event: { code: number }) => void) | null = null;

  constructor(
    readonly url: string,
    readonly protocols: string[],
  ) {
    FakeSocket.all.push(this);
  }

  send(data: string): void {
    this.sent.push(JSON.parse(data));
  }

  close(code: number): void {
    this.closedWith = code;
    this.readyState = 3;
  }

  // Test side: what the server and the network do.
  serverOpens(): void {
    this.readyState = 1;
    this.onopen?.();
  }

  serverSends(frame: object | string): void {
    this.onmessage?.({ data: typeof frame === "string" ? frame : JSON.stringify(frame) });
  }

  serverCloses(code: number): void {
    this.readyState = 3;
    this.onclose?.({ code });
  }
}

const latest = (): FakeSocket => {
  const socket = FakeSocket.all[FakeSocket.all.length - 1];
  if (!socket) throw new Error("no socket");
  return socket;
};

/** Closes the latest socket as the network would, `times` sockets in a row, each followed by its retry. */
function failSockets(times: number): void {
  for (let i = 0; i < times; i += 1) {
    latest().serverCloses(1006);
    vi.runOnlyPendingTimers();
  }
}

/** The latest socket opens and the server answers on it. */
function answer(socket: FakeSocket = latest()): void {
  socket.serverOpens();
  socket.serverSends({ type: "ready" });
}

const made: Connection[] = [];

function connection(overrides: Partial<ConstructorParameters<typeof Connection>[0]> = {}) {
  const frames: { type: string }[] = [];
  const statuses: ConnectionStatus[] = [];
  const conn = new Connection({
    url: () => "ws://test/ws/agent/",
    WebSocket: FakeSocket as unknown as WebSocketClass,
    random: () => 0.5,
    onFrame: (frame) => frames.push(frame),
    onStatus: (status) => statuses.push(status),
    ...overrides,
  });
  made.push(conn);
  return { conn, frames, statuses };
}

describe("Connection", () => {
  beforeEach(() => {
    FakeSocket.all = [];
    vi.useFakeTimers();
  });
  afterEach(() => {
    for (const conn of made.splice(0)) conn.stop();
    vi.useRealTimers();
  });

  it("opens a parley.v1 socket, hands frames over and sends", () => {
    const onOpen = vi.fn();
    const { conn, frames, statuses } = connection({ onOpen });
    conn.start();
    const socket = latest();
    expect(socket.url).toBe("ws://test/ws/agent/");
    expect(socket.protocols).toEqual(["parley.v1"]);
    expect(conn.send({ type: "ping" })).toBe(false);
    socket.serverOpens();
    expect(onOpen).toHaveBeenCalledOnce();
    expect(conn.isOpen).toBe(true);
    socket.serverSends({ type: "ready" });
    socket.serverSends("not json");
    socket.serverSends({ no: "type" });
    expect(frames).toEqual([{ type: "ready" }]);
    expect(conn.send({ type: "sync" })).toBe(true);
    expect(socket.sent).toEqual([{ type: "sync" }]);
    expect(statuses).toEqual(["connecting", "open"]);
    expect(conn.generation).toBe(1);
  });

  it("reconnects with growing jittered backoff", () => {
    const { conn, statuses } = connection();
    conn.start();
    latest().serverCloses(1006);
    expect(statuses[statuses.length - 1]).toBe("offline");
    // attempt 0: 0.5 * 500 ms
    vi.advanceTimersByTime(249);
    expect(FakeSocket.all).toHaveLength(1);
    vi.advanceTimersByTime(1);
    expect(FakeSocket.all).toHaveLength(2);
    latest().serverCloses(1006);
    // attempt 1: 0.5 * 1000 ms
    vi.advanceTimersByTime(499);
    expect(FakeSocket.all).toHaveLength(2);
    vi.advanceTimersByTime(1);
    expect(FakeSocket.all).toHaveLength(3);
    expect(conn.generation).toBe(3);
  });

  it("starts from the shortest delay again once a socket answered", () => {
    connection().conn.start();
    failSockets(3);
    answer();
    latest().serverCloses(1006);
    vi.advanceTimersByTime(250);
    expect(FakeSocket.all).toHaveLength(5);
  });

  it("reconnects within a second on going-away closes of a healthy socket", () => {
    connection().conn.start();
    failSockets(5);
    answer();
    latest().serverCloses(4012);
    vi.advanceTimersByTime(500);
    expect(FakeSocket.all).toHaveLength(7);
  });

  it("reconnects within a second when an agent's access changed (4003)", () => {
    connection().conn.start();
    failSockets(5);
    answer();
    latest().serverCloses(4003);
    vi.advanceTimersByTime(500);
    expect(FakeSocket.all).toHaveLength(7);
  });

  it("stops on 4401 unless the owner renews the credentials", () => {
    const onUnauthorized = vi.fn(() => false);
    const { conn, statuses } = connection({ onUnauthorized });
    conn.start();
    latest().serverCloses(4401);
    expect(onUnauthorized).toHaveBeenCalledWith(4401);
    expect(statuses[statuses.length - 1]).toBe("stopped");
    vi.runAllTimers();
    expect(FakeSocket.all).toHaveLength(1);
    expect(conn.send({ type: "ping" })).toBe(false);

    const renewed = connection({ onUnauthorized: () => true });
    renewed.conn.start();
    latest().serverCloses(4403);
    vi.runOnlyPendingTimers();
    expect(FakeSocket.all).toHaveLength(3);
  });

  it("asks an async URL factory before every socket and retries when it fails", async () => {
    let calls = 0;
    const url = vi.fn(() => (++calls === 1 ? Promise.reject(new Error("offline")) : Promise.resolve(`ws://test/${calls}`)));
    const { conn } = connection({ url });
    conn.start();
    await vi.advanceTimersByTimeAsync(0);
    expect(FakeSocket.all).toHaveLength(0);
    await vi.advanceTimersByTimeAsync(250);
    expect(latest().url).toBe("ws://test/2");
  });

  it("pings, and replaces a socket whose pong does not come", () => {
    const { conn } = connection({ pingIntervalMs: 1000, pongTimeoutMs: 500 });
    conn.start();
    const socket = latest();
    answer(socket);
    vi.advanceTimersByTime(1000);
    expect(socket.sent).toEqual([{ type: "ping" }]);
    socket.serverSends({ type: "pong" });
    vi.advanceTimersByTime(1000);
    expect(socket.sent).toHaveLength(2);
    vi.advanceTimersByTime(500);
    expect(socket.closedWith).toBe(1000);
    expect(socket.onmessage).toBeNull();
    vi.runOnlyPendingTimers();
    expect(FakeSocket.all).toHaveLength(2);
  });

  it("shows a server that stops answering as offline within 10 s, with the default timings", () => {
    const { conn, statuses } = connection();
    conn.start();
    const socket = latest();
    answer(socket);
    // Busy: every frame restarts the wait, so no ping goes out.
    for (let i = 0; i < 4; i += 1) {
      vi.advanceTimersByTime(4_000);
      socket.serverSends({ type: "inbox.update" });
    }
    expect(socket.sent).toEqual([]);
    // The server stops answering (SIGSTOP): a ping after 5 s quiet, dead 4 s later.
    vi.advanceTimersByTime(5_000);
    expect(socket.sent).toEqual([{ type: "ping" }]);
    vi.advanceTimersByTime(3_999);
    expect(statuses[statuses.length - 1]).toBe("open");
    vi.advanceTimersByTime(1);
    expect(socket.closedWith).toBe(1000);
    expect(statuses[statuses.length - 1]).toBe("offline");
    vi.runOnlyPendingTimers();
    expect(FakeSocket.all).toHaveLength(2);
  });

  it("gives up within 10 s on a new socket that never answers, with the default timings", () => {
    const { conn } = connection();
    conn.start();
    latest().serverOpens();
    vi.advanceTimersByTime(8_999);
    expect(latest().closedWith).toBeNull();
    vi.advanceTimersByTime(1);
    expect(latest().closedWith).toBe(1000);
  });

  it("gives up on a socket that never sends a frame", () => {
    const { conn } = connection({ firstFrameTimeoutMs: 2000 });
    conn.start();
    latest().serverOpens();
    vi.advanceTimersByTime(2000);
    expect(latest().closedWith).toBe(1000);
    vi.runOnlyPendingTimers();
    expect(FakeSocket.all).toHaveLength(2);
  });

  it("ignores late events of a dropped socket and closes for good on stop", () => {
    const { conn, frames, statuses } = connection();
    conn.start();
    const first = latest();
    const onmessage = first.onmessage;
    first.serverCloses(1006);
    onmessage?.({ data: JSON.stringify({ type: "ready" }) });
    expect(frames).toEqual([]);
    vi.runOnlyPendingTimers();
    conn.stop();
    expect(latest().closedWith).toBe(1000);
    expect(statuses[statuses.length - 1]).toBe("stopped");
    vi.runAllTimers();
    expect(FakeSocket.all).toHaveLength(2);
  });

  it("cuts a backoff wait short when the browser is back online", () => {
    const { conn } = connection();
    conn.start();
    failSockets(6);
    latest().serverCloses(1006);
    expect(FakeSocket.all).toHaveLength(7);
    window.dispatchEvent(new Event("online"));
    expect(FakeSocket.all).toHaveLength(8);
    conn.stop();
  });
});
