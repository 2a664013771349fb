// Parley agent console: the inbox and the open conversation, kept live over the agent socket.
// Wire protocol: docs/protocol.md ("Agent socket"). Behaviour: docs/console.md.

import { Connection } from "./connection.js";
import { h, hook } from "./dom.js";
import {
  clockTime,
  codePointLength,
  fullTime,
  hashBucket,
  initial,
  isUnread,
  newClientId,
  oneLine,
  relativeTime,
  utf8Bytes,
  visitorLabel,
} from "./format.js";
import { Outbox } from "./outbox.js";

const TITLE = "Parley console";
const RELATIVE_TIME_REFRESH_MS = 30_000;
const REPLY_ERROR_MS = 6_000;
const TOAST_MS = 8_000;
const RETRY_AFTER_RATE_LIMIT_MS = 1_500;
const CATCH_UP_CHECK_MS = 1_500;
const AVATAR_COLOURS = 8;

const ERROR_TEXT = {
  body_too_long: "That reply is too long.",
  empty_body: "Write something before sending.",
  rate_limited: "You are sending too fast. Retrying in a moment…",
  not_found: "This conversation is no longer available.",
  invalid_field: "The server refused that request.",
  internal_error: "The server had a problem. Retrying…",
};

const config = readConfig();

const ui = {
  app: document.querySelector(".app"),
  status: hook("status"),
  statusText: hook("status").querySelector(".status-text"),
  agentName: hook("agent-name"),
  inbox: hook("inbox"),
  inboxEmpty: hook("inbox-empty"),
  inboxLoading: hook("inbox-loading"),
  unreadCount: hook("unread-count"),
  siteFilter: hook("site-filter"),
  thread: hook("thread"),
  threadPlaceholder: hook("thread-placeholder"),
  threadBody: hook("thread-body"),
  threadTitle: hook("thread-title"),
  threadSite: hook("thread-site"),
  threadStatus: hook("thread-status"),
  threadEmail: hook("thread-email"),
  threadUrl: hook("thread-url"),
  threadUrlText: hook("thread-url-text"),
  messages: hook("messages"),
  composer: hook("composer"),
  reply: hook("reply"),
  send: hook("send"),
  replyError: hook("reply-error"),
  back: hook("back"),
  toasts: hook("toasts"),
};

/**
 * One conversation as this page knows it.
 * @typedef {object} Conversation
 * @property {string} id
 * @property {object} summary        the latest ConversationSummary
 * @property {number} lastReadSeq    this agent's read mark, kept locally
 * @property {Map<number, object>} messages  stored messages by seq
 * @property {number} contiguous     highest seq such that 1..seq are all held ("highest held")
 * @property {boolean} loaded        conversation.opened was received at least once
 * @property {boolean} syncing       a sync is in flight
 */

const state = {
  agentId: config.agent.id,
  agentWireName: null, // the name the server puts on this agent's messages (ready.agent.name)
  sites: [],
  siteFilter: "",
  /** @type {Map<string, Conversation>} */
  conversations: new Map(),
  order: [], // conversation ids, newest activity first
  openId: null, // the conversation shown in the thread
  openedOnSocket: null, // generation of the socket that received conversation.opened for openId
  everReady: false,
  ready: false, // the current socket has sent `ready`
  ownClientIds: new Set(), // client_ids of replies sent from this browser
  sentOn: new Map(), // client_id -> socket generation it was last sent on
  drafts: new Map(), // conversation id -> unsent text
  focusId: null, // the inbox item that takes part in the tab order
  replyErrorTimer: null,
};

const outbox = new Outbox();
for (const entry of outbox.all()) state.ownClientIds.add(entry.client_id);

const connection = new Connection({
  url: `${location.protocol === "https:" ? "wss:" : "ws:"}//${location.host}${config.socket_path}`,
  protocol: config.subprotocol || "parley.v1",
  onFrame: handleFrame,
  onState: handleConnectionState,
  onUnauthorized: () => location.assign(config.login_url),
});

// --- Configuration -------------------------------------------------------------------------------

function readConfig() {
  const element = document.getElementById("console-config");
  const parsed = element ? JSON.parse(element.textContent || "{}") : {};
  return {
    agent: { id: parsed.agent?.id ?? null, name: String(parsed.agent?.name ?? "") },
    socket_path: parsed.socket_path || "/ws/agent/",
    subprotocol: parsed.subprotocol || "parley.v1",
    login_url: parsed.login_url || "/console/login/?next=/console/",
    logout_url: parsed.logout_url || "/console/logout/",
    message_max_length: Number(parsed.message_max_length) || 4000,
    frame_max_bytes: Number(parsed.frame_max_bytes) || 16384,
  };
}

