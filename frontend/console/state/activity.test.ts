import { describe, expect, it } from "vitest";
import type { Activity } from "../../shared/protocol";
import { ActivityLog, isActivity } from "./activity";
import { Team } from "./team";

const activity = (id: number, minute: number, fields: Partial<Activity> = {}): Activity => ({
  id,
  conversation_id: "c1",
  kind: "assigned",
  agent_id: 7,
  author_name: "Dana",
  assignee_id: 8,
  assignee_name: "Eli",
  body: "",
  client_id: null,
  created_at: `2026-11-24T07:${String(minute).padStart(2, "0")}:00+00:00`,
  ...fields,
});

describe("activity log", () => {
  it("keeps each activity once per conversation, oldest first", () => {
    const log = new ActivityLog();
    expect(log.add([activity(2, 20), activity(1, 10), activity(3, 5, { conversation_id: "c2" })])).toBe(3);
    expect(log.add([activity(1, 10), { nonsense: true }, null])).toBe(0);
    expect(log.of("c1").map((a) => a.id)).toEqual([1, 2]);
    expect(log.of("c2").map((a) => a.id)).toEqual([3]);
    expect(log.of("c3")).toEqual([]);
  });

  it("recognises activities from the wire", () => {
    expect(isActivity(activity(1, 1))).toBe(true);
    expect(isActivity({ id: 1 })).toBe(false);
    expect(isActivity("x")).toBe(false);
  });
});

describe("team", () => {
  it("lists a site's agents by name and names ids", () => {
    const team = new Team();
    team.set([
      { id: 8, name: "Eli", site_ids: [1] },
      { id: 7, name: "Dana", site_ids: [1, 2] },
      { id: 9, name: "Finn", site_ids: [2] },
      { bogus: 1 },
    ]);
    expect(team.ofSite(1).map((a) => a.name)).toEqual(["Dana", "Eli"]);
    expect(team.ofSite(null)).toEqual([]);
    expect(team.name(9)).toBe("Finn");
    expect(team.name(99)).toBeNull();
  });
});
