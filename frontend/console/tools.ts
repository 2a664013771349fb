// The agent tools: the visitor sidebar, canned replies and the keyboard shortcuts' dialog. Their own
// store, so the core console's state stays as it is; frames come through handlers.ts (toolsHandlers).
// Wire protocol: docs/protocol.md ("Agent tools"). Behaviour: docs/console.md ("Agent tools").

import { newClientId } from "../shared/client-id";
import { isRetryable } from "../shared/errors";
import type { Activity, CannedReply, ErrorFrame, PastConversation, VisitorDetail } from "../shared/protocol";
import type { ConsoleController } from "./controller";
import type { FrameHandlers } from "./dispatch";
import { codePointLength } from "./format";
import { RatingsTool, type RatingsFrames } from "./ratings";
import { CannedReplies } from "./state/canned";
import { isTyping, shortcutAction, type KeyLike } from "./shortcuts";
import { Notes, type PendingNote } from "./state/notes";
import { Store } from "./store";
import { ERROR_TEXT, REPLY_ERROR } from "./strings";
import { visibleIds } from "./view";

export type ComposerMode = "reply" | "note";

export interface ToolsState {
  /** The open conversation's visitor, once `visitor.detail` answered. */
  visitor: VisitorDetail | null;
  /** That visitor's conversations, newest first. */
  pastConversations: PastConversation[];
  /** Whether the reply box writes a reply or a private note. */
  mode: ComposerMode;
  /** The highlighted "/shortcut" suggestion. */
  suggestion: number;
  cannedOpen: boolean;
  shortcutsOpen: boolean;
  /** Why the last canned.save or canned.delete was refused, or null. */
  cannedError: string | null;
  /** Increases whenever the canned replies change. */
  cannedRevision: number;
  /** Increases whenever the notes change. */
  notesRevision: number;
  /** Increases when the server stored this console's own canned.save (the dialog's form then closes). */
  cannedSaved: number;
}

type ToolsFrames = Pick<FrameHandlers, "visitor.page" | "visitor.attributes" | "visitor.detail" | "canned.changed"> & RatingsFrames;

export class AgentTools {
  readonly store = new Store<ToolsState>({
    visitor: null,
    pastConversations: [],
    mode: "reply",
    suggestion: 0,
    cannedOpen: false,
    shortcutsOpen: false,
    cannedError: null,
    cannedRevision: 0,
    notesRevision: 0,
    cannedSaved: 0,
  });
  readonly canned = new CannedReplies();
  readonly notes = new Notes();
  /** Ratings and visitors' emails (ratings.ts). */
  readonly ratings: RatingsTool;
  /** The visitor asked for on the current socket (so a reconnect asks again). */
  private asked: { visitorId: string; generation: number } | null = null;
  /** The canned reply this console asked to save, until it is stored. */
  private saving: { site_id: number; shortcut: string } | null = null;

  constructor(private readonly c: ConsoleController) {
    this.ratings = new RatingsTool(c, (visitorId, email) => {
      const shown = this.state.visitor;
      if (shown?.id === visitorId) this.store.set({ visitor: { ...shown, email } });
    });
    c.store.subscribe(() => this.followOpenConversation());
  }

  get state(): ToolsState {
    return this.store.get();
  }

  /** The visitor of the open conversation, or null. */
  openVisitorId(): string | null {
    const conversation = this.c.model.conversations.get(this.c.state.openId);
    return conversation?.summary.visitor?.id ?? null;
  }

  /** The site of the open conversation, or null. */
  openSiteId(): number | null {
    const conversation = this.c.model.conversations.get(this.c.state.openId);
    return conversation?.summary.site?.id ?? null;
  }

  /** Asks for the open conversation's visitor when it changed, or the socket did. */
  private followOpenConversation(): void {
    const visitorId = this.openVisitorId();
    if (!visitorId) {
      this.asked = null;
      if (this.state.visitor) this.store.set({ visitor: null, pastConversations: [] });
      return;
    }
    const generation = this.c.generation;
    if (!this.c.state.ready || (this.asked?.visitorId === visitorId && this.asked.generation === generation)) return;
    if (this.c.send({ type: "visitor.get", visitor_id: visitorId })) this.asked = { visitorId, generation };
    if (this.state.visitor && this.state.visitor.id !== visitorId) this.store.set({ visitor: null, pastConversations: [] });
  }

