// The agent tools: the visitor sidebar, canned replies and the keyboard shortcuts' dialog. Their own
// store, so the core console's state stays as it is; frames come through handlers.ts (toolsHandlers).
// Wire protocol: docs/protocol.md ("Agent tools"). Behaviour: docs/console.md ("Agent tools").

import type { CannedReply, PastConversation, VisitorDetail } from "../shared/protocol";
import type { ConsoleController } from "./controller";
import type { FrameHandlers } from "./dispatch";
import { CannedReplies } from "./state/canned";
import { Store } from "./store";

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
}

type ToolsFrames = Pick<FrameHandlers, "visitor.page" | "visitor.detail" | "canned.changed">;

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
  });
  readonly canned = new CannedReplies();
  /** The visitor asked for on the current socket (so a reconnect asks again). */
  private asked: { visitorId: string; generation: number } | null = null;

  constructor(private readonly c: ConsoleController) {
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

  /** `ready` carries the canned replies. */
  onReady(canned: unknown): void {
    this.canned.reset(Array.isArray(canned) ? (canned as CannedReply[]) : []);
    this.store.set({ cannedRevision: this.state.cannedRevision + 1 });
  }

  frameHandlers(): ToolsFrames {
    return {
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
      "visitor.detail": (frame) => {
        if (frame.visitor?.id !== this.openVisitorId()) return;
        this.store.set({ visitor: frame.visitor, pastConversations: frame.conversations ?? [] });
      },
      "canned.changed": (frame) => {
        if (frame.canned) this.canned.save(frame.canned);
        if (typeof frame.deleted_id === "number") this.canned.remove(frame.deleted_id);
        this.store.set({ cannedRevision: this.state.cannedRevision + 1, cannedError: null });
      },
    };
  }

  // --- The agent's actions -----------------------------------------------------------------------

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
    return this.c.send({ type: "canned.save", ...fields });
  }

  deleteCanned(id: number): boolean {
    return this.c.send({ type: "canned.delete", id });
  }

  showCannedError(text: string): void {
    this.store.set({ cannedError: text });
  }
}
