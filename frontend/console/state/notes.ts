// Private notes of the conversations this page knows (Activity kind "note"), and those not yet stored.
// Pure state: nothing here sends frames or touches the DOM.

import type { Activity } from "../../shared/protocol";

export interface PendingNote {
  conversation_id: string;
  client_id: string;
  body: string;
}

export class Notes {
  private readonly byConversation = new Map<string, Map<number, Activity>>();
  private readonly waiting = new Map<string, PendingNote>();

  /** Keeps the notes among agent-only lines (others are not notes); a stored note settles its pending one. */
  add(lines: readonly Activity[]): void {
    for (const line of lines) {
      if (!line || line.kind !== "note" || typeof line.conversation_id !== "string") continue;
      let notes = this.byConversation.get(line.conversation_id);
      if (!notes) this.byConversation.set(line.conversation_id, (notes = new Map()));
      notes.set(line.id, line);
      if (line.client_id) this.waiting.delete(line.client_id);
    }
  }

  /** A conversation's stored notes, oldest first. */
  of(conversationId: string | null): Activity[] {
    const notes = conversationId ? this.byConversation.get(conversationId) : undefined;
    return notes ? [...notes.values()].sort((a, b) => a.id - b.id) : [];
  }

  addPending(note: PendingNote): void {
    this.waiting.set(note.client_id, note);
  }

  pending(conversationId?: string | null): PendingNote[] {
    const all = [...this.waiting.values()];
    return conversationId === undefined ? all : all.filter((note) => note.conversation_id === conversationId);
  }

  pendingNote(clientId: string | null): PendingNote | undefined {
    return clientId === null ? undefined : this.waiting.get(clientId);
  }

  forget(clientId: string): void {
    this.waiting.delete(clientId);
  }
}
