// The console's behaviour: it owns the socket and the model, turns frames (handlers.ts) and the agent's
// actions into changes of both, and publishes the screen state through the store.
// Wire protocol: docs/protocol.md ("Agent socket"). Behaviour: docs/console.md.

import { newClientId } from "../shared/client-id";
import { Connection, type ConnectionStatus } from "../shared/connection";
import type { AgentClientFrame, AgentServerFrame, ConversationSummary, Preferences } from "../shared/protocol";
import { typingSender, type TypingSender } from "../shared/typing";
import type { ConsoleConfig } from "./config";
import { dispatch, type FrameHandlers } from "./dispatch";
import { codePointLength, utf8Bytes } from "./format";
import { frameHandlers } from "./handlers";
import { ConsoleModel, initialState, type ConsoleState } from "./model";
import { alertFor, Notifier, type Alert } from "./notify";
import * as webPush from "./push";
import type { ConversationState } from "./state/conversations";
import type { InboxSelection, InboxView } from "./state/inbox";
import { STORAGE_KEY, type Reply } from "./state/outbox";
import { Store } from "./store";
import { ERROR_TEXT, REPLY_ERROR, SETTINGS, STATUS } from "./strings";
import { AgentTools } from "./tools";

const REPLY_ERROR_MS = 6_000;
const TOAST_MS = 8_000;
const TOASTS_SHOWN = 4;
const RETRY_AFTER_RATE_LIMIT_MS = 1_500;
const RELATIVE_TIME_REFRESH_MS = 30_000;
// The search is sent once typing pauses this long.
const SEARCH_DEBOUNCE_MS = 250;

/** What the controller needs of a connection (shared/connection.ts; a fake in tests). */
export interface Socket {
  start(): void;
  send(frame: AgentClientFrame): boolean;
  readonly generation: number;
}

export interface SocketCallbacks {
  onFrame: (frame: AgentServerFrame) => void;
  onStatus: (status: ConnectionStatus) => void;
  onUnauthorized: () => void;
}

export interface ControllerOptions {
  config: ConsoleConfig;
  model?: ConsoleModel;
  /** Opens the agent socket (by default a shared Connection to this host). */
  connect?: (callbacks: SocketCallbacks) => Socket;
  /** Whether the agent can see the page (visible and focused): only then is what arrives read. */
  isFocused?: () => boolean;
  /** Leaves for another page (the login page when the session is gone). */
  navigate?: (url: string) => void;
  /** Shows desktop notifications and plays the sound (a Notifier on this browser by default). */
  notifier?: Notifier;
}

/** The conversation a console address names (`#conversation=<id>`, from a push notification's click). */
export function conversationFromHash(hash: string): string | null {
  const match = /^#conversation=([^&]+)$/.exec(hash);
  return match?.[1] ? decodeURIComponent(match[1]) : null;
}

function agentSocket(config: ConsoleConfig, callbacks: SocketCallbacks): Socket {
  const scheme = location.protocol === "https:" ? "wss:" : "ws:";
  return new Connection<AgentServerFrame, AgentClientFrame>({
    url: () => `${scheme}//${location.host}${config.socket_path}`,
    protocol: config.subprotocol,
    onFrame: callbacks.onFrame,
    onStatus: callbacks.onStatus,
    onUnauthorized: callbacks.onUnauthorized,
  });
}

const pageIsFocused = (): boolean => document.visibilityState === "visible" && document.hasFocus();

