// The agent socket: one WebSocket at a time, keepalive pings, reconnection with backoff and jitter.

const PING_INTERVAL_MS = 25_000;
const PONG_TIMEOUT_MS = 10_000;
const BACKOFF_BASE_MS = 500;
const BACKOFF_CAP_MS = 30_000;

// Closes after which the server is ready again at once: a process going away (4001; 1001 from a proxy)
// or live fan-out coming back after an outage (4012; 1012), when the console must resume.
export const RECONNECT_AT_ONCE = new Set([4001, 4012, 1001, 1012]);
export const CLOSE_NOT_AUTHENTICATED = 4401;

/** Full jitter: a random delay between 0 and min(cap, base * 2^attempt). */
export function backoffDelay(attempt, random = Math.random) {
  return Math.floor(random() * Math.min(BACKOFF_CAP_MS, BACKOFF_BASE_MS * 2 ** attempt));
}

export class Connection {
  /**
   * @param {object} options
   * @param {string} options.url              ws(s)://host/ws/agent/
   * @param {string} options.protocol         the subprotocol to offer (parley.v1)
   * @param {(frame: object) => void} options.onFrame
   * @param {(state: "connecting"|"open"|"offline") => void} options.onState
   * @param {(code: number) => void} options.onUnauthorized   close 4401: stop and send the agent to log in
   */
  constructor({ url, protocol, onFrame, onState, onUnauthorized }) {
    this.url = url;
    this.protocol = protocol;
    this.onFrame = onFrame;
    this.onState = onState;
    this.onUnauthorized = onUnauthorized;
    this.socket = null;
    this.attempt = 0;
    this.generation = 0; // increases with every socket, so callers can tell sockets apart
    this.stopped = false;
    this.retryTimer = null;
    this.pingTimer = null;
    this.pongTimer = null;
    this.receivedOnSocket = false;
    window.addEventListener("online", () => {
      if (this.retryTimer !== null) this.reconnectNow();
    });
  }

  /** Open the first socket. */
  start() {
    this.connect();
  }

  /** Whether a frame can be sent now. */
  get isOpen() {
    return this.socket !== null && this.socket.readyState === WebSocket.OPEN;
  }

  /** Send a frame; false when the socket is not open (the caller keeps what must be retried). */
  send(frame) {
    if (!this.isOpen) return false;
    try {
      this.socket.send(JSON.stringify(frame));
      return true;
    } catch {
      return false;
    }
  }

  connect() {
    this.clearRetry();
    this.generation += 1;
    this.receivedOnSocket = false;
    this.onState("connecting");
    let socket;
    try {
      socket = new WebSocket(this.url, [this.protocol]);
    } catch {
      this.scheduleReconnect(false);
      return;
    }
    this.socket = socket;
    socket.addEventListener("open", () => {
      if (socket !== this.socket) return;
      this.onState("open");
      this.startKeepalive();
    });
    socket.addEventListener("message", (event) => {
      if (socket !== this.socket) return;
      this.handleMessage(event.data);
    });
    socket.addEventListener("close", (event) => {
      if (socket !== this.socket) return;
      this.handleClose(event.code);
    });
    // "error" is always followed by "close"; nothing to do here.
  }

  handleMessage(data) {
    if (typeof data !== "string") return;
    let frame;
    try {
      frame = JSON.parse(data);
    } catch {
      return;
    }
    if (!frame || typeof frame !== "object" || typeof frame.type !== "string") return;
    if (!this.receivedOnSocket) {
      // The server answered: this socket is healthy, so the next outage starts from the shortest delay.
      this.receivedOnSocket = true;
      this.attempt = 0;
    }
    if (frame.type === "pong") {
      this.clearPongTimer();
      return;
    }
    this.onFrame(frame);
  }

  handleClose(code) {
    const healthy = this.receivedOnSocket;
    this.dropSocket();
    if (code === CLOSE_NOT_AUTHENTICATED) {
      this.stopped = true;
      this.onState("offline");
      this.onUnauthorized(code);
      return;
    }
    this.scheduleReconnect(RECONNECT_AT_ONCE.has(code) && healthy);
  }

  /** Forget the current socket (closing it if it is still there) and stop its timers. */
  dropSocket() {
    this.stopKeepalive();
    const socket = this.socket;
    this.socket = null;
    if (socket && socket.readyState !== WebSocket.CLOSED && socket.readyState !== WebSocket.CLOSING) {
      try {
        socket.close();
      } catch {
        // already gone
      }
    }
  }

  scheduleReconnect(immediately) {
    if (this.stopped) return;
    this.clearRetry();
    this.onState("offline");
    const delay = immediately ? 0 : backoffDelay(this.attempt);
    this.attempt += 1;
    this.retryTimer = window.setTimeout(() => {
      this.retryTimer = null;
      this.connect();
    }, delay);
  }

  /** Skip the rest of a backoff wait (the browser says the network is back). */
  reconnectNow() {
    if (this.stopped || this.socket !== null) return;
    this.connect();
  }

  clearRetry() {
    if (this.retryTimer !== null) {
      window.clearTimeout(this.retryTimer);
      this.retryTimer = null;
    }
  }

  startKeepalive() {
    this.stopKeepalive();
    this.pingTimer = window.setInterval(() => this.ping(), PING_INTERVAL_MS);
  }

  ping() {
    if (!this.send({ type: "ping" })) return;
    if (this.pongTimer === null) {
      this.pongTimer = window.setTimeout(() => {
        this.pongTimer = null;
        // No answer: the connection is dead even if the browser has not noticed. Start over.
        this.dropSocket();
        this.scheduleReconnect(false);
      }, PONG_TIMEOUT_MS);
    }
  }

  clearPongTimer() {
    if (this.pongTimer !== null) {
      window.clearTimeout(this.pongTimer);
      this.pongTimer = null;
    }
  }

  stopKeepalive() {
    if (this.pingTimer !== null) {
      window.clearInterval(this.pingTimer);
      this.pingTimer = null;
    }
    this.clearPongTimer();
  }
}
