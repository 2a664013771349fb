// What the thread shows of the conversation lifecycle: system lines for resolve and reopen, activity
// lines (assigned, unassigned), interleaved by time with the messages, and the
// header's assignee menu and Resolve/Reopen. Pure, like view.ts.

import type { Activity, ConversationSummary, Message } from "../shared/protocol";
import { clockTime, fullTime } from "../shared/time";
import type { ConsoleModel } from "./model";
import { LIFECYCLE } from "./strings";

interface Timed {
  time: string;
  timeText: string;
  timeTitle: string;
}

/** A resolve or reopen, stored as a system message in the seq stream. */
export interface EventItem extends Timed {
  kind: "event";
  key: string;
  seq: number;
  event: string;
  text: string;
}

/** An assignment change (agents only). */
export interface ActivityItem extends Timed {
  kind: "activity";
  key: string;
  activityKind: string;
  text: string;
}

export type LifecycleItem = EventItem | ActivityItem;

export interface AssigneeOption {
  value: string;
  label: string;
}

export interface AssignmentView {
  resolved: boolean;
  /** The select's value: the assignee's id, or "" when unassigned. */
  assignee: string;
  options: AssigneeOption[];
  /** "Assign to me" is offered (this agent is not the assignee). */
  canTake: boolean;
  /** This agent's id. */
  me: number | null;
}

const timed = (time: string): Timed => ({ time, timeText: clockTime(time), timeTitle: fullTime(time) });

/** A system message's line, in the console's words (the body is the server's fallback). */
export function eventItem(model: ConsoleModel, message: Message): EventItem | null {
  const event = message.event;
  if (event !== "resolved" && event !== "reopened") return null;
  const who =
    model.team.name(message.agent_id) ||
    message.author_name ||
    (event === "reopened" && message.agent_id === null ? LIFECYCLE.visitorMessage : LIFECYCLE.someone);
  return {
    kind: "event",
    key: `seq-${message.seq}`,
    seq: message.seq,
    event,
    text: event === "resolved" ? LIFECYCLE.resolved(who) : LIFECYCLE.reopened(who),
    ...timed(message.created_at),
  };
}

/** An assignment line (notes are shown apart, in the sidebar). */
export function activityItem(model: ConsoleModel, activity: Activity): ActivityItem {
  const who = activity.author_name || model.team.name(activity.agent_id) || LIFECYCLE.someone;
  const base = { key: `activity-${activity.id}`, ...timed(activity.created_at) };
  let text = LIFECYCLE.unassignedBy(who);
  if (activity.kind === "assigned") {
    const assignee = activity.assignee_name || model.team.name(activity.assignee_id) || LIFECYCLE.someone;
    text = activity.assignee_id === activity.agent_id ? LIFECYCLE.assignedSelf(who) : LIFECYCLE.assigned(who, assignee);
  }
  return { kind: "activity", activityKind: activity.kind, text, ...base };
}

/** Places each activity before the first message that is later than it (messages keep their seq order). */
export function interleave<T extends { time: string }>(messages: T[], activities: LifecycleItem[]): (T | LifecycleItem)[] {
  const out: (T | LifecycleItem)[] = [];
  let next = 0;
  const at = (time: string): number => Date.parse(time) || 0;
  for (const message of messages) {
    while (next < activities.length && at((activities[next] as LifecycleItem).time) < at(message.time)) {
      out.push(activities[next] as LifecycleItem);
      next += 1;
    }
    out.push(message);
  }
  return out.concat(activities.slice(next));
}

/** The header's controls: who can be assigned (the conversation's site's agents), and Resolve or Reopen. */
export function assignmentView(model: ConsoleModel, summary: ConversationSummary): AssignmentView {
  const me = model.agentId;
  const options: AssigneeOption[] = [{ value: "", label: LIFECYCLE.unassigned }];
  const agents = model.team.ofSite(summary.site?.id);
  for (const agent of agents) {
    options.push({ value: String(agent.id), label: agent.id === me ? LIFECYCLE.you(agent.name) : agent.name });
  }
  const assigneeId = summary.assignee_id ?? null;
  if (assigneeId !== null && !agents.some((agent) => agent.id === assigneeId)) {
    // Assigned to someone this page does not list (left the site): still say who.
    options.push({ value: String(assigneeId), label: summary.assignee_name || LIFECYCLE.someone });
  }
  return {
    resolved: summary.status === "resolved",
    assignee: assigneeId === null ? "" : String(assigneeId),
    options,
    canTake: me !== null && assigneeId !== me,
    me,
  };
}