export class ConsoleController {
  readonly store = new Store<ConsoleState>(initialState());
  readonly model: ConsoleModel;
  readonly config: ConsoleConfig;
  /** The visitor sidebar, canned replies and shortcuts (tools.ts). */
  readonly tools: AgentTools;
  readonly notifier: Notifier;
  /** Generation of the socket that received `conversation.opened` for the open conversation. */
  openedOnSocket: number | null = null;
  private readonly socket: Socket;
  private readonly handlers: FrameHandlers;
  private readonly isFocused: () => boolean;
  private readonly drafts = new Map<string, string>();
  private replyErrorTimer: ReturnType<typeof setTimeout> | undefined;
  private recoveryTimer: ReturnType<typeof setTimeout> | null = null;
  private toastCount = 0;
  /** A conversation to open once the inbox holds it (a notification was clicked before `ready`). */
  private pendingOpen: string | null = null;
  /** Says when this agent types in the open conversation (`typingIn`). */
  private typing: TypingSender | null = null;
  private typingIn: string | null = null;
  private searchTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(options: ControllerOptions) {
    this.config = options.config;
    this.model =
      options.model ?? new ConsoleModel({ agentId: options.config.agent.id, agentName: options.config.agent.name });
    this.isFocused = options.isFocused ?? pageIsFocused;
    this.tools = new AgentTools(this);
    this.handlers = frameHandlers(this);
    this.notifier = options.notifier ?? new Notifier((id) => this.openFromNotification(id));
    const navigate = options.navigate ?? ((url: string) => location.assign(url));
    const callbacks: SocketCallbacks = {
      onFrame: (frame) => dispatch(this.handlers, frame),
      onStatus: (status) => this.onStatus(status),
      onUnauthorized: () => navigate(this.config.login_url),
    };
    this.socket = (options.connect ?? ((cb) => agentSocket(this.config, cb)))(callbacks);
    this.store.set({ statusText: STATUS.connecting, permission: this.notifier.permission() });
    // Someone started or stopped typing, or it expired.
    this.model.typing.onChange = () => this.touch();
  }

  /** Opens the socket and follows the window (focus marks read; another tab's outbox; relative times). */
  start(): void {
    window.addEventListener("focus", () => this.markOpenConversationRead());
    document.addEventListener("visibilitychange", () => this.markOpenConversationRead());
    window.addEventListener("storage", (event) => {
      if (event.key !== null && event.key !== STORAGE_KEY) return;
      this.model.outbox.reload();
      this.touch();
    });
    setInterval(() => this.store.set({ now: Date.now() }), RELATIVE_TIME_REFRESH_MS);
    this.followNotifications();
    this.socket.start();
  }

  /** Opens what a notification's click names: from the address, or from the service worker's message. */
  private followNotifications(): void {
    const fromAddress = conversationFromHash(location.hash);
    if (fromAddress) {
      this.pendingOpen = fromAddress;
      history.replaceState(null, "", location.pathname + location.search);
    }
    navigator.serviceWorker?.addEventListener("message", (event: MessageEvent) => {
      const data = event.data as { type?: unknown; conversation_id?: unknown } | null;
      if (data?.type === "parley.open" && typeof data.conversation_id === "string") {
        this.openFromNotification(data.conversation_id);
      }
    });
    // Browsers let a page play sound only after a gesture: the first click makes the audio context.
    document.addEventListener("pointerdown", () => {
      if (this.state.preferences?.sound) this.notifier.primeSound();
    });
  }

  get state(): ConsoleState {
    return this.store.get();
  }

  get generation(): number {
    return this.socket.generation;
  }

  /** The model changed (and maybe the screen state): render again. */
  touch(patch: Partial<ConsoleState> = {}): void {
    this.store.set({ now: Date.now(), ...patch, revision: this.state.revision + 1 });
  }

  /** Sends a frame once the socket has said `ready`; false when it could not go. */
  send(frame: AgentClientFrame): boolean {
    return this.state.ready && this.socket.send(frame);
  }

  private onStatus(status: ConnectionStatus): void {
    const again = this.state.everReady ? STATUS.reconnecting : STATUS.connecting;
    if (status === "open") {
      // Online only once the server has sent `ready`.
      this.store.set({ link: "connecting", statusText: again });
      return;
    }
    this.openedOnSocket = null;
    if (status === "connecting") this.store.set({ ready: false, link: "connecting", statusText: again });
    else this.store.set({ ready: false, link: "offline", statusText: STATUS.reconnecting });
  }

  // --- Frames the controller sends ---------------------------------------------------------------

