import { describe, expect, it } from "vitest";
import { InboxCounts } from "./inbox-counts";

describe("InboxCounts", () => {
  it("starts from ready's counts and moves one conversation between views per update", () => {
    const counts = new InboxCounts();
    counts.reset([
      { site_id: 1, open: 3, unassigned: 2, resolved: 4, mine: 1 },
      { site_id: 2, open: 1, unassigned: 1, resolved: 0, mine: 0 },
    ]);
    expect(counts.count("open", "")).toBe(4);
    expect(counts.count("open", "2")).toBe(1);
    counts.move(1, null, { status: "open", assignee_id: null }, 7); // a new conversation
    expect([counts.count("open", "1"), counts.count("unassigned", "1")]).toEqual([4, 3]);
    counts.move(1, { status: "open", assignee_id: null }, { status: "open", assignee_id: 7 }, 7); // assigned to me
    expect([counts.count("unassigned", "1"), counts.count("mine", "1")]).toEqual([2, 2]);
    counts.move(1, { status: "open", assignee_id: 7 }, { status: "resolved", assignee_id: 7 }, 7); // resolved
    expect([counts.count("open", "1"), counts.count("mine", "1"), counts.count("resolved", "1")]).toEqual([3, 1, 5]);
    counts.move(1, { status: "open", assignee_id: 8 }, { status: "open", assignee_id: 8 }, 7); // a message
    expect(counts.count("open", "1")).toBe(3);
    counts.move(3, null, { status: "open", assignee_id: null }, 7); // a site not in ready
    expect(counts.count("open", "3")).toBe(1);
  });

  it("never counts below zero and ignores rows it cannot read", () => {
    const counts = new InboxCounts();
    counts.reset([{ site_id: "x" }, null]);
    counts.move(1, { status: "resolved", assignee_id: null }, { status: "open", assignee_id: null }, 7);
    expect([counts.count("resolved", ""), counts.count("open", "")]).toEqual([0, 1]);
  });

  it("marks a view counted only up to the server's limit, and keeps moving its lower bound", () => {
    const counts = new InboxCounts();
    counts.reset([
      { site_id: 1, open: 3, unassigned: 1, resolved: 1000, mine: 0, over: ["resolved"] },
      { site_id: 2, open: 1, unassigned: 1, resolved: 2, mine: 0, over: [] },
    ]);
    expect([counts.over("resolved", ""), counts.over("resolved", "1"), counts.over("resolved", "2")]).toEqual([
      true,
      true,
      false,
    ]);
    expect(counts.over("open", "")).toBe(false);
    counts.move(1, { status: "open", assignee_id: null }, { status: "resolved", assignee_id: null }, 7);
    expect([counts.count("resolved", "1"), counts.over("resolved", "1")]).toEqual([1001, true]);
  });
});