// --- Connection state ----------------------------------------------------------------------------

function handleConnectionState(connectionState) {
  if (connectionState === "open") {
    // Online only once the server has sent `ready`.
    setStatus("connecting", state.everReady ? "Reconnecting…" : "Connecting…");
    return;
  }
  state.ready = false;
  state.openedOnSocket = null;
  if (connectionState === "connecting") {
    setStatus("connecting", state.everReady ? "Reconnecting…" : "Connecting…");
  } else {
    setStatus("offline", "Reconnecting…");
  }
  refreshPendingLabels();
}

function setStatus(dataState, text) {
  ui.status.dataset.state = dataState;
  ui.statusText.textContent = text;
}

function send(frame) {
  return state.ready && connection.send(frame);
}

// --- Frames --------------------------------------------------------------------------------------

function handleFrame(frame) {
  switch (frame.type) {
    case "ready":
      return onReady(frame);
    case "conversation.opened":
      return onConversationOpened(frame);
    case "message.new":
      return onMessageNew(frame);
    case "message.ack":
      return onMessageAck(frame);
    case "history":
      return onHistory(frame);
    case "inbox.update":
      return onInboxUpdate(frame);
    case "notification":
      return onNotification(frame);
    case "error":
      return onError(frame);
    default:
      return undefined; // unknown frame types are ignored
  }
}

function onReady(frame) {
  state.ready = true;
  state.everReady = true;
  setStatus("online", "Online");
  if (frame.agent && typeof frame.agent.name === "string") state.agentWireName = frame.agent.name;
  state.sites = Array.isArray(frame.sites) ? frame.sites : [];
  renderSites();
  for (const summary of Array.isArray(frame.inbox) ? frame.inbox : []) {
    upsertConversation(summary, { serverMark: summary.last_read_seq });
  }
  sortOrder();
  ui.inboxLoading.hidden = true;
  renderInbox();
  if (state.openId) {
    const conversation = state.conversations.get(state.openId);
    send({ type: "conversation.open", conversation_id: state.openId, after_seq: conversation ? conversation.contiguous : 0 });
  }
  // Replies for conversations that are not open can go now; the open one's wait for conversation.opened.
  for (const entry of outbox.all()) {
    if (entry.conversation_id !== state.openId) sendEntry(entry);
  }
  refreshPendingLabels();
}

function onConversationOpened(frame) {
  const summary = frame.conversation;
  if (!summary || typeof summary.id !== "string") return;
  const conversation = upsertConversation(summary, { serverMark: summary.last_read_seq });
  conversation.loaded = true;
  addMessages(conversation, frame.messages);
  renderInboxItem(conversation);
  updateTitle();
  if (summary.id !== state.openId) return;
  state.openedOnSocket = connection.generation;
  renderThreadHeader(conversation);
  // The thread already shows what was held; addMessages placed the new ones. Only clear the placeholders.
  for (const placeholder of ui.messages.querySelectorAll(".messages-loading, .messages-notice")) placeholder.remove();
  if (stuckToBottom) scrollToBottom();
  if (frame.has_more || hasGap(conversation)) requestSync(conversation);
  for (const entry of outbox.forConversation(conversation.id)) sendEntry(entry);
  markOpenConversationRead();
}

function onMessageNew(frame) {
  const message = frame.message;
  if (!isMessage(message)) return;
  const conversation = state.conversations.get(message.conversation_id);
  if (!conversation) return;
  const gap = message.seq > conversation.contiguous + 1;
  addMessages(conversation, [message]);
  if (gap && conversation.id === state.openId) requestSync(conversation);
  if (message.author === "visitor" && conversation.id === state.openId) markOpenConversationRead();
}

function onMessageAck(frame) {
  const message = frame.message;
  if (!isMessage(message)) return;
  state.ownClientIds.add(frame.client_id);
  const conversation = state.conversations.get(message.conversation_id);
  outbox.remove(frame.client_id);
  state.sentOn.delete(frame.client_id);
  if (!outbox.all().length && ui.replyError.textContent === ERROR_TEXT.rate_limited) hideReplyError();
  if (!conversation) return;
  const gap = message.seq > conversation.contiguous + 1;
  addMessages(conversation, [message]);
  if (gap && conversation.id === state.openId) requestSync(conversation);
}

