import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { ConversationTyping, typistKey } from "./typing";

describe("ConversationTyping", () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it("keeps typists per conversation and says when anything changes", () => {
    const typing = new ConversationTyping();
    typing.onChange = vi.fn();
    typing.start("c1", typistKey("visitor", null), "Amber", 6);
    typing.start("c2", typistKey("agent", 8), "Dan", 6);
    expect(typing.who("c1")).toEqual(["Amber"]);
    expect(typing.who("c2")).toEqual(["Dan"]);
    typing.stop("c1", "visitor");
    expect(typing.who("c1")).toEqual([]);
    vi.advanceTimersByTime(6000);
    expect(typing.who("c2")).toEqual([]);
    expect(typing.onChange).toHaveBeenCalledTimes(4);
    expect(typing.who("unknown")).toEqual([]);
  });
});
