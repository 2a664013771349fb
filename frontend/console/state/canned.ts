// The canned replies of the agent's sites, and which of them a "/shortcut" in the reply box matches.
// Pure state: nothing here sends frames or touches the DOM.

import type { CannedReply } from "../../shared/protocol";

/** At most this many suggestions are listed under the reply box. */
export const SUGGESTIONS_SHOWN = 6;

export class CannedReplies {
  private readonly byId = new Map<number, CannedReply>();

  /** Replaces them all (from `ready`). */
  reset(replies: readonly CannedReply[]): void {
    this.byId.clear();
    for (const reply of replies) this.byId.set(reply.id, reply);
  }

  save(reply: CannedReply): void {
    this.byId.set(reply.id, reply);
  }

  remove(id: number): void {
    this.byId.delete(id);
  }

  get(id: number): CannedReply | undefined {
    return this.byId.get(id);
  }

  /** Those of one site (every site when null), by shortcut. */
  list(siteId: number | null = null): CannedReply[] {
    return [...this.byId.values()]
      .filter((reply) => siteId === null || reply.site_id === siteId)
      .sort((a, b) => a.shortcut.localeCompare(b.shortcut) || a.site_id - b.site_id);
  }

  /** The replies of a site whose shortcut starts with what follows "/" when the reply box holds only that. */
  suggestions(text: string, siteId: number | null): CannedReply[] {
    const query = slashQuery(text);
    if (query === null) return [];
    return this.list(siteId)
      .filter((reply) => reply.shortcut.startsWith(query))
      .slice(0, SUGGESTIONS_SHOWN);
  }
}

/** What follows a leading "/" while the box holds nothing else (no space, no new line), else null. */
export function slashQuery(text: string): string | null {
  const match = /^\/([a-z0-9_-]*)$/.exec(text);
  return match ? (match[1] ?? "") : null;
}