function onHistory(frame) {
  const conversation = state.conversations.get(frame.conversation_id);
  if (!conversation) return;
  conversation.syncing = false;
  addMessages(conversation, frame.messages);
  const messages = Array.isArray(frame.messages) ? frame.messages : [];
  if (conversation.id === state.openId && ((frame.has_more && messages.length) || hasGap(conversation))) {
    requestSync(conversation);
  }
  markOpenConversationRead();
}

function onInboxUpdate(frame) {
  const summary = frame.conversation;
  if (!summary || typeof summary.id !== "string") return;
  const conversation = upsertConversation(summary, { serverMark: null });
  moveToTop(conversation.id);
  renderInbox();
  if (conversation.id === state.openId) {
    renderThreadHeader(conversation);
    // message.new normally arrives first; if it went missing, catch up with a sync.
    window.setTimeout(() => {
      if (conversation.id === state.openId && conversation.loaded && conversation.contiguous < (conversation.summary.last_seq || 0)) {
        requestSync(conversation);
      }
    }, CATCH_UP_CHECK_MS);
  }
}

function onNotification(frame) {
  const payload = frame.payload;
  const title = payload && typeof payload.title === "string" ? payload.title : "";
  const body = payload && typeof payload.body === "string" ? payload.body : "";
  if (title || body) showToast(title || "Notification", body, false);
  else showToast("Notification", JSON.stringify(payload ?? null, null, 2), true);
}

function onError(frame) {
  const code = String(frame.code || "");
  const ref = typeof frame.ref === "string" ? frame.ref : null;
  if (ref === null && (code === "rate_limited" || code === "internal_error")) {
    // The server dropped a frame without saying which (it is refused before it is read): redo what may be lost.
    if (state.openId) showReplyError(ERROR_TEXT[code]);
    scheduleRecovery();
    return;
  }
  const entry = ref ? outbox.get(ref) : null;
  if (entry) return onReplyError(entry, code, frame.message);
  if (ref === "conversation.open") {
    if (code === "rate_limited" || code === "internal_error") {
      window.setTimeout(() => {
        if (state.openId && state.openedOnSocket !== connection.generation) {
          const conversation = state.conversations.get(state.openId);
          send({ type: "conversation.open", conversation_id: state.openId, after_seq: conversation ? conversation.contiguous : 0 });
        }
      }, RETRY_AFTER_RATE_LIMIT_MS);
    } else {
      showThreadNotice(code === "not_found" ? ERROR_TEXT.not_found : String(frame.message || ERROR_TEXT.invalid_field));
    }
    return;
  }
  if (ref === "sync") {
    for (const conversation of state.conversations.values()) conversation.syncing = false;
    if (code === "rate_limited" || code === "internal_error") {
      window.setTimeout(() => {
        const conversation = state.openId && state.conversations.get(state.openId);
        if (conversation && hasGap(conversation)) requestSync(conversation);
      }, RETRY_AFTER_RATE_LIMIT_MS);
    }
    return;
  }
  if (ref === "conversation.read" || ref === "ping" || ref === "conversation.leave") return;
  if (code in ERROR_TEXT && state.openId) showReplyError(ERROR_TEXT[code]);
}

let recoveryTimer = null;

/** Re-send whatever a dropped frame may have carried: unacknowledged replies, the open, a pending sync. */
function scheduleRecovery() {
  if (recoveryTimer !== null) return;
  recoveryTimer = window.setTimeout(() => {
    recoveryTimer = null;
    if (!state.ready) return; // `ready` on the next socket redoes everything anyway
    for (const entry of outbox.all()) {
      state.sentOn.delete(entry.client_id);
      if (entry.conversation_id !== state.openId || state.openedOnSocket === connection.generation) sendEntry(entry);
    }
    const conversation = state.openId && state.conversations.get(state.openId);
    if (!conversation) return;
    if (state.openedOnSocket !== connection.generation) {
      send({ type: "conversation.open", conversation_id: conversation.id, after_seq: conversation.contiguous });
    } else if (hasGap(conversation)) {
      conversation.syncing = false;
      requestSync(conversation);
    }
  }, RETRY_AFTER_RATE_LIMIT_MS);
}

function onReplyError(entry, code, message) {
  if (code === "rate_limited" || code === "internal_error") {
    state.sentOn.delete(entry.client_id);
    if (entry.conversation_id === state.openId) showReplyError(ERROR_TEXT[code]);
    window.setTimeout(() => {
      if (outbox.get(entry.client_id)) sendEntry(entry);
    }, RETRY_AFTER_RATE_LIMIT_MS);
    return;
  }
  // The server will never store this one: take it back and say why.
  outbox.remove(entry.client_id);
  state.sentOn.delete(entry.client_id);
  removePendingElement(entry.client_id);
  if (entry.conversation_id !== state.openId) return;
  let text = ERROR_TEXT[code] || String(message || "The reply was not sent.");
  if (code === "body_too_long") text = `That reply is too long (at most ${config.message_max_length} characters).`;
  // Within the character limit but too large as a frame (control characters escape to six bytes each).
  if (code === "frame_too_large") text = "That reply is too long to send.";
  showReplyError(text);
  if (!ui.reply.value.trim() && (code === "body_too_long" || code === "frame_too_large" || code === "invalid_field")) {
    ui.reply.value = entry.body;
  }
}