  /** Asks for the conversation from the highest seq held. */
  sendOpen(id: string): void {
    this.send({ type: "conversation.open", conversation_id: id, after_seq: this.model.conversations.contiguous(id) });
  }

  /** Sends a reply unless it already went on this socket. */
  sendReply(reply: Reply): void {
    const generation = this.generation;
    if (this.model.outbox.wasSentOn(reply.client_id, generation)) return;
    const sent = this.send({
      type: "message.send",
      conversation_id: reply.conversation_id,
      client_id: reply.client_id,
      body: reply.body,
    });
    if (sent) this.model.outbox.markSent(reply.client_id, generation);
  }

  requestSync(conversation: ConversationState): void {
    if (conversation.syncing) return;
    const after = this.model.conversations.contiguous(conversation.id);
    if (this.send({ type: "sync", conversation_id: conversation.id, after_seq: after })) conversation.syncing = true;
  }

  /** While the open conversation is on screen and the window focused, what the visitor wrote is read. */
  markOpenConversationRead(): void {
    const conversation = this.model.conversations.get(this.state.openId);
    if (!conversation || !conversation.loaded || !this.isFocused()) return;
    const seq = this.model.conversations.contiguous(conversation.id);
    const result = this.model.readMarks.markRead(conversation.id, seq, conversation.messages.values());
    if (result === "none") return;
    // Only what the visitor wrote needs a read mark; the server raises it itself for our own replies.
    if (result === "send") this.send({ type: "conversation.read", conversation_id: conversation.id, seq });
    this.touch();
  }

  /** Re-sends whatever a dropped frame may have carried: unacknowledged replies, the open, a pending sync. */
  scheduleRecovery(): void {
    if (this.recoveryTimer !== null) return;
    this.recoveryTimer = setTimeout(() => {
      this.recoveryTimer = null;
      if (!this.state.ready) return; // `ready` on the next socket redoes everything anyway
      const openId = this.state.openId;
      const openHere = this.openedOnSocket === this.generation;
      for (const reply of this.model.outbox.all()) {
        this.model.outbox.forgetSent(reply.client_id);
        if (reply.conversation_id !== openId || openHere) this.sendReply(reply);
      }
      const conversation = this.model.conversations.get(openId);
      if (!conversation) return;
      if (!openHere) {
        this.sendOpen(conversation.id);
      } else if (this.model.conversations.hasGap(conversation)) {
        conversation.syncing = false;
        this.requestSync(conversation);
      }
    }, RETRY_AFTER_RATE_LIMIT_MS);
  }

  /** Runs `retry` after the server asked to slow down. */
  later(retry: () => void): void {
    setTimeout(retry, RETRY_AFTER_RATE_LIMIT_MS);
  }

  // --- The agent's actions -----------------------------------------------------------------------

  openConversation(id: string, { focusReply = false }: { focusReply?: boolean } = {}): void {
    if (!this.model.conversations.get(id)) return;
    const state = this.state;
    const focus = focusReply ? { replyFocusRequest: state.replyFocusRequest + 1 } : {};
    if (state.openId === id) {
      this.store.set(focus);
      return;
    }
    if (state.openId) {
      this.stopTyping();
      this.drafts.set(state.openId, state.reply);
      this.send({ type: "conversation.leave", conversation_id: state.openId });
    }
    this.openedOnSocket = null;
    clearTimeout(this.replyErrorTimer);
    this.touch({
      ...focus,
      openId: id,
      focusId: id,
      reply: this.drafts.get(id) || "",
      replyError: null,
      threadNotice: null,
      scrollRequest: state.scrollRequest + 1,
    });
    this.sendOpen(id);
  }

  /** Sets this agent online or away (every console of the agent follows, through `presence`). */
  setPresence(status: "online" | "away"): void {
    const self = this.config.agent.id;
    if (!this.send({ type: "presence.set", status }) || self === null) return;
    this.model.presence.set(self, status);
    this.touch();
  }

