import { describe, expect, it } from "vitest";
import { activityItem, assignmentView, eventItem, interleave } from "./lifecycle-view";
import { ConsoleModel, initialState } from "./model";
import { activity, AGENT_ID, COLLEAGUE_ID, message, summary } from "./testing";
import { previewText } from "./view";

function model(): ConsoleModel {
  const m = new ConsoleModel({ agentId: AGENT_ID, agentName: "Dana" });
  m.team.set([
    { id: AGENT_ID, name: "Dana", site_ids: [1] },
    { id: COLLEAGUE_ID, name: "Eli", site_ids: [1] },
    { id: 9, name: "Finn", site_ids: [2] },
  ]);
  return m;
}

describe("lifecycle view", () => {
  it("words resolve and reopen lines, with who did it", () => {
    const m = model();
    expect(eventItem(m, message({ seq: 2, author: "system", event: "resolved", agent_id: COLLEAGUE_ID }))?.text).toBe(
      "Eli resolved the conversation",
    );
    expect(eventItem(m, message({ seq: 3, author: "system", event: "reopened", agent_id: null }))?.text).toBe(
      "The visitor's message reopened the conversation",
    );
    expect(eventItem(m, message({ seq: 4 }))).toBeNull();
  });

  it("words assignments", () => {
    const m = model();
    expect(activityItem(m, activity({ id: 1, minute: 1 }))).toMatchObject({ kind: "activity", text: "Dana assigned this to Eli" });
    expect(activityItem(m, activity({ id: 2, minute: 1, assignee_id: AGENT_ID }))).toMatchObject({ text: "Dana took this conversation" });
    expect(activityItem(m, activity({ id: 3, minute: 1, kind: "unassigned", assignee_id: null }))).toMatchObject({
      text: "Dana unassigned this",
    });
  });

  it("interleaves by time, keeping the messages' order", () => {
    const m = model();
    const at = (time: string) => ({ time });
    const lines = [activityItem(m, activity({ id: 1, minute: 5 })), activityItem(m, activity({ id: 2, minute: 50 }))];
    const out = interleave([at("2026-11-24T07:00:00+00:00"), at("2026-11-24T07:10:00+00:00")], lines);
    expect(out.map((item) => ("kind" in item ? item.kind : item.time))).toEqual([
      "2026-11-24T07:00:00+00:00",
      "activity",
      "2026-11-24T07:10:00+00:00",
      "activity",
    ]);
  });

  it("offers Unassigned and the site's agents, and Assign to me unless assigned to this agent", () => {
    const m = model();
    const view = assignmentView(m, summary());
    expect(view.options).toEqual([
      { value: "", label: "Unassigned" },
      { value: String(AGENT_ID), label: "Dana (you)" },
      { value: String(COLLEAGUE_ID), label: "Eli" },
    ]);
    expect(view).toMatchObject({ assignee: "", canTake: true, resolved: false, me: AGENT_ID });
    expect(assignmentView(m, summary({ assignee_id: AGENT_ID })).canTake).toBe(false);
    const gone = assignmentView(m, summary({ assignee_id: 42, assignee_name: "Gus", status: "resolved" }));
    expect(gone.options.slice(-1)).toEqual([{ value: "42", label: "Gus" }]);
    expect(gone.resolved).toBe(true);
  });

  it("previews a resolve or reopen in the inbox in the console's words", () => {
    const m = model();
    const last = message({ seq: 2, author: "system", event: "resolved", agent_id: AGENT_ID, body: "This conversation was resolved." });
    expect(previewText(m, initialState(), summary({ last_message: last }))).toBe("Dana resolved the conversation");
  });
});