// --- Conversations -------------------------------------------------------------------------------

function isMessage(message) {
  return (
    message !== null &&
    typeof message === "object" &&
    typeof message.conversation_id === "string" &&
    Number.isInteger(message.seq) &&
    message.seq > 0
  );
}

function upsertConversation(summary, { serverMark }) {
  let conversation = state.conversations.get(summary.id);
  if (!conversation) {
    conversation = {
      id: summary.id,
      summary,
      lastReadSeq: 0,
      messages: new Map(),
      contiguous: 0,
      loaded: false,
      syncing: false,
    };
    state.conversations.set(summary.id, conversation);
    state.order.unshift(summary.id);
  } else {
    // Never let an older summary replace a newer last message.
    const known = conversation.summary.last_message;
    const incoming = summary.last_message;
    conversation.summary = { ...summary };
    if (known && (!incoming || incoming.seq < known.seq)) {
      conversation.summary.last_message = known;
      conversation.summary.last_seq = Math.max(summary.last_seq || 0, known.seq);
    }
  }
  if (Number.isInteger(serverMark)) conversation.lastReadSeq = Math.max(conversation.lastReadSeq, serverMark);
  return conversation;
}

/** Store messages by seq (dropping ones already held) and show the new ones if the conversation is open. */
function addMessages(conversation, messages) {
  if (!Array.isArray(messages)) return;
  const added = [];
  for (const message of messages) {
    if (!isMessage(message) || message.conversation_id !== conversation.id) continue;
    if (conversation.messages.has(message.seq)) {
      // Already held; a pending copy may still need replacing (ack and message.new race).
      if (message.client_id) resolvePending(conversation, conversation.messages.get(message.seq));
      continue;
    }
    conversation.messages.set(message.seq, message);
    if (message.client_id && outbox.get(message.client_id)) {
      outbox.remove(message.client_id);
      state.sentOn.delete(message.client_id);
      state.ownClientIds.add(message.client_id);
    }
    added.push(message);
  }
  while (conversation.messages.has(conversation.contiguous + 1)) conversation.contiguous += 1;
  const last = added.reduce((best, message) => (!best || message.seq > best.seq ? message : best), null);
  const moved = last ? noteLastMessage(conversation, last) : false;
  if (conversation.id === state.openId && added.length) {
    const stick = stuckToBottom || isNearBottom();
    added.sort((a, b) => a.seq - b.seq);
    for (const message of added) placeStoredMessage(conversation, message);
    ui.messages.querySelector(".messages-loading")?.remove();
    if (stick || added.some((message) => isMine(message))) scrollToBottom();
  }
  if (moved) renderInbox();
  else if (added.length) renderInboxItem(conversation);
}

function hasGap(conversation) {
  for (const seq of conversation.messages.keys()) if (seq > conversation.contiguous) return true;
  return conversation.loaded && conversation.contiguous < (conversation.summary.last_seq || 0);
}

function requestSync(conversation) {
  if (conversation.syncing) return;
  if (send({ type: "sync", conversation_id: conversation.id, after_seq: conversation.contiguous })) {
    conversation.syncing = true;
  }
}

/** Keep the inbox preview in step with the newest message held; true when the conversation moved to the top. */
function noteLastMessage(conversation, message) {
  const known = conversation.summary.last_message;
  if (known && known.seq >= message.seq) return false;
  conversation.summary = {
    ...conversation.summary,
    last_message: message,
    last_seq: Math.max(conversation.summary.last_seq || 0, message.seq),
    updated_at: message.created_at || conversation.summary.updated_at,
  };
  moveToTop(conversation.id);
  return true;
}

function moveToTop(id) {
  const index = state.order.indexOf(id);
  if (index === 0) return;
  if (index > 0) state.order.splice(index, 1);
  state.order.unshift(id);
}

function sortOrder() {
  const time = (id) => Date.parse(state.conversations.get(id)?.summary.updated_at || "") || 0;
  state.order.sort((a, b) => time(b) - time(a));
}

