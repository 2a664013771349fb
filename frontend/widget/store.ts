// The messages of the visitor's latest conversation, keyed by seq: a seq already held is
// dropped, so a message shows exactly once whatever mix of ready/new/ack/history delivers it.
// (Integer keys of a plain object iterate in ascending order: the list comes out sorted.)
// When a newer conversation takes over, what was held moves to `earlierMessages` and stays on
// screen above it (the panel fetches older conversations itself).

import type { Message } from "../shared/protocol";

// Read directly by the transport; changed only through resetConversation.
export let currentConversation: string | null = null;
let messagesBySeq: Record<number, Message> = {};
/** Messages of this visitor's earlier conversations held by this page, oldest first. */
export let earlierMessages: Message[] = [];
// The conversation's read marks by reader: "visitor" (any of its tabs: the badge) and "agent" ("Seen"),
// from ready and `read` frames, never lowered.
export const readMarks: Record<string, number> = {};

/** Follows another conversation; null (another visitor) forgets everything. */
export function resetConversation(id: string | null): void {
  earlierMessages = id ? earlierMessages.concat(storedMessages()) : [];
  currentConversation = id;
  messagesBySeq = {};
  readMarks.visitor = readMarks.agent = 0;
}

export function keepMark(reader: string, seq: number): void {
  readMarks[reader] = Math.max(readMarks[reader]!, seq);
}

export function keepMessages(messages: readonly Message[] | undefined): void {
  for (const message of messages || []) {
    if (message.conversation_id === currentConversation) messagesBySeq[message.seq] = messagesBySeq[message.seq] || message;
  }
}

export function storedMessages(): Message[] {
  return Object.values(messagesBySeq);
}

export function highestSeq(): number {
  return Math.max(0, ...Object.keys(messagesBySeq).map(Number));
}
