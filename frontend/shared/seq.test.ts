import { describe, expect, it } from "vitest";
import { SeqTracker } from "./seq";

describe("SeqTracker", () => {
  it("tracks the highest contiguous seq per conversation", () => {
    const seqs = new SeqTracker();
    expect(seqs.last("a")).toBe(0);
    expect(seqs.seen("a", 1)).toBe(true);
    expect(seqs.seen("a", 2)).toBe(true);
    expect(seqs.seen("b", 1)).toBe(true);
    expect(seqs.last("a")).toBe(2);
    expect(seqs.last("b")).toBe(1);
  });

  it("drops a seq already held", () => {
    const seqs = new SeqTracker();
    seqs.seen("a", 1);
    seqs.seen("a", 3);
    expect(seqs.seen("a", 1)).toBe(false);
    expect(seqs.seen("a", 3)).toBe(false);
    expect(seqs.seen("a", 0)).toBe(false);
    expect(seqs.seen("a", 1.5)).toBe(false);
  });

  it("sees gaps and closes them", () => {
    const seqs = new SeqTracker();
    seqs.seen("a", 1);
    expect(seqs.isGap("a", 2)).toBe(false);
    expect(seqs.isGap("a", 3)).toBe(true);
    seqs.seen("a", 3);
    seqs.seen("a", 5);
    expect(seqs.last("a")).toBe(1);
    expect(seqs.highest("a")).toBe(5);
    expect(seqs.hasGap("a")).toBe(true);
    seqs.seen("a", 2);
    expect(seqs.last("a")).toBe(3);
    seqs.seen("a", 4);
    expect(seqs.last("a")).toBe(5);
    expect(seqs.hasGap("a")).toBe(false);
  });

  it("forgets a conversation on reset", () => {
    const seqs = new SeqTracker();
    seqs.seen("a", 1);
    seqs.reset("a");
    expect(seqs.last("a")).toBe(0);
    expect(seqs.seen("a", 1)).toBe(true);
  });
});