function isMine(message) {
  if (message.author !== "agent") return false;
  if (message.agent_id !== undefined && message.agent_id !== null) return message.agent_id === state.agentId;
  if (message.client_id && state.ownClientIds.has(message.client_id)) return true;
  return state.agentWireName !== null && message.author_name === state.agentWireName;
}

function isFocused() {
  return document.visibilityState === "visible" && document.hasFocus();
}

/** While the open conversation is on screen and the window focused, what the visitor wrote is read. */
function markOpenConversationRead() {
  if (!state.openId || !isFocused()) return;
  const conversation = state.conversations.get(state.openId);
  if (!conversation || !conversation.loaded) return;
  const seq = conversation.contiguous;
  if (seq <= conversation.lastReadSeq) return;
  const news = hasVisitorMessageAfter(conversation, conversation.lastReadSeq);
  conversation.lastReadSeq = seq;
  // Only what the visitor wrote needs a read mark; the server raises it itself for our own replies.
  if (news) send({ type: "conversation.read", conversation_id: conversation.id, seq });
  renderInboxItem(conversation);
}

function hasVisitorMessageAfter(conversation, seq) {
  for (const message of conversation.messages.values()) {
    if (message.seq > seq && message.author === "visitor") return true;
  }
  return false;
}

// --- Opening a conversation ----------------------------------------------------------------------

function openConversation(id, { focusReply = false } = {}) {
  const conversation = state.conversations.get(id);
  if (!conversation) return;
  if (state.openId === id) {
    showThreadView();
    if (focusReply) ui.reply.focus();
    return;
  }
  const previous = state.openId;
  if (previous) {
    state.drafts.set(previous, ui.reply.value);
    send({ type: "conversation.leave", conversation_id: previous });
  }
  state.openId = id;
  state.openedOnSocket = null;
  state.focusId = id;
  hideReplyError();
  ui.reply.value = state.drafts.get(id) || "";
  send({ type: "conversation.open", conversation_id: id, after_seq: conversation.contiguous });
  renderThreadHeader(conversation);
  renderThreadMessages(conversation, { scroll: "bottom" });
  renderInbox();
  showThreadView();
  if (focusReply) ui.reply.focus();
}

function closeConversation() {
  if (!state.openId) return;
  const id = state.openId;
  state.drafts.set(id, ui.reply.value);
  send({ type: "conversation.leave", conversation_id: id });
  state.openId = null;
  state.openedOnSocket = null;
  ui.threadBody.hidden = true;
  ui.threadPlaceholder.hidden = false;
  ui.app.dataset.view = "inbox";
  renderInbox();
  inboxButton(id)?.focus();
}

function showThreadView() {
  ui.threadPlaceholder.hidden = true;
  ui.threadBody.hidden = false;
  ui.app.dataset.view = "thread";
}

// --- Sending -------------------------------------------------------------------------------------

function submitReply() {
  const conversation = state.openId && state.conversations.get(state.openId);
  if (!conversation) return;
  const body = ui.reply.value.trim();
  if (!body) {
    showReplyError(ERROR_TEXT.empty_body);
    return;
  }
  if (codePointLength(body) > config.message_max_length) {
    showReplyError(`That reply is too long (at most ${config.message_max_length} characters).`);
    return;
  }
  const entry = {
    conversation_id: conversation.id,
    client_id: newClientId(),
    body,
    created_at: new Date().toISOString(),
  };
  const frameSize = utf8Bytes(JSON.stringify({ type: "message.send", ...entry }));
  if (frameSize > config.frame_max_bytes) {
    showReplyError("That reply is too long to send in one message.");
    return;
  }
  hideReplyError();
  state.ownClientIds.add(entry.client_id);
  outbox.add(entry);
  ui.reply.value = "";
  state.drafts.delete(conversation.id);
  placePendingMessage(entry);
  scrollToBottom();
  sendEntry(entry);
}

function sendEntry(entry) {
  if (state.sentOn.get(entry.client_id) === connection.generation) return; // already sent on this socket
  const ok = send({
    type: "message.send",
    conversation_id: entry.conversation_id,
    client_id: entry.client_id,
    body: entry.body,
  });
  if (ok) state.sentOn.set(entry.client_id, connection.generation);
}

// --- Rendering: inbox ----------------------------------------------------------------------------

const inboxElements = new Map(); // conversation id -> <li>