  /** `ready` carries the canned replies; notes not yet stored go again. */
  onReady(canned: unknown): void {
    this.canned.reset(Array.isArray(canned) ? (canned as CannedReply[]) : []);
    this.store.set({ cannedRevision: this.state.cannedRevision + 1 });
    for (const note of this.notes.pending()) this.sendNote(note);
  }

  /** A conversation's agent-only lines (from `conversation.opened` or `activity.new`): its notes are kept. */
  onActivity(lines: unknown): void {
    const activity = Array.isArray(lines) ? (lines as Activity[]) : [];
    if (!activity.some((line) => line?.kind === "note")) return;
    this.notes.add(activity);
    this.store.set({ notesRevision: this.state.notesRevision + 1 });
  }

  /** Handles the refusal of a note (its ref is the note's client_id); false when the error is not one. */
  onError(ref: string | null, frame: ErrorFrame): boolean {
    const note = this.notes.pendingNote(ref);
    if (!note) return false;
    if (isRetryable(frame.code)) {
      this.c.later(() => this.sendNote(note));
    } else {
      this.notes.forget(note.client_id);
      this.store.set({ notesRevision: this.state.notesRevision + 1 });
      this.c.showReplyError(ERROR_TEXT[frame.code] || frame.message || REPLY_ERROR.notSent);
    }
    return true;
  }

  frameHandlers(): ToolsFrames {
    return {
      ...this.ratings.frameHandlers(),
      "visitor.page": (frame) => {
        for (const conversation of this.c.model.conversations.all()) {
          const visitor = conversation.summary.visitor;
          if (visitor?.id === frame.visitor_id) {
            conversation.summary = { ...conversation.summary, visitor: { ...visitor, last_page_url: frame.url } };
          }
        }
        const shown = this.state.visitor;
        if (shown?.id === frame.visitor_id) {
          this.store.set({ visitor: { ...shown, page_url: frame.url, page_title: frame.title } });
        }
        this.c.touch();
      },
      "visitor.attributes": (frame) => {
        const shown = this.state.visitor;
        if (shown?.id === frame.visitor_id) this.store.set({ visitor: { ...shown, attributes: frame.attributes } });
      },
      "visitor.detail": (frame) => {
        if (frame.visitor?.id !== this.openVisitorId()) return;
        this.store.set({ visitor: frame.visitor, pastConversations: frame.conversations ?? [] });
      },
      "canned.changed": (frame) => {
        const saved = frame.canned;
        if (saved) this.canned.save(saved);
        if (typeof frame.deleted_id === "number") this.canned.remove(frame.deleted_id);
        const ours = saved !== null && saved.site_id === this.saving?.site_id && saved.shortcut === this.saving.shortcut;
        if (ours) this.saving = null;
        this.store.set({
          cannedRevision: this.state.cannedRevision + 1,
          cannedSaved: this.state.cannedSaved + (ours ? 1 : 0),
          cannedError: ours ? null : this.state.cannedError,
        });
      },
    };
  }

  // --- The agent's actions -----------------------------------------------------------------------

  /** Stores the reply box's text as a private note of the open conversation. */
  submitNote(): void {
    const conversationId = this.c.state.openId;
    if (!conversationId) return;
    const body = this.c.state.reply.trim();
    const max = this.c.config.message_max_length;
    if (!body) return this.c.showReplyError(ERROR_TEXT.empty_body ?? "");
    if (codePointLength(body) > max) return this.c.showReplyError(REPLY_ERROR.tooLong(max));
    const note: PendingNote = { conversation_id: conversationId, client_id: newClientId(), body };
    this.notes.addPending(note);
    this.c.setReply("");
    this.store.set({ notesRevision: this.state.notesRevision + 1 });
    this.sendNote(note);
  }

