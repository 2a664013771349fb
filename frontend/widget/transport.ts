// The visitor's connection: a session over HTTP, then one WebSocket speaking parley.v1.
// It never reloads the page: it reconnects with jittered backoff and resumes from the seq held.
// (Its own small socket loop, not shared/connection.ts: it lives in the loader, whose budget is tight.)

import { BACKOFF_BASE_MS, BACKOFF_MAX_MS } from "../shared/backoff";
import { CLOSE_NORMAL, isLoginCode, RECONNECT_AT_ONCE } from "../shared/close-codes";
import type {
  Conversation,
  IdentityClaim,
  SessionResponse,
  VisitorClientFrame,
  VisitorServerFrame,
} from "../shared/protocol";
import { emit } from "./events";
import { fetchJSON } from "./http";
import { load, save } from "./storage";
import { currentConversation, highestSeq, keepMark, keepMessages, resetConversation } from "./store";
import type { ConnectionState } from "./types";

// Nothing heard for PING_IDLE: ping; nothing heard PONG_DEADLINE after that: the socket is dead even if
// the browser has not noticed (a stopped server keeps TCP open), so a hung server shows within 10 s.
// The same deadline covers a handshake that never answers (a black-holed network).
const PING_IDLE = 5e3;
const PONG_DEADLINE = 4e3;

type Timer = ReturnType<typeof setTimeout>;

let sessionUrl = "";
// Set by this page's first session answer: until then, no socket.
let socketUrl = "";
let tokenKey = "";
let token: string | null = null;
let socket: WebSocket | null = null;
let sessionPending = false;
let transportStarted = false;
let connectionState: ConnectionState = "connecting";
let failedAttempts = 0;
/** The visitor's latest conversation as the server last described it (the panel walks its previous_id). */
export let latestConversation: Conversation | null = null;
let retryTimer: Timer | undefined;
let deadlineTimer: Timer | undefined;
// What the page said of its visitor (Parley('identify')), sent with every session request.
let identity: IdentityClaim | null = null;
// The visitor of this page's last session: another one means nothing shown so far is theirs.
let visitorId = "";
// Counts identify and reset: a session asked for before the last of them is not this visitor's.
let sessionRound = 0;

// Returns whether this browser already holds a visitor token for the site.
export function configureTransport(siteUrl: string, storagePrefix: string): boolean {
  sessionUrl = siteUrl + "/session";
  tokenKey = storagePrefix + "token";
  return !!(token = load(tokenKey));
}

export function currentState(): ConnectionState {
  return connectionState;
}

export function startTransport(): void {
  if (transportStarted) return;
  transportStarted = true;
  // Back online: reconnect now, not at the end of a backoff (a socket that looked alive may
  // have died with the old network, so it is replaced too).
  addEventListener("online", () => {
    failedAttempts = 0;
    dropSocket();
    connect();
  });
  connect();
}

// Emitted also when unchanged (a retry that failed again): listeners redraw only what differs.
function setState(state: ConnectionState): void {
  emit("state", (connectionState = state));
}

// The first connection of a page asks for a session, which also renews a stored token (sliding
// expiry); reconnections reuse the token until the server refuses it (4401).
function connect(): void {
  clearTimeout(retryTimer);
  if (socket || sessionPending) return;
  if (token && socketUrl) return openSocket();
  sessionPending = true;
  const round = sessionRound;
  fetchJSON<SessionResponse>(sessionUrl, { visitor_token: token || null, page_url: location.href, identity }).then(
    (session) => {
      if (round != sessionRound) return;
      sessionPending = false;
      save(tokenKey, (token = session.visitor_token));
      if (session.identity?.error) console.warn("Parley:", session.identity.error.message);
      if (visitorId && visitorId != session.visitor_id) {
        resetConversation(null);
        emit("visitor");
      }
      visitorId = session.visitor_id;
      // The server that served this script answers the session, so it always names the socket.
      socketUrl = session.socket_url;
      openSocket();
    },
    () => {
      if (round != sessionRound) return;
      sessionPending = false;
      retryLater(backoff());
    },
  );
}

function openSocket(): void {
  const opened = (socket = new WebSocket(socketUrl, ["parley.v1"]));
  // The token travels in the first frame, never in the URL (URLs end up in logs).
  // connect() opens a socket only with a token in hand. last_seq belongs to conversation_id: when a
  // newer conversation exists, `ready` carries that one from its start.
  opened.onopen = () =>
    sendFrame({ type: "hello", token: token!, last_seq: highestSeq(), conversation_id: currentConversation, page_url: location.href });
  opened.onmessage = (event) => {
    watch();
    let frame = {} as VisitorServerFrame;
    try {
      frame = JSON.parse(event.data);
    } catch {
      // Not JSON: nothing this client understands.
    }
    handleFrame(frame);
  };
  opened.onclose = (event) => socketClosed(event.code);
  watch();
}