function renderSites() {
  const label = ui.siteFilter.closest("label");
  const current = state.siteFilter;
  ui.siteFilter.replaceChildren(h("option", { value: "", text: "All sites" }));
  for (const site of state.sites) {
    ui.siteFilter.append(h("option", { value: String(site.id), text: site.name }));
  }
  const known = state.sites.some((site) => String(site.id) === current);
  state.siteFilter = known ? current : "";
  ui.siteFilter.value = state.siteFilter;
  if (label) label.hidden = state.sites.length < 2;
}

function visibleIds() {
  if (!state.siteFilter) return state.order;
  return state.order.filter((id) => String(state.conversations.get(id)?.summary.site?.id) === state.siteFilter);
}

function renderInbox() {
  const ids = visibleIds();
  const active = document.activeElement;
  const focusedId = active && active.dataset && active.dataset.console === "conversation" ? active.dataset.conversationId : null;
  if (!state.focusId || !ids.includes(state.focusId)) state.focusId = state.openId && ids.includes(state.openId) ? state.openId : ids[0] || null;
  const wanted = new Set(ids);
  for (const [id, element] of inboxElements) {
    if (!wanted.has(id)) {
      element.remove();
      inboxElements.delete(id);
    }
  }
  ids.forEach((id, index) => {
    const conversation = state.conversations.get(id);
    let element = inboxElements.get(id);
    if (!element) {
      element = h("li", { class: "inbox-row" }, h("button", { type: "button", dataset: { console: "conversation", conversationId: id } }));
      inboxElements.set(id, element);
    }
    fillInboxItem(element, conversation);
    if (ui.inbox.children[index] !== element) ui.inbox.insertBefore(element, ui.inbox.children[index] || null);
  });
  if (focusedId && document.activeElement !== inboxButton(focusedId)) inboxButton(focusedId)?.focus();
  ui.inboxEmpty.hidden = !state.everReady || ids.length > 0;
  ui.inboxEmpty.textContent = state.order.length
    ? "No conversations for this site yet."
    : "No conversations yet. Open the demo page and say hello.";
  updateTitle();
}

function renderInboxItem(conversation) {
  const element = inboxElements.get(conversation.id);
  if (element) fillInboxItem(element, conversation);
  updateTitle();
}

function inboxButton(id) {
  return inboxElements.get(id)?.querySelector('[data-console="conversation"]') || null;
}

function previewText(summary) {
  const message = summary.last_message;
  if (!message) return "No messages yet";
  const body = oneLine(message.body);
  if (message.author === "agent") {
    const who = isMine(message) ? "You" : message.author_name || "Agent";
    return `${who}: ${body}`;
  }
  return body;
}

function fillInboxItem(element, conversation) {
  const summary = conversation.summary;
  const label = visitorLabel(summary.visitor);
  const unread = isUnread(summary, conversation.lastReadSeq);
  const selected = conversation.id === state.openId;
  const time = summary.last_message?.created_at || summary.updated_at;
  // The button is kept (so keyboard focus survives updates); only its state and content change.
  const button = element.firstElementChild;
  button.className = `conversation${unread ? " is-unread" : ""}${selected ? " is-selected" : ""}`;
  button.dataset.unread = String(unread);
  if (selected) button.setAttribute("aria-current", "true");
  else button.removeAttribute("aria-current");
  button.tabIndex = conversation.id === state.focusId ? 0 : -1;
  button.replaceChildren(
    avatar(label, summary.visitor?.id || conversation.id),
    h(
      "span",
      { class: "conversation-main" },
      h(
        "span",
        { class: "conversation-top" },
        h("span", { class: "conversation-name", text: label }),
        h("time", { class: "conversation-time", datetime: time || null, title: fullTime(time) || null, text: relativeTime(time) }),
      ),
      h(
        "span",
        { class: "conversation-bottom" },
        h("span", { class: "conversation-preview", dataset: { console: "preview" }, text: previewText(summary) }),
        unread ? h("span", { class: "unread-dot" }, h("span", { class: "visually-hidden", text: "Unread" })) : null,
      ),
      h(
        "span",
        { class: "conversation-site" },
        summary.site?.name || "",
        summary.status === "resolved" ? h("span", { class: "tag", text: "Resolved" }) : null,
      ),
    ),
  );
}

function avatar(label, key) {
  return h("span", { class: `avatar avatar-${hashBucket(String(key), AVATAR_COLOURS)}`, "aria-hidden": "true", text: initial(label) });
}

function refreshRelativeTimes() {
  for (const time of ui.inbox.querySelectorAll("time.conversation-time")) {
    const iso = time.getAttribute("datetime");
    if (iso) time.textContent = relativeTime(iso);
  }
}

function unreadTotal() {
  let count = 0;
  for (const conversation of state.conversations.values()) {
    if (isUnread(conversation.summary, conversation.lastReadSeq)) count += 1;
  }
  return count;
}

