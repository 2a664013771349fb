import { describe, expect, it } from "vitest";
import { message, summary } from "../testing";
import { isUnread, ReadMarks } from "./read-marks";

describe("read marks", () => {
  it("is unread when the last message is the visitor's and above the mark", () => {
    expect(isUnread(summary({ last_message: message({ seq: 3 }) }), 2)).toBe(true);
    expect(isUnread(summary({ last_message: message({ seq: 3 }) }), 3)).toBe(false);
    expect(isUnread(summary({ last_message: message({ seq: 3, author: "agent" }) }), 0)).toBe(false);
    expect(isUnread(summary(), 0)).toBe(false);
  });

  it("only ever raises a mark, and ignores a missing one", () => {
    const marks = new ReadMarks();
    marks.raise("c1", 4);
    marks.raise("c1", 2);
    marks.raise("c1", null);
    expect(marks.get("c1")).toBe(4);
    expect(marks.get("other")).toBe(0);
  });

  it("counts unread conversations", () => {
    const marks = new ReadMarks();
    marks.raise("b", 1);
    const a = summary({ id: "a", last_message: message({ seq: 1, conversation_id: "a" }) });
    const b = summary({ id: "b", last_message: message({ seq: 1, conversation_id: "b" }) });
    expect(marks.unreadCount([a, b])).toBe(1);
  });

  it("says whether marking read needs a conversation.read frame", () => {
    const marks = new ReadMarks();
    const visitor = [message({ seq: 1 }), message({ seq: 2, author: "agent" })];
    expect(marks.markRead("c1", 2, visitor)).toBe("send");
    expect(marks.get("c1")).toBe(2);
    expect(marks.markRead("c1", 2, visitor)).toBe("none");
    expect(marks.markRead("c1", 3, [...visitor, message({ seq: 3, author: "agent" })])).toBe("local");
  });
});
