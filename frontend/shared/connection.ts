// One WebSocket at a time speaking parley.v1, kept alive: reconnection with backoff and jitter, a ping when
// the socket has been quiet and a deadline for its answer (a hung server shows within 10 s), and the
// close-code policy of close-codes.ts.
// The owner speaks the protocol (hello, ready, resume); this class only keeps a healthy socket.

import { type BackoffOptions, backoffDelay } from "./backoff";
import { connectionCloseAction, CLOSE_ABNORMAL, CLOSE_NORMAL } from "./close-codes";
import type { Ping } from "./protocol";

export const SUBPROTOCOL = "parley.v1";
const SOCKET_OPEN = 1;
// Nothing heard for PING_IDLE_MS: ping; no answer within PONG_TIMEOUT_MS: the socket is dead even if the
// browser has not noticed (a stopped server keeps its TCP connections open). Every frame restarts the
// wait, so a busy socket sends no ping; docs/protocol.md "Client rules" (dead within 10 s).
export const PING_IDLE_MS = 5_000;
export const PONG_TIMEOUT_MS = 4_000;
// A socket that sends nothing this long after it was created (a black-holed handshake) counts as dead.
const FIRST_FRAME_TIMEOUT_MS = PING_IDLE_MS + PONG_TIMEOUT_MS;
// The ceiling of the jitter on a "reconnect-now" close, so a whole process's clients do not arrive at once.
const RECONNECT_NOW_JITTER_MS = 1_000;

/** connecting: a socket is being opened; open: it is open; offline: waiting to reconnect; stopped: for good. */
export type ConnectionStatus = "connecting" | "open" | "offline" | "stopped";

export type WebSocketClass = new (url: string, protocols?: string | string[]) => WebSocket;

export interface ConnectionOptions<F> {
  /** The socket URL, asked before every socket; may be async (the visitor fetches a session first). */
  url: () => string | Promise<string>;
  /** Every frame the server sends, parsed (a JSON object with a string `type`), except `pong`. */
  onFrame: (frame: F) => void;
  /** The socket opened: send the first frame here (the visitor's `hello`). */
  onOpen?: () => void;
  onStatus?: (status: ConnectionStatus) => void;
  /**
   * Close 4401/4403: the credentials were refused. Return true to reconnect (the owner dropped them and
   * `url` gets new ones); otherwise the connection stops (the agent is sent to log in).
   */
  onUnauthorized?: (code: number) => boolean | void;
  WebSocket?: WebSocketClass;
  protocol?: string;
  backoff?: BackoffOptions;
  random?: () => number;
  /** Quiet this long (nothing heard), the connection pings. */
  pingIntervalMs?: number;
  pongTimeoutMs?: number;
  firstFrameTimeoutMs?: number;
}

type Timer = ReturnType<typeof setTimeout>;

/** F: the frames the server sends; O: those the owner sends (the connection itself sends `ping`). */
export class Connection<F extends { type: string } = { type: string }, O extends { type: string } = { type: string }> {
  private readonly options: ConnectionOptions<F>;
  private socket: WebSocket | null = null;
  private attempt = 0;
  private generationCount = 0;
  private started = false;
  private stopped = false;
  private opening = false;
  private receivedOnSocket = false;
  private retryTimer: Timer | null = null;
  private pingTimer: Timer | null = null;
  private deadlineTimer: Timer | null = null;

  constructor(options: ConnectionOptions<F>) {
    this.options = options;
  }

  /** Opens the first socket (once). Back online, a pending backoff wait is cut short. */
  start(): void {
    if (this.started || this.stopped) return;
    this.started = true;
    globalThis.addEventListener?.("online", this.onOnline);
    this.connect();
  }

