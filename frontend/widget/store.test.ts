import { beforeEach, describe, expect, it } from "vitest";
import type { Message } from "../shared/protocol";
import { currentConversation, highestSeq, keepMessages, resetConversation, storedMessages } from "./store";

const message = (seq: number, conversation_id = "c1", body = `m${seq}`): Message => ({
  id: seq,
  conversation_id,
  seq,
  author: "visitor",
  author_name: null,
  agent_id: null,
  body,
  client_id: null,
  created_at: "2026-11-24T07:26:23+00:00",
  event: null,
});

describe("store", () => {
  beforeEach(() => resetConversation("c1"));

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
});
