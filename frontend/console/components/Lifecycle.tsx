// The conversation lifecycle in the thread: the header's assignee menu and Resolve/Reopen, and the
// lines resolve, reopen and assignments leave among the messages.

import type { ActivityItem, AssignmentView, EventItem } from "../lifecycle-view";
import { LIFECYCLE } from "../strings";
import { Time } from "./Time";

export interface LifecycleActions {
  onAssign: (assigneeId: number | null) => void;
  onResolve: () => void;
  onReopen: () => void;
}

export function ThreadActions({ view, actions }: { view: AssignmentView; actions: LifecycleActions }) {
  const me = view.me;
  return (
    <div class="thread-actions" data-console="thread-actions">
      {view.canTake && me !== null ? (
        <button
          type="button"
          class="button button-small"
          data-console="assign-me"
          onClick={() => actions.onAssign(me)}
        >
          {LIFECYCLE.assignToMe}
        </button>
      ) : null}
      <label class="assignee">
        <span class="visually-hidden">{LIFECYCLE.assignee}</span>
        <select
          data-console="assignee"
          value={view.assignee}
          onChange={(event) => {
            const value = (event.currentTarget as HTMLSelectElement).value;
            actions.onAssign(value ? Number(value) : null);
          }}
        >
          {view.options.map((option) => (
            <option key={option.value} value={option.value}>
              {option.label}
            </option>
          ))}
        </select>
      </label>
      {view.resolved ? (
        // Keyed apart: one button element turned into the other would fade between their colours.
        <button key="reopen" type="button" class="button button-small" data-console="reopen" onClick={actions.onReopen}>
          {LIFECYCLE.reopen}
        </button>
      ) : (
        <button
          key="resolve"
          type="button"
          class="button button-small button-primary"
          data-console="resolve"
          onClick={actions.onResolve}
        >
          {LIFECYCLE.resolve}
        </button>
      )}
    </div>
  );
}

/** A resolve or reopen (a system message: a message hook) or an assignment (an activity hook). */
export function Line({ item }: { item: EventItem | ActivityItem }) {
  const hooks =
    item.kind === "event"
      ? { "data-console": "message", "data-author": "system", "data-event": item.event, "data-seq": String(item.seq) }
      : { "data-console": "activity", "data-kind": item.activityKind };
  return (
    <li class={`thread-line thread-${item.kind}`} {...hooks}>
      <span class="thread-line-text">{item.text}</span> <Time item={item} />
    </li>
  );
}
