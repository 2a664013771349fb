// The visitor's connection: a session over HTTP, then one WebSocket speaking parley.v1.
// It never reloads the page: it reconnects with jittered backoff and resumes from the seq held.

import { emit } from './events.js';
import { fetchJSON } from './http.js';
import { openOutbox, pendingItems, settlePending } from './outbox.js';
import { load, save } from './storage.js';
import { currentConversation, highestSeq, keepMessages, resetConversation } from './store.js';

const PING_INTERVAL = 25e3;
const PONG_TIMEOUT = 1e4;
// A handshake that hangs (black-holed network) counts as failed after this long without `ready`.
const READY_TIMEOUT = 15e3;
const BACKOFF_BASE = 500;
const BACKOFF_CAP = 3e4;

let sessionUrl = '';
// Set by this page's first session answer: until then, no socket.
let socketUrl = '';
let tokenKey = '';
let token = null;
let socket = null;
let sessionPending = false;
let transportStarted = false;
let connectionState = 'connecting';
let failedAttempts = 0;
let helloSeq = 0;
let retryTimer = 0;
let pingTimer = 0;
let deadlineTimer = 0;

// Returns whether this browser already holds a visitor token for the site.
export function configureTransport(siteUrl, storagePrefix) {
  sessionUrl = siteUrl + '/session';
  tokenKey = storagePrefix + 'token';
  openOutbox(storagePrefix + 'outbox');
  return !!(token = load(tokenKey));
}

export function currentState() {
  return connectionState;
}

export function startTransport() {
  if (transportStarted) return;
  transportStarted = true;
  // Back online: reconnect now, not at the end of a backoff (a socket that looked alive may
  // have died with the old network, so it is replaced too).
  addEventListener('online', () => {
    failedAttempts = 0;
    dropSocket();
    connect();
  });
  connect();
}

// Frames sent before `ready` would be refused; the outbox sends them after it instead.
export function transmit(items) {
  if (connectionState === 'online') {
    for (const item of items) sendFrame({ type: 'message.send', client_id: item.client_id, body: item.body });
  }
}

function setState(state) {
  if (state !== connectionState) emit('state', (connectionState = state));
}

// The first connection of a page asks for a session, which also renews a stored token (sliding
// expiry); reconnections reuse the token until the server refuses it (4401).
function connect() {
  clearTimeout(retryTimer);
  if (socket || sessionPending) return;
  if (token && socketUrl) return openSocket();
  sessionPending = true;
  fetchJSON(sessionUrl, { visitor_token: token || null, page_url: location.href }).then(
    (session) => {
      sessionPending = false;
      save(tokenKey, (token = session.visitor_token));
      // The server that served this script answers the session, so it always names the socket.
      socketUrl = session.socket_url;
      openSocket();
    },
    () => {
      sessionPending = false;
      retryLater(backoff());
    },
  );
}

function openSocket() {
  socket = new WebSocket(socketUrl, ['parley.v1']);
  helloSeq = highestSeq();
  // The token travels in the first frame, never in the URL (URLs end up in logs).
  socket.onopen = () => sendFrame({ type: 'hello', token, last_seq: helloSeq, page_url: location.href });
  socket.onmessage = (event) => {
    let frame = {};
    try {
      frame = JSON.parse(event.data);
    } catch (error) {
      // Not JSON: nothing this client understands.
    }
    handleFrame(frame);
  };
  socket.onclose = (event) => socketClosed(event.code);
  armDeadline(READY_TIMEOUT);
}

// Detached before closing, so a dead socket's late events cannot touch the next one.
function dropSocket() {
  clearInterval(pingTimer);
  clearTimeout(deadlineTimer);
  if (socket) {
    socket.onopen = socket.onmessage = socket.onclose = null;
    socket.close();
    socket = null;
  }
}

function socketClosed(code) {
  dropSocket();
  setState('offline');
  if (code === 1000) return;
  if (code === 4401 || code === 4403) {
    // Bad token, or one for another site: become a new visitor rather than retry forever.
    save(tokenKey, (token = ''));
    resetConversation(null);
  }
  // Going away (4001/1001) or fan-out back after an outage (4012/1012): another process answers now.
  // Reconnect within a second, jittered so a whole process's visitors do not arrive at once.
  retryLater([4001, 4012, 1001, 1012].includes(code) ? 1e3 * Math.random() : backoff());
}

function backoff() {
  return Math.min(BACKOFF_CAP, BACKOFF_BASE * 2 ** failedAttempts++);
}

// Full jitter (anywhere in 0..ceiling) spreads the reconnects of thousands of widgets after a
// server restart.
function retryLater(ceiling) {
  clearTimeout(retryTimer);
  retryTimer = setTimeout(connect, Math.random() * ceiling);
}

function armDeadline(milliseconds) {
  clearTimeout(deadlineTimer);
  deadlineTimer = setTimeout(() => socketClosed(1006), milliseconds);
}

function probe() {
  sendFrame({ type: 'ping' });
  armDeadline(PONG_TIMEOUT);
}

function sendFrame(frame) {
  if (socket && socket.readyState === 1) socket.send(JSON.stringify(frame));
}

function requestSync(afterSeq) {
  sendFrame({ type: 'sync', conversation_id: currentConversation, after_seq: afterSeq });
}

// Another conversation (a new one after a resolved one, or another visitor after 4401): start over.
function adoptConversation(id) {
  const changed = id !== currentConversation;
  if (changed) resetConversation(id);
  return changed;
}

function acceptMessages(messages) {
  settlePending(messages || []);
  keepMessages(messages);
}

function handleFrame(frame) {
  const type = frame.type;
  const message = frame.message;
  const conversation = frame.conversation;
  if (type === 'ready') {
    failedAttempts = 0;
    clearTimeout(deadlineTimer);
    pingTimer = setInterval(probe, PING_INTERVAL);
    // hello carried a seq of another conversation: this one's earlier messages were skipped.
    const restarted = adoptConversation(conversation && conversation.id) && helloSeq;
    acceptMessages(frame.messages);
    const afterSeq = restarted ? 0 : highestSeq();
    if (conversation && conversation.last_seq > afterSeq) requestSync(afterSeq);
    setState('online');
    transmit(pendingItems());
  } else if (type === 'message.new' || type === 'message.ack') {
    // A seq beyond the next one means frames were missed. (Error frames have a `message` too.)
    adoptConversation(message.conversation_id);
    if (message.seq > highestSeq() + 1) requestSync(highestSeq());
    acceptMessages([message]);
  } else if (type === 'conversation.started') {
    adoptConversation(conversation.id);
    requestSync(highestSeq());
  } else if (type === 'history' && frame.conversation_id === currentConversation) {
    acceptMessages(frame.messages);
  } else if (type === 'pong') {
    clearTimeout(deadlineTimer);
  }
  // The panel listens for "error" frames.
  emit(type, frame);
  emit('change');
}