  closeConversation(): void {
    const id = this.state.openId;
    if (!id) return;
    this.stopTyping();
    this.drafts.set(id, this.state.reply);
    this.send({ type: "conversation.leave", conversation_id: id });
    this.openedOnSocket = null;
    this.touch({
      openId: null,
      threadNotice: null,
      rowFocusRequest: { id, n: (this.state.rowFocusRequest?.n ?? 0) + 1 },
    });
  }

  setReply(text: string): void {
    this.store.set({ reply: text });
    const id = this.state.openId;
    if (!id) return;
    if (this.typingIn !== id) {
      this.stopTyping();
      this.typingIn = id;
      this.typing = typingSender((state) => this.send({ type: "typing", conversation_id: id, state }));
    }
    this.typing?.input(text);
  }

  /** Sent, left or the reply box blurred: the visitor and colleagues stop seeing this agent typing. */
  stopTyping(): void {
    this.typing?.stop();
  }

  // --- The inbox's views, pages and search ------------------------------------------------------

  /** What the inbox shows now. */
  get selection(): InboxSelection {
    return { view: this.state.view, siteFilter: this.state.siteFilter, search: this.state.searchQuery };
  }

  /** Asks for the first page of what the inbox shows (the next one with `more`) when one is due. */
  queryInbox(more = false): void {
    const frame = this.model.inbox.request(this.selection, more);
    if (frame && !this.send(frame)) this.model.inbox.failed();
    this.touch();
  }

  setView(view: InboxView): void {
    this.store.set({ view });
    this.queryInbox();
  }

  setSiteFilter(siteFilter: string): void {
    this.store.set({ siteFilter });
    this.queryInbox();
  }

  /** The search box changed: searched once typing pauses; emptied, the view is back at once. */
  setSearch(text: string): void {
    clearTimeout(this.searchTimer);
    this.store.set({ search: text });
    if (!text.trim()) {
      this.touch({ searchQuery: "" });
      return;
    }
    this.searchTimer = setTimeout(() => {
      this.store.set({ searchQuery: text.trim() });
      this.queryInbox();
    }, SEARCH_DEBOUNCE_MS);
  }

  loadMore(): void {
    this.queryInbox(true);
  }

  /** The inbox row that takes part in the tab order (arrow keys move it). */
  setFocus(focusId: string): void {
    this.store.set({ focusId });
  }

  submitReply(): void {
    const conversation = this.model.conversations.get(this.state.openId);
    if (!conversation) return;
    const body = this.state.reply.trim();
    const max = this.config.message_max_length;
    if (!body) return this.showReplyError(ERROR_TEXT.empty_body ?? "");
    if (codePointLength(body) > max) return this.showReplyError(REPLY_ERROR.tooLong(max));
    const reply: Reply = {
      conversation_id: conversation.id,
      client_id: newClientId(),
      body,
      created_at: new Date().toISOString(),
    };
    if (utf8Bytes(JSON.stringify({ type: "message.send", ...reply })) > this.config.frame_max_bytes) {
      return this.showReplyError(REPLY_ERROR.frameTooLargeLocal);
    }
    clearTimeout(this.replyErrorTimer);
    this.stopTyping();
    this.model.outbox.add(reply);
    this.drafts.delete(conversation.id);
    this.touch({ reply: "", replyError: null, scrollRequest: this.state.scrollRequest + 1 });
    this.sendReply(reply);
  }

  /** Assigns the open conversation (null unassigns); the server answers with `inbox.update`. */
  assign(assigneeId: number | null): void {
    const id = this.state.openId;
    if (id) this.send({ type: "conversation.assign", conversation_id: id, assignee_id: assigneeId });
  }

  /** Resolves or reopens the open conversation; the server answers with `inbox.update`. */
  setStatus(status: "open" | "resolved"): void {
    const id = this.state.openId;
    if (!id) return;
    this.send({ type: status === "resolved" ? "conversation.resolve" : "conversation.reopen", conversation_id: id });
  }

  // --- Notifications (notify.ts, push.ts) --------------------------------------------------------

