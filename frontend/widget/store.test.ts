import { beforeEach, describe, expect, it } from "vitest";
import type { Message } from "../shared/protocol";
import { message as build } from "./testing";
import { currentConversation, earlierMessages, highestSeq, keepMark, keepMessages, readMarks, resetConversation, storedMessages } from "./store";

// The store's own shorthand: seq first, conversation c1 unless told, body m<seq>.
const message = (seq: number, conversation_id = "c1", body = `m${seq}`): Message => build(conversation_id, seq, { body });

describe("store", () => {
  beforeEach(() => {
    resetConversation(null);
    resetConversation("c1");
  });

  it("keeps each seq once, sorted, for the current conversation only", () => {
    keepMessages([message(3), message(1)]);
    keepMessages([message(1, "c1", "again"), message(2), message(4, "other")]);
    keepMessages(undefined);
    expect(storedMessages().map((m) => [m.seq, m.body])).toEqual([
      [1, "m1"],
      [2, "m2"],
      [3, "m3"],
    ]);
    expect(highestSeq()).toBe(3);
  });

  it("starts over for another conversation", () => {
    keepMessages([message(1)]);
    resetConversation("c2");
    expect(currentConversation).toBe("c2");
    expect(storedMessages()).toEqual([]);
    expect(highestSeq()).toBe(0);
  });

  it("keeps what the earlier conversations held, oldest first", () => {
    keepMessages([message(2), message(1)]);
    resetConversation("c2");
    keepMessages([message(1, "c2")]);
    resetConversation("c3");
    expect(earlierMessages.map((m) => [m.conversation_id, m.seq])).toEqual([
      ["c1", 1],
      ["c1", 2],
      ["c2", 1],
    ]);
  });

  it("forgets every conversation for another visitor", () => {
    keepMessages([message(1)]);
    resetConversation("c2");
    resetConversation(null);
    expect(earlierMessages).toEqual([]);
    expect(currentConversation).toBeNull();
  });
});

describe("read marks", () => {
  it("are raised, never lowered, and start again with another conversation", () => {
    resetConversation("c1");
    keepMark("visitor", 3);
    keepMark("visitor", 2);
    keepMark("agent", 1);
    expect([readMarks.visitor, readMarks.agent]).toEqual([3, 1]);
    resetConversation("c2");
    expect([readMarks.visitor, readMarks.agent]).toEqual([0, 0]);
  });
});
