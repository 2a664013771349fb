// The agent's unacknowledged replies (the shared outbox, kept in localStorage so neither a reload nor
// an outage loses them), plus what the console needs around it: which socket each was last sent on,
// so a reply goes once per socket, and which client_ids are this browser's, to tell "You" apart.

import { Outbox, webStorage, type OutboxEntry, type OutboxStorage } from "../../shared/outbox";

export const STORAGE_KEY = "parley-console:outbox";

/** A reply waiting for its ack; unlike the shared entry it always names its conversation. */
export interface Reply extends OutboxEntry {
  conversation_id: string;
}

const isReply = (entry: OutboxEntry): entry is Reply => typeof entry.conversation_id === "string";

export class ReplyOutbox {
  private readonly outbox: Outbox;
  /** client_id -> generation of the socket it was last sent on. */
  private readonly sentOn = new Map<string, number>();
  /** client_ids of replies sent from this browser. */
  private readonly own = new Set<string>();

  constructor(storage: OutboxStorage = webStorage(STORAGE_KEY)) {
    this.outbox = new Outbox({ storage });
    for (const entry of this.outbox.all()) this.own.add(entry.client_id);
  }

  /** Reads the entries again (another tab changed them). */
  reload(): void {
    this.outbox.reload();
    for (const entry of this.outbox.all()) this.own.add(entry.client_id);
  }

  add(reply: Reply): void {
    this.own.add(reply.client_id);
    this.outbox.add(reply);
  }

  get(clientId: string | null | undefined): Reply | null {
    const entry = clientId ? this.outbox.get(clientId) : null;
    return entry && isReply(entry) ? entry : null;
  }

  all(): Reply[] {
    return this.outbox.all().filter(isReply);
  }

  forConversation(conversationId: string): Reply[] {
    return this.all().filter((reply) => reply.conversation_id === conversationId);
  }

  get size(): number {
    return this.outbox.size;
  }

  /** Stored copies arrived: forget their replies (they are this browser's). */
  settle(messages: readonly { client_id?: string | null }[]): void {
    for (const { client_id: clientId } of messages) {
      if (!clientId || !this.outbox.get(clientId)) continue;
      this.own.add(clientId);
      this.sentOn.delete(clientId);
    }
    this.outbox.settle(messages);
  }

  /** The server stored this one (`message.ack`). */
  ack(clientId: string): void {
    this.own.add(clientId);
    this.sentOn.delete(clientId);
    this.outbox.ack(clientId);
  }

  /** The server will never store it: forget it and return it, or null. */
  refuse(clientId: string): Reply | null {
    this.sentOn.delete(clientId);
    const entry = this.outbox.refuse(clientId);
    return entry && isReply(entry) ? entry : null;
  }

  /** Whether a message with this client_id was sent from this browser. */
  isOwn(clientId: string | null | undefined): boolean {
    return Boolean(clientId && this.own.has(clientId));
  }

  /** Whether it already went on this socket. */
  wasSentOn(clientId: string, generation: number): boolean {
    return this.sentOn.get(clientId) === generation;
  }

  markSent(clientId: string, generation: number): void {
    this.sentOn.set(clientId, generation);
  }

  /** It must go again, even on the same socket (the server dropped it unread). */
  forgetSent(clientId: string): void {
    this.sentOn.delete(clientId);
  }
}
