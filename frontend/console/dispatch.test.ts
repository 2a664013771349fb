import { describe, expect, it, vi } from "vitest";
import { dispatch, type FrameHandlers } from "./dispatch";

function handlers(): FrameHandlers {
  return {
    ready: vi.fn(),
    "conversation.opened": vi.fn(),
    "message.new": vi.fn(),
    "message.ack": vi.fn(),
    "inbox.update": vi.fn(),
    "inbox.page": vi.fn(),
    history: vi.fn(),
    notification: vi.fn(),
    error: vi.fn(),
    "activity.new": vi.fn(),
    "conversation.assigned": vi.fn(),
    "visitor.page": vi.fn(),
    "visitor.attributes": vi.fn(),
    "visitor.detail": vi.fn(),
    "canned.changed": vi.fn(),
    presence: vi.fn(),
    "conversation.viewers": vi.fn(),
    preferences: vi.fn(),
    typing: vi.fn(),
    read: vi.fn(),
    "visitor.email": vi.fn(),
    "conversation.rated": vi.fn(),
    ratings: vi.fn(),
  };
}

describe("dispatch", () => {
  it("calls the handler of the frame's type with the frame", () => {
    const map = handlers();
    const frame = { type: "inbox.update", conversation: { id: "c1" } };
    expect(dispatch(map, frame)).toBe(true);
    expect(map["inbox.update"]).toHaveBeenCalledWith(frame);
    expect(map.ready).not.toHaveBeenCalled();
  });

  it("ignores unknown types, pong, and names inherited from Object", () => {
    const map = handlers();
    expect(dispatch(map, { type: "surprise" })).toBe(false);
    expect(dispatch(map, { type: "pong" })).toBe(false);
    expect(dispatch(map, { type: "toString" })).toBe(false);
    expect(dispatch(map, { type: "constructor" })).toBe(false);
  });
});