function updateTitle() {
  const count = unreadTotal();
  const title = count ? `(${count}) ${TITLE}` : TITLE;
  if (document.title !== title) document.title = title;
  ui.unreadCount.hidden = count === 0;
  ui.unreadCount.textContent = count ? String(count) : "";
  ui.unreadCount.setAttribute("aria-label", `${count} unread`);
}

// --- Rendering: thread ---------------------------------------------------------------------------

function renderThreadHeader(conversation) {
  const summary = conversation.summary;
  ui.threadTitle.textContent = visitorLabel(summary.visitor);
  ui.threadSite.textContent = summary.site?.name || "";
  // The title shows the name when there is one; then the email (if any) goes beside the site.
  const email = typeof summary.visitor?.email === "string" ? summary.visitor.email.trim() : "";
  const showEmail = Boolean(email && visitorLabel(summary.visitor) !== email);
  ui.threadEmail.hidden = !showEmail;
  ui.threadEmail.textContent = showEmail ? email : "";
  ui.threadStatus.hidden = summary.status !== "resolved";
  ui.threadStatus.textContent = summary.status === "resolved" ? "Resolved" : "";
  const url = summary.visitor?.last_page_url || "";
  ui.threadUrl.hidden = !url;
  ui.threadUrlText.textContent = url;
  ui.threadUrlText.title = url;
}

function renderThreadMessages(conversation, { scroll }) {
  const items = [...conversation.messages.values()].sort((a, b) => a.seq - b.seq).map((message) => messageElement(conversation, message));
  ui.messages.replaceChildren(...items);
  if (!conversation.loaded && !items.length) {
    ui.messages.append(h("li", { class: "messages-loading", text: "Loading conversation…" }));
  }
  for (const entry of outbox.forConversation(conversation.id)) {
    if (!findStoredByClientId(entry.client_id)) ui.messages.append(pendingElement(entry));
  }
  if (scroll === "bottom") scrollToBottom();
}

function authorName(conversation, message) {
  if (message.author === "visitor") return visitorLabel(conversation.summary.visitor);
  if (message.author === "agent") return message.author_name || "Agent";
  return message.author_name || "Parley";
}

function messageElement(conversation, message) {
  const mine = isMine(message);
  return h(
    "li",
    {
      class: `message message-${message.author}${mine ? " is-mine" : ""}`,
      dataset: { console: "message", author: message.author, seq: String(message.seq), clientId: message.client_id || undefined },
    },
    h(
      "div",
      { class: "message-meta" },
      h("span", { class: "message-author", text: authorName(conversation, message) }),
      h("time", { class: "message-time", datetime: message.created_at, title: fullTime(message.created_at) || null, text: clockTime(message.created_at) }),
    ),
    h("div", { class: "message-body", text: message.body }),
  );
}

function pendingElement(entry) {
  return h(
    "li",
    {
      class: "message message-agent is-mine is-pending",
      dataset: { console: "message", author: "agent", pending: "true", clientId: entry.client_id },
    },
    h(
      "div",
      { class: "message-meta" },
      h("span", { class: "message-author", text: state.agentWireName || config.agent.name || "You" }),
      h("span", { class: "message-time pending-label", text: pendingLabel() }),
    ),
    h("div", { class: "message-body", text: entry.body }),
  );
}

function pendingLabel() {
  return state.ready ? "Sending…" : "Waiting for connection…";
}

function refreshPendingLabels() {
  for (const label of ui.messages.querySelectorAll(".pending-label")) label.textContent = pendingLabel();
}

function placePendingMessage(entry) {
  ui.messages.append(pendingElement(entry));
}

function findStoredByClientId(clientId) {
  for (const element of ui.messages.querySelectorAll('[data-console="message"][data-seq]')) {
    if (element.dataset.clientId === clientId) return element;
  }
  return null;
}

function findPending(clientId) {
  for (const element of ui.messages.querySelectorAll('[data-console="message"][data-pending]')) {
    if (element.dataset.clientId === clientId) return element;
  }
  return null;
}

function removePendingElement(clientId) {
  findPending(clientId)?.remove();
}

/** Put a stored message in seq order, replacing its pending copy when there is one. */
function placeStoredMessage(conversation, message) {
  if (ui.messages.querySelector(`[data-console="message"][data-seq="${message.seq}"]`)) return;
  const element = messageElement(conversation, message);
  const pending = message.client_id ? findPending(message.client_id) : null;
  let before = null;
  for (const child of ui.messages.children) {
    if (child.dataset.pending || (child.dataset.seq && Number(child.dataset.seq) > message.seq)) {
      before = child;
      break;
    }
  }
  if (pending) {
    if (before === pending) pending.replaceWith(element);
    else {
      pending.remove();
      ui.messages.insertBefore(element, before);
    }
  } else {
    ui.messages.insertBefore(element, before);
  }
}

