// Agent-only activity per conversation (assigned, unassigned, private notes): from
// `conversation.opened.activity` and live `activity.new`. Never part of the seq stream, so kept by id.
// Pure state: nothing here sends frames or touches the DOM.

import type { Activity } from "../../shared/protocol";

/** Whether a value from the wire is an activity the console can show. */
export function isActivity(value: unknown): value is Activity {
  if (value === null || typeof value !== "object") return false;
  const activity = value as Partial<Activity>;
  return typeof activity.conversation_id === "string" && typeof activity.kind === "string" && activity.id !== undefined;
}

export class ActivityLog {
  private readonly byConversation = new Map<string, Map<string, Activity>>();

  /** Keeps activities (each id once); returns how many were new. */
  add(activities: unknown): number {
    let added = 0;
    for (const activity of Array.isArray(activities) ? activities : []) {
      if (!isActivity(activity)) continue;
      let held = this.byConversation.get(activity.conversation_id);
      if (!held) this.byConversation.set(activity.conversation_id, (held = new Map()));
      const key = String(activity.id);
      if (held.has(key)) continue;
      held.set(key, activity);
      added += 1;
    }
    return added;
  }

  /** A conversation's activity, oldest first. */
  of(conversationId: string): Activity[] {
    const held = this.byConversation.get(conversationId);
    if (!held) return [];
    const time = (activity: Activity): number => Date.parse(activity.created_at) || 0;
    return [...held.values()].sort((a, b) => time(a) - time(b) || Number(a.id) - Number(b.id));
  }
}