  /** Opens the conversation a notification was about, once the inbox holds it. */
  openFromNotification(id: string): void {
    if (this.model.conversations.get(id)) {
      this.pendingOpen = null;
      this.openConversation(id, { focusReply: true });
    } else {
      this.pendingOpen = id;
    }
  }

  /** After `ready`: opens the conversation a notification named before the inbox arrived. */
  openPending(): void {
    if (this.pendingOpen && this.model.conversations.get(this.pendingOpen)) this.openFromNotification(this.pendingOpen);
  }

  /** Tells the agent about an inbox row when it calls for it (notify.ts: alertFor). */
  alertAbout(summary: ConversationSummary, isNew: boolean): void {
    const alert = alertFor(summary, { isNew, agentId: this.model.agentId });
    if (alert) this.alert(alert);
  }

  /** Shows an alert as the agent's preferences say. */
  alert(alert: Alert): void {
    const preferences = this.state.preferences;
    if (preferences) this.notifier.alert(alert, preferences);
  }

  /** Changes one preference here at once and on the server (which tells the agent's other consoles). */
  setPreference(name: keyof Preferences, value: boolean): void {
    const preferences = this.state.preferences;
    if (!preferences) return;
    this.store.set({ preferences: { ...preferences, [name]: value }, settingsNotice: null });
    this.send({ type: "preferences.set", [name]: value });
  }

  openSettings(): void {
    this.store.set({ settingsOpen: true, settingsNotice: null, permission: this.notifier.permission() });
  }

  closeSettings(): void {
    this.store.set({ settingsOpen: false, settingsNotice: null });
  }

  /** Desktop notifications on (asking the browser's permission: this runs from the agent's click) or off. */
  async setDesktop(on: boolean): Promise<void> {
    if (on) {
      const permission = await this.notifier.requestPermission();
      this.store.set({ permission });
      if (permission !== "granted") {
        this.store.set({ settingsNotice: permission === "unsupported" ? SETTINGS.unsupported : SETTINGS.blocked });
        return;
      }
    }
    this.setPreference("desktop", on);
  }

  /** Web Push on (subscribing this browser) or off (removing its subscription). */
  async setPush(on: boolean): Promise<void> {
    if (!on) {
      this.setPreference("push", false);
      await webPush.unsubscribe(this.config);
      return;
    }
    if (!webPush.pushSupported(this.config)) {
      this.store.set({ settingsNotice: SETTINGS.pushUnavailable });
      return;
    }
    const permission = await this.notifier.requestPermission();
    this.store.set({ permission });
    if (permission !== "granted") {
      this.store.set({ settingsNotice: SETTINGS.blocked });
      return;
    }
    if (await webPush.subscribe(this.config)) this.setPreference("push", true);
    else this.store.set({ settingsNotice: SETTINGS.pushFailed });
  }

  setSound(on: boolean): void {
    if (on) this.notifier.primeSound();
    this.setPreference("sound", on);
  }

  // --- Feedback ----------------------------------------------------------------------------------

  showReplyError(text: string): void {
    clearTimeout(this.replyErrorTimer);
    this.store.set({ replyError: text });
    this.replyErrorTimer = setTimeout(() => this.hideReplyError(), REPLY_ERROR_MS);
  }

  hideReplyError(): void {
    clearTimeout(this.replyErrorTimer);
    if (this.state.replyError !== null) this.store.set({ replyError: null });
  }

  showThreadNotice(text: string): void {
    this.store.set({ threadNotice: text });
  }

  showToast(title: string, body: string, json: boolean, openId: string | null = null): void {
    this.toastCount += 1;
    const toast = { id: this.toastCount, title, body, json, openId };
    this.store.set({ toasts: [...this.state.toasts, toast].slice(-TOASTS_SHOWN) });
    setTimeout(() => this.dismissToast(toast.id), TOAST_MS);
  }

  dismissToast(id: number): void {
    const toasts = this.state.toasts.filter((toast) => toast.id !== id);
    if (toasts.length !== this.state.toasts.length) this.store.set({ toasts });
  }
}