  private sendNote(note: PendingNote): void {
    this.c.send({ type: "note.add", ...note });
  }

  setMode(mode: ComposerMode): void {
    if (mode !== this.state.mode) this.store.set({ mode });
  }

  setSuggestion(suggestion: number): void {
    this.store.set({ suggestion });
  }

  /** The "/shortcut" suggestions for the reply box's text, for the open conversation's site. */
  suggestions(text: string): CannedReply[] {
    return this.canned.suggestions(text, this.openSiteId());
  }

  /** Opens one of the visitor's conversations, even one the inbox does not hold yet. */
  openPast(id: string): void {
    const conversations = this.c.model.conversations;
    const current = conversations.get(this.c.state.openId);
    const past = this.state.pastConversations.find((conversation) => conversation.id === id);
    if (!conversations.get(id) && current && past) {
      // A stand-in row until `conversation.opened` brings the real one.
      conversations.upsert({
        ...current.summary,
        id,
        status: past.status,
        last_seq: past.last_seq,
        last_message: null,
        created_at: past.created_at,
        updated_at: past.updated_at,
        last_read_seq: null,
      });
    }
    this.c.openConversation(id);
  }

  /** Replaces the reply box's "/shortcut" with the canned reply's text. */
  expand(reply: CannedReply): void {
    this.c.setReply(reply.body);
    this.store.set({ suggestion: 0 });
  }

  openCanned(open: boolean): void {
    this.store.set({ cannedOpen: open, cannedError: null });
  }

  openShortcuts(open: boolean): void {
    this.store.set({ shortcutsOpen: open });
  }

  saveCanned(fields: { id: number | null; site_id: number; shortcut: string; title: string; body: string }): boolean {
    this.saving = { site_id: fields.site_id, shortcut: fields.shortcut };
    this.store.set({ cannedError: null });
    return this.c.send({ type: "canned.save", ...fields });
  }

  deleteCanned(id: number): boolean {
    return this.c.send({ type: "canned.delete", id });
  }

  showCannedError(text: string): void {
    this.store.set({ cannedError: text });
  }

  // --- Keyboard shortcuts (shortcuts.ts) ---------------------------------------------------------

  /** Runs the shortcut a key press asks for; true when it was one (the caller then prevents the default). */
  onKey(event: KeyLike): boolean {
    const action = shortcutAction(event);
    if (action === null) return false;
    const c = this.c;
    const openId = c.state.openId;
    switch (action) {
      case "next":
      case "previous": {
        const ids = visibleIds(c.model, c.state);
        const at = openId ? ids.indexOf(openId) : -1;
        const next = ids[action === "next" ? at + 1 : at < 0 ? 0 : at - 1];
        if (next) c.openConversation(next);
        return true;
      }
      case "reply":
      case "note":
        if (!openId) return false;
        this.setMode(action);
        c.store.set({ replyFocusRequest: c.state.replyFocusRequest + 1 });
        return true;
      case "resolve":
        if (openId) c.send({ type: "conversation.resolve", conversation_id: openId });
        return Boolean(openId);
      case "assign-me":
        if (openId && c.config.agent.id !== null) {
          c.send({ type: "conversation.assign", conversation_id: openId, assignee_id: c.config.agent.id });
        }
        return Boolean(openId);
      case "search": {
        const search = document.querySelector<HTMLElement>('[data-console="search"]');
        search?.focus();
        return Boolean(search);
      }
      case "help":
        this.openShortcuts(true);
        return true;
      case "escape":
        return this.escape(event.target);
    }
  }

  /** Escape: out of the box being typed in, else closes the conversation (dialogs close themselves). */
  private escape(target: EventTarget | null | undefined): boolean {
    if (this.state.cannedOpen || this.state.shortcutsOpen) return false;
    if (isTyping(target)) {
      // On a narrow screen the reply box's own Escape goes back to the inbox (Composer).
      if (window.matchMedia?.("(max-width: 760px)").matches) return false;
      (target as HTMLElement).blur();
      return true;
    }
    if (!this.c.state.openId) return false;
    this.c.closeConversation();
    return true;
  }
}
