import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { TYPING_INTERVAL_MS, TypingTracker, typingSender } from "./typing";

describe("typingSender", () => {
  it("says start at most once per interval while there is text, and stop once after it", () => {
    let now = 0;
    const sent: string[] = [];
    const typing = typingSender((state) => (sent.push(state), true), () => now);
    typing.input("h");
    typing.input("he");
    now = TYPING_INTERVAL_MS - 1;
    typing.input("hel");
    expect(sent).toEqual(["start"]);
    now = TYPING_INTERVAL_MS;
    typing.input("hell");
    expect(sent).toEqual(["start", "start"]);
    typing.input("  ");
    typing.stop();
    expect(sent).toEqual(["start", "start", "stop"]);
    typing.input("again");
    expect(sent).toEqual(["start", "start", "stop", "start"]);
  });

  it("sends no stop without a start, and tries again when a start could not go", () => {
    const sent: string[] = [];
    let online = false;
    const typing = typingSender((state) => (online ? (sent.push(state), true) : false));
    typing.stop();
    typing.input("x");
    expect(sent).toEqual([]);
    online = true;
    typing.input("xy");
    typing.stop();
    expect(sent).toEqual(["start", "stop"]);
  });
});

describe("TypingTracker", () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it("shows each author until stop or the TTL without a refresh", () => {
    const changes = vi.fn();
    const tracker = new TypingTracker(changes);
    tracker.start("a7", "Bob", 6);
    tracker.start("visitor", "Alice", 6);
    expect(tracker.who()).toEqual(["Bob", "Alice"]);
    tracker.stop("visitor");
    expect(tracker.who()).toEqual(["Bob"]);
    vi.advanceTimersByTime(5000);
    tracker.start("a7", "Bob", 6); // refreshed: no change to show
    vi.advanceTimersByTime(5999);
    expect(tracker.who()).toEqual(["Bob"]);
    vi.advanceTimersByTime(1);
    expect(tracker.who()).toEqual([]);
    expect(changes).toHaveBeenCalledTimes(4);
  });
});
