// Who is typing in each conversation (the visitor, other agents), until `stop`, their message or the TTL.

import { TypingTracker } from "../../shared/typing";

export class ConversationTyping {
  private readonly trackers = new Map<string, TypingTracker>();
  /** Called whenever who is typing somewhere changes (the controller renders again). */
  onChange: () => void = () => {};

  start(conversationId: string, key: string, name: string, ttlSeconds: number): void {
    let tracker = this.trackers.get(conversationId);
    if (!tracker) this.trackers.set(conversationId, (tracker = new TypingTracker(() => this.onChange())));
    tracker.start(key, name, ttlSeconds);
  }

  stop(conversationId: string, key: string): void {
    this.trackers.get(conversationId)?.stop(key);
  }

  /** The names typing in a conversation now. */
  who(conversationId: string): string[] {
    return this.trackers.get(conversationId)?.who() ?? [];
  }
}

/** The key of an author in the tracker: "visitor", or "a" and the agent's id. */
export function typistKey(author: string, agentId: number | null | undefined): string {
  return author === "agent" ? `a${agentId}` : "visitor";
}