function resolvePending(conversation, message) {
  if (conversation.id !== state.openId || !message) return;
  const pending = findPending(message.client_id);
  if (!pending) return;
  if (findStoredByClientId(message.client_id)) pending.remove();
  else pending.replaceWith(messageElement(conversation, message));
}

function showThreadNotice(text) {
  ui.messages.querySelector(".messages-loading")?.remove();
  ui.messages.append(h("li", { class: "messages-notice", text }));
}

let stuckToBottom = true; // whether the thread follows new messages (the agent has not scrolled up)

function isNearBottom() {
  const list = ui.messages;
  return list.scrollHeight - list.scrollTop - list.clientHeight < 80;
}

function scrollToBottom() {
  ui.messages.scrollTop = ui.messages.scrollHeight;
  stuckToBottom = true;
}

// --- Feedback: reply errors and toasts -----------------------------------------------------------

function showReplyError(text) {
  ui.replyError.textContent = text;
  ui.replyError.hidden = false;
  window.clearTimeout(state.replyErrorTimer);
  state.replyErrorTimer = window.setTimeout(hideReplyError, REPLY_ERROR_MS);
}

function hideReplyError() {
  window.clearTimeout(state.replyErrorTimer);
  ui.replyError.hidden = true;
  ui.replyError.textContent = "";
}

function showToast(title, body, isJson) {
  const close = h("button", { type: "button", class: "toast-close", "aria-label": "Dismiss notification", text: "×" });
  const toast = h(
    "div",
    { class: "toast", role: "status" },
    h("p", { class: "toast-title", text: title }),
    body ? h(isJson ? "pre" : "p", { class: isJson ? "toast-json" : "toast-body", text: body }) : null,
    close,
  );
  const dismiss = () => toast.remove();
  close.addEventListener("click", dismiss);
  window.setTimeout(dismiss, TOAST_MS);
  ui.toasts.append(toast);
  while (ui.toasts.children.length > 4) ui.toasts.firstElementChild.remove();
}

// --- Events --------------------------------------------------------------------------------------

ui.inbox.addEventListener("click", (event) => {
  const button = event.target.closest('[data-console="conversation"]');
  if (button) openConversation(button.dataset.conversationId, { focusReply: true });
});

ui.inbox.addEventListener("keydown", (event) => {
  const button = event.target.closest('[data-console="conversation"]');
  if (!button) return;
  const buttons = [...ui.inbox.querySelectorAll('[data-console="conversation"]')];
  const index = buttons.indexOf(button);
  let next = null;
  if (event.key === "ArrowDown") next = buttons[index + 1];
  else if (event.key === "ArrowUp") next = buttons[index - 1];
  else if (event.key === "Home") next = buttons[0];
  else if (event.key === "End") next = buttons[buttons.length - 1];
  else return;
  event.preventDefault();
  if (!next) return;
  button.tabIndex = -1;
  next.tabIndex = 0;
  state.focusId = next.dataset.conversationId;
  next.focus();
});

ui.siteFilter.addEventListener("change", () => {
  state.siteFilter = ui.siteFilter.value;
  renderInbox();
});

ui.composer.addEventListener("submit", (event) => {
  event.preventDefault();
  submitReply();
});

ui.reply.addEventListener("keydown", (event) => {
  if (event.key === "Enter" && !event.shiftKey && !event.isComposing && event.keyCode !== 229) {
    event.preventDefault();
    submitReply();
  } else if (event.key === "Escape" && ui.app.dataset.view === "thread" && window.matchMedia("(max-width: 760px)").matches) {
    closeConversation();
  }
});

ui.back.addEventListener("click", closeConversation);

ui.messages.addEventListener("scroll", () => {
  stuckToBottom = isNearBottom();
});
if (typeof ResizeObserver === "function") {
  // Keep the newest message in view when the window or the reply box changes size.
  new ResizeObserver(() => {
    if (stuckToBottom) ui.messages.scrollTop = ui.messages.scrollHeight;
  }).observe(ui.messages);
}

window.addEventListener("focus", markOpenConversationRead);
document.addEventListener("visibilitychange", markOpenConversationRead);
window.setInterval(refreshRelativeTimes, RELATIVE_TIME_REFRESH_MS);

updateTitle();
connection.start();
