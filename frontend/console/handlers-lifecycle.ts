// What the console does with the lifecycle's frames: activity (assignments, notes) and being assigned.
// Part of the frame → handler map (handlers.ts spreads it in).

import type { ConsoleController } from "./controller";
import type { FrameOf } from "./dispatch";
import { visitorLabel } from "./format";
import { isSummary } from "./state/conversations";
import { LIFECYCLE } from "./strings";

export function lifecycleHandlers(c: ConsoleController) {
  const { conversations, activity } = c.model;
  return {
    "activity.new"(frame: FrameOf<"activity.new">): void {
      c.tools.onActivity([frame.activity]);
      if (!activity.add([frame.activity])) return;
      const open = frame.activity.conversation_id === c.state.openId;
      c.touch(open ? { scrollRequest: c.state.scrollRequest + 1 } : {});
    },

    // Sent only to the assignee (never when agents assign themselves): say so, with a way to open it.
    "conversation.assigned"(frame: FrameOf<"conversation.assigned">): void {
      if (!isSummary(frame.conversation)) return;
      const conversation = conversations.upsert(frame.conversation);
      c.touch();
      const who = frame.by?.name || LIFECYCLE.someone;
      c.showToast(LIFECYCLE.assignedYou(who, visitorLabel(conversation.summary.visitor)), "", false, conversation.id);
    },
  };
}