  /** Closes the socket and never reconnects. */
  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    globalThis.removeEventListener?.("online", this.onOnline);
    this.clearRetry();
    this.dropSocket();
    this.setStatus("stopped");
  }

  /** Increases with every socket, so callers can tell what was sent or received on which. */
  get generation(): number {
    return this.generationCount;
  }

  /** Whether a frame can be sent now. */
  get isOpen(): boolean {
    return this.socket !== null && this.socket.readyState === SOCKET_OPEN;
  }

  /** Sends a frame; false when the socket is not open (the caller keeps what must be sent again). */
  send(frame: O | Ping): boolean {
    if (!this.socket || !this.isOpen) return false;
    try {
      this.socket.send(JSON.stringify(frame));
      return true;
    } catch {
      return false;
    }
  }

  /** Reconnects at once, from the shortest backoff, unless a socket is open and has answered. */
  reconnectNow(): void {
    if (this.stopped || !this.started || (this.socket && this.receivedOnSocket)) return;
    this.attempt = 0;
    this.dropSocket();
    this.connect();
  }

  private readonly onOnline = (): void => this.reconnectNow();

  private connect(): void {
    this.clearRetry();
    if (this.stopped || this.opening || this.socket) return;
    this.setStatus("connecting");
    let url: string | Promise<string>;
    try {
      url = this.options.url();
    } catch {
      this.scheduleReconnect(false);
      return;
    }
    if (typeof url === "string") {
      this.open(url);
      return;
    }
    this.opening = true;
    url.then(
      (resolved) => {
        this.opening = false;
        this.open(resolved);
      },
      () => {
        this.opening = false;
        this.scheduleReconnect(false);
      },
    );
  }

  private open(url: string): void {
    if (this.stopped || this.socket) return;
    const Socket = this.options.WebSocket ?? WebSocket;
    let socket: WebSocket;
    try {
      socket = new Socket(url, [this.options.protocol ?? SUBPROTOCOL]);
    } catch {
      this.scheduleReconnect(false);
      return;
    }
    this.socket = socket;
    this.generationCount += 1;
    this.receivedOnSocket = false;
    // Late events of a socket already dropped must not touch the next one.
    socket.onopen = () => {
      if (socket !== this.socket) return;
      this.setStatus("open");
      this.options.onOpen?.();
    };
    socket.onmessage = (event: MessageEvent) => {
      if (socket === this.socket) this.receive(event.data);
    };
    socket.onclose = (event: CloseEvent) => {
      if (socket === this.socket) this.closed(event.code);
    };
    this.armDeadline(this.options.firstFrameTimeoutMs ?? FIRST_FRAME_TIMEOUT_MS);
  }

  private receive(data: unknown): void {
    if (typeof data !== "string") return;
    let frame: unknown;
    try {
      frame = JSON.parse(data);
    } catch {
      return;
    }
    if (frame === null || typeof frame !== "object" || typeof (frame as { type?: unknown }).type !== "string") return;
    if (!this.receivedOnSocket) {
      // The server answered: the socket is healthy, and the next outage starts from the shortest delay.
      this.receivedOnSocket = true;
      this.attempt = 0;
    }
    this.heard();
    if ((frame as { type: string }).type === "pong") return;
    this.options.onFrame(frame as F);
  }

  // Any frame proves the socket alive: the wait for the next ping starts again.
  private heard(): void {
    this.clearDeadline();
    if (this.pingTimer !== null) clearTimeout(this.pingTimer);
    this.pingTimer = setTimeout(() => this.ping(), this.options.pingIntervalMs ?? PING_IDLE_MS);
  }

  private ping(): void {
    this.pingTimer = null;
    if (this.deadlineTimer !== null || !this.send({ type: "ping" })) return;
    this.armDeadline(this.options.pongTimeoutMs ?? PONG_TIMEOUT_MS);
  }

  // No answer in time: the socket is dead even if the browser has not noticed.
  private armDeadline(milliseconds: number): void {
    this.clearDeadline();
    this.deadlineTimer = setTimeout(() => {
      this.deadlineTimer = null;
      this.closed(CLOSE_ABNORMAL);
    }, milliseconds);
  }

  private closed(code: number): void {
    const healthy = this.receivedOnSocket;
    this.dropSocket();
    const action = connectionCloseAction(code);
    if (action === "stop") {
      this.stop();
    } else if (action === "login") {
      if (this.options.onUnauthorized?.(code) === true) this.scheduleReconnect(false);
      else this.stop();
    } else {
      this.scheduleReconnect(action === "reconnect-now" && healthy);
    }
  }

  private scheduleReconnect(soon: boolean): void {
    if (this.stopped) return;
    this.clearRetry();
    this.setStatus("offline");
    const random = this.options.random ?? Math.random;
    const delay = soon
      ? Math.floor(random() * RECONNECT_NOW_JITTER_MS)
      : backoffDelay(this.attempt, { random, ...this.options.backoff });
    this.attempt += 1;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      this.connect();
    }, delay);
  }

  /** Forgets the current socket (closing it if still there) and stops its timers. */
  private dropSocket(): void {
    if (this.pingTimer !== null) clearTimeout(this.pingTimer);
    this.pingTimer = null;
    this.clearDeadline();
    const socket = this.socket;
    this.socket = null;
    if (!socket) return;
    socket.onopen = socket.onmessage = socket.onclose = null;
    try {
      socket.close(CLOSE_NORMAL);
    } catch {
      // Already gone.
    }
  }

  private clearRetry(): void {
    if (this.retryTimer !== null) clearTimeout(this.retryTimer);
    this.retryTimer = null;
  }

  private clearDeadline(): void {
    if (this.deadlineTimer !== null) clearTimeout(this.deadlineTimer);
    this.deadlineTimer = null;
  }

  private lastStatus: ConnectionStatus | null = null;

  private setStatus(status: ConnectionStatus): void {
    if (status === this.lastStatus) return;
    this.lastStatus = status;
    this.options.onStatus?.(status);
  }
}
