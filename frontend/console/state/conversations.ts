// The conversations this page knows: their latest summaries, the messages held (by seq), and the inbox
// order (newest activity first). Pure state: nothing here sends frames or touches the DOM.

import { SeqTracker } from "../../shared/seq";
import type { ConversationSummary, Message } from "../../shared/protocol";

export interface ConversationState {
  readonly id: string;
  /** The latest summary (never with an older last message than one already known). */
  summary: ConversationSummary;
  /** Messages held, by seq. */
  readonly messages: Map<number, Message>;
  /** `conversation.opened` was received at least once. */
  loaded: boolean;
  /** A `sync` is in flight. */
  syncing: boolean;
}

/** Whether a value from the wire is a message the console can place. */
export function isMessage(value: unknown): value is Message {
  if (value === null || typeof value !== "object") return false;
  const message = value as Partial<Message>;
  return typeof message.conversation_id === "string" && Number.isInteger(message.seq) && (message.seq ?? 0) > 0;
}

/** Whether a value from the wire is a summary the console can show. */
export function isSummary(value: unknown): value is ConversationSummary {
  return value !== null && typeof value === "object" && typeof (value as { id?: unknown }).id === "string";
}

export interface Added {
  /** The messages that were new, in seq order. */
  added: Message[];
  /** The newest of them became the conversation's last message (so it moved to the top). */
  moved: boolean;
}

export class Conversations {
  private readonly byId = new Map<string, ConversationState>();
  private readonly seqs = new SeqTracker();
  /** Conversation ids, newest activity first. */
  order: string[] = [];

  get(id: string | null | undefined): ConversationState | undefined {
    return id ? this.byId.get(id) : undefined;
  }

  all(): IterableIterator<ConversationState> {
    return this.byId.values();
  }

  /** Stores a summary; a conversation seen for the first time goes to the top. */
  upsert(summary: ConversationSummary): ConversationState {
    let conversation = this.byId.get(summary.id);
    if (!conversation) {
      conversation = { id: summary.id, summary, messages: new Map(), loaded: false, syncing: false };
      this.byId.set(summary.id, conversation);
      this.order.unshift(summary.id);
      return conversation;
    }
    // Never let an older summary replace a newer last message.
    const known = conversation.summary.last_message;
    const incoming = summary.last_message;
    const visitorRead = Math.max(conversation.summary.visitor_last_read_seq ?? 0, summary.visitor_last_read_seq ?? 0);
    conversation.summary = { ...summary, visitor_last_read_seq: visitorRead };
    if (known && (!incoming || incoming.seq < known.seq)) {
      conversation.summary.last_message = known;
      conversation.summary.last_seq = Math.max(summary.last_seq || 0, known.seq);
    }
    return conversation;
  }

  /** Forgets the conversations of sites not in `siteIds` (sites the agent no longer belongs to). */
  keepSites(siteIds: ReadonlySet<number>): void {
    for (const [id, conversation] of this.byId) {
      const site = conversation.summary.site?.id;
      if (typeof site === "number" && !siteIds.has(site)) this.byId.delete(id);
    }
    this.order = this.order.filter((id) => this.byId.has(id));
  }

  /** Raises the visitor's read mark (a `read` frame); false when it did not move. */
  raiseVisitorRead(id: string, seq: number): boolean {
    const conversation = this.byId.get(id);
    if (!conversation || seq <= (conversation.summary.visitor_last_read_seq ?? 0)) return false;
    conversation.summary = { ...conversation.summary, visitor_last_read_seq: seq };
    return true;
  }

  /** Stores messages by seq, dropping ones already held or of another conversation. */
  addMessages(conversation: ConversationState, messages: unknown): Added {
    const added: Message[] = [];
    for (const message of Array.isArray(messages) ? messages : []) {
      if (!isMessage(message) || message.conversation_id !== conversation.id) continue;
      if (!this.seqs.seen(conversation.id, message.seq)) continue;
      conversation.messages.set(message.seq, message);
      added.push(message);
    }
    added.sort((a, b) => a.seq - b.seq);
    const last = added[added.length - 1];
    return { added, moved: last ? this.noteLastMessage(conversation, last) : false };
  }

  /** The highest seq such that 1..seq are all held: what `after_seq` asks from. */
  contiguous(id: string): number {
    return this.seqs.last(id);
  }

  /** Whether `seq` would leave a gap after what is held. */
  isGap(id: string, seq: number): boolean {
    return this.seqs.isGap(id, seq);
  }

  /** Whether something below what is held, or below the summary's last seq, is missing. */
  hasGap(conversation: ConversationState): boolean {
    if (this.seqs.hasGap(conversation.id)) return true;
    return conversation.loaded && this.contiguous(conversation.id) < (conversation.summary.last_seq || 0);
  }

  /** The messages held, in seq order. */
  messagesOf(conversation: ConversationState): Message[] {
    return [...conversation.messages.values()].sort((a, b) => a.seq - b.seq);
  }

  moveToTop(id: string): void {
    const index = this.order.indexOf(id);
    if (index === 0) return;
    if (index > 0) this.order.splice(index, 1);
    this.order.unshift(id);
  }

  /** Orders the inbox by the summaries' `updated_at`, newest first. */
  sortByActivity(): void {
    const time = (id: string): number => Date.parse(this.byId.get(id)?.summary.updated_at || "") || 0;
    this.order.sort((a, b) => time(b) - time(a));
  }

  /** The inbox ids to show for a site filter ("" for every site). */
  visibleIds(siteFilter: string): string[] {
    if (!siteFilter) return this.order;
    return this.order.filter((id) => String(this.byId.get(id)?.summary.site?.id) === siteFilter);
  }

  /** Keeps the summary's preview in step with the newest message held; true when it moved to the top. */
  private noteLastMessage(conversation: ConversationState, message: Message): boolean {
    const known = conversation.summary.last_message;
    if (known && known.seq >= message.seq) return false;
    conversation.summary = {
      ...conversation.summary,
      last_message: message,
      last_seq: Math.max(conversation.summary.last_seq || 0, message.seq),
      updated_at: message.created_at || conversation.summary.updated_at,
    };
    this.moveToTop(conversation.id);
    return true;
  }
}