// Parley('identify', {...}): a changed identity asks for a new session (the contact's visitor, when
// verified) and reconnects with it.
export function identify(claim: unknown): void {
  if (JSON.stringify(claim) != JSON.stringify(identity)) {
    identity = claim as IdentityClaim;
    renew();
  }
}

// Parley('reset'), at logout: a new anonymous visitor; what was unsent or drafted is dropped.
export function resetVisitor(): void {
  identity = null;
  save(tokenKey, (token = ""));
  emit("reset");
  renew();
}

function renew(): void {
  sessionRound++;
  sessionPending = false;
  socketUrl = "";
  dropSocket();
  if (transportStarted) connect();
}

// Detached before closing, so a dead socket's late events cannot touch the next one.
function dropSocket(): void {
  clearTimeout(deadlineTimer);
  if (socket) {
    socket.onopen = socket.onmessage = socket.onclose = null;
    socket.close();
    socket = null;
  }
}

function socketClosed(code: number): void {
  dropSocket();
  setState("offline");
  // What shared/close-codes.ts's closeAction says, tested directly.
  if (code === CLOSE_NORMAL) return;
  if (isLoginCode(code)) {
    // Bad token, or one for another site: become a new visitor rather than retry forever.
    save(tokenKey, (token = ""));
    resetConversation(null);
  }
  // Going away or fan-out back after an outage: another process answers now. Reconnect within a
  // second, jittered so a whole process's visitors do not arrive at once.
  retryLater(RECONNECT_AT_ONCE.has(code) ? 1e3 * Math.random() : backoff());
}

// Full jitter (anywhere in 0..ceiling) spreads the reconnects of thousands of widgets after a
// server restart. (shared/backoff.ts's backoffDelay, with its options, does not fit the loader's budget.)
function backoff(): number {
  return Math.random() * Math.min(BACKOFF_MAX_MS, BACKOFF_BASE_MS * 2 ** failedAttempts++);
}

function retryLater(delay: number): void {
  clearTimeout(retryTimer);
  retryTimer = setTimeout(connect, delay);
}

// Every frame heard restarts the wait, so a busy socket sends no ping. The ping names the page: with the
// chat closed (no panel, whose check runs every second), it is how agents follow a single-page app's routes.
function watch(): void {
  clearTimeout(deadlineTimer);
  deadlineTimer = setTimeout(() => {
    sendFrame({ type: "ping", page_url: location.href, page_title: document.title });
    deadlineTimer = setTimeout(() => socketClosed(1006), PONG_DEADLINE);
  }, PING_IDLE);
}

export function sendFrame(frame: VisitorClientFrame): void {
  if (socket?.readyState === 1) socket.send(JSON.stringify(frame));
}

// Every caller has just adopted a conversation.
function requestSync(afterSeq: number): void {
  sendFrame({ type: "sync", conversation_id: currentConversation!, after_seq: afterSeq });
}

// A newer conversation (the earlier one's messages stay above it), or another visitor after 4401.
function adoptConversation(id: string | null | undefined): void {
  if (id !== currentConversation) resetConversation(id as string | null);
}

function handleFrame(frame: VisitorServerFrame): void {
  if (frame.type === "ready") {
    const conversation = (latestConversation = frame.conversation);
    failedAttempts = 0;
    adoptConversation(conversation && conversation.id);
    if (conversation) {
      keepMark("visitor", conversation.visitor_last_read_seq);
      keepMark("agent", conversation.agent_last_read_seq);
    }
    keepMessages(frame.messages);
    // `ready` carries one page at most: the rest comes by sync.
    if (conversation && conversation.last_seq > highestSeq()) requestSync(highestSeq());
    setState("online");
  } else if (frame.type === "message.new" || frame.type === "message.ack") {
    // A seq beyond the next one means frames were missed. (Error frames have a `message` too.)
    const message = frame.message;
    adoptConversation(message.conversation_id);
    if (message.seq > highestSeq() + 1) requestSync(highestSeq());
    keepMessages([message]);
  } else if (frame.type === "conversation.started") {
    adoptConversation((latestConversation = frame.conversation).id);
    requestSync(highestSeq());
  } else if (frame.type === "history") {
    // Only messages of the current conversation are kept.
    keepMessages(frame.messages);
  } else if (frame.type === "read" && frame.conversation_id === currentConversation) {
    keepMark(frame.reader, frame.seq);
  }
  // Every frame may change what is shown; the panel also settles its outbox from them.
  emit(frame.type, frame);
}
