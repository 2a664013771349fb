// Which seqs of each conversation a client holds (docs/protocol.md "Client rules"): a seq already
// held is dropped, a seq beyond the next one means a gap to `sync`, and the highest contiguous seq
// is what a reconnect resumes from.

interface Held {
  /** Every seq 1..contiguous is held. */
  contiguous: number;
  /** Held seqs above contiguous + 1 (arrived past a gap). */
  ahead: Set<number>;
}

export class SeqTracker {
  private readonly held = new Map<string, Held>();

  /** Records `seq` as held; false when it was held already (drop the message). */
  seen(conversationId: string, seq: number): boolean {
    if (!Number.isInteger(seq) || seq < 1) return false;
    const held = this.entry(conversationId);
    if (seq <= held.contiguous || held.ahead.has(seq)) return false;
    held.ahead.add(seq);
    while (held.ahead.delete(held.contiguous + 1)) held.contiguous += 1;
    return true;
  }

  /** The highest seq such that 1..seq are all held (0 when none): what a resume asks after. */
  last(conversationId: string): number {
    return this.held.get(conversationId)?.contiguous ?? 0;
  }

  /** The highest seq held at all, gaps or not. */
  highest(conversationId: string): number {
    const held = this.held.get(conversationId);
    return held ? Math.max(held.contiguous, ...held.ahead) : 0;
  }

  /** Whether `seq` would leave a gap after what is held (then `sync` from `last`). */
  isGap(conversationId: string, seq: number): boolean {
    return seq > this.last(conversationId) + 1;
  }

  /** Whether some seq below the highest held is missing. */
  hasGap(conversationId: string): boolean {
    return (this.held.get(conversationId)?.ahead.size ?? 0) > 0;
  }

  /** Forgets a conversation. */
  reset(conversationId: string): void {
    this.held.delete(conversationId);
  }

  private entry(conversationId: string): Held {
    let held = this.held.get(conversationId);
    if (!held) {
      held = { contiguous: 0, ahead: new Set() };
      this.held.set(conversationId, held);
    }
    return held;
  }
}
