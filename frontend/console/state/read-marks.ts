// This agent's read mark per conversation (docs/console.md "Unread rules"). The server's mark comes in
// `ready` and `conversation.opened`; `inbox.update` carries none, so the page keeps its own and only
// ever raises it.

import type { ConversationSummary, Message } from "../../shared/protocol";

/** Unread: the last message is the visitor's and above the read mark. */
export function isUnread(summary: ConversationSummary, lastReadSeq: number): boolean {
  const last = summary.last_message;
  return Boolean(last && last.author === "visitor" && last.seq > lastReadSeq);
}

export class ReadMarks {
  private readonly marks = new Map<string, number>();

  get(id: string): number {
    return this.marks.get(id) ?? 0;
  }

  /** Takes a mark from the server (ignored when missing or below the one held). */
  raise(id: string, seq: unknown): void {
    if (typeof seq === "number" && Number.isInteger(seq)) this.marks.set(id, Math.max(this.get(id), seq));
  }

  isUnread(summary: ConversationSummary): boolean {
    return isUnread(summary, this.get(summary.id));
  }

  /** How many of these conversations are unread. */
  unreadCount(summaries: Iterable<ConversationSummary>): number {
    let count = 0;
    for (const summary of summaries) if (this.isUnread(summary)) count += 1;
    return count;
  }

  /**
   * Marks everything up to `seq` read. Returns "none" when nothing changed, "local" when the mark rose
   * over the agent's own or colleagues' messages only (the server raises it itself for those), and
   * "send" when a visitor message was among them, so `conversation.read` must go.
   */
  markRead(id: string, seq: number, messages: Iterable<Message>): "none" | "local" | "send" {
    const before = this.get(id);
    if (seq <= before) return "none";
    this.marks.set(id, seq);
    for (const message of messages) {
      if (message.seq > before && message.author === "visitor") return "send";
    }
    return "local";
  }
}
