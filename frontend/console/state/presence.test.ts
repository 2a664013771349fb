import { describe, expect, it } from "vitest";
import { Presence } from "./presence";

describe("Presence", () => {
  it("starts from ready.presence and treats everyone else as offline", () => {
    const presence = new Presence();
    presence.reset([
      { agent_id: 1, status: "online" },
      { agent_id: 2, status: "away" },
    ]);
    expect(presence.status(1)).toBe("online");
    expect(presence.status(2)).toBe("away");
    expect(presence.status(3)).toBe("offline");
    expect(presence.status(null)).toBe("offline");
  });

  it("follows presence frames, offline forgetting the agent", () => {
    const presence = new Presence();
    presence.set(4, "away");
    expect(presence.status(4)).toBe("away");
    presence.set(4, "offline");
    expect(presence.status(4)).toBe("offline");
  });

  it("lists the colleagues viewing a conversation, not oneself nor offline agents", () => {
    const presence = new Presence();
    presence.reset([
      { agent_id: 1, status: "online" },
      { agent_id: 2, status: "away" },
    ]);
    presence.setViewers("c-1", [1, 2, 3]);
    expect(presence.othersViewing("c-1", 1)).toEqual([2]);
    presence.setViewers("c-1", [1]);
    expect(presence.othersViewing("c-1", 1)).toEqual([]);
    expect(presence.othersViewing(null, 1)).toEqual([]);
  });

  it("forgets viewers on reset (a new socket hears them again)", () => {
    const presence = new Presence();
    presence.reset([{ agent_id: 2, status: "online" }]);
    presence.setViewers("c-1", [2]);
    presence.reset([{ agent_id: 2, status: "online" }]);
    expect(presence.othersViewing("c-1", 1)).toEqual([]);
  });
});
