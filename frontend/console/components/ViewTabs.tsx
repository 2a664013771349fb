// The inbox's views (Mine, Unassigned, All open, Resolved), each with its live count.

import { INBOX } from "../strings";
import type { InboxView } from "../state/inbox";
import type { ViewTab } from "../view";

export interface ViewTabsProps {
  tabs: readonly ViewTab[];
  onView: (view: InboxView) => void;
}

export function ViewTabs({ tabs, onView }: ViewTabsProps) {
  return (
    <nav class="view-tabs" aria-label={INBOX.viewsLabel}>
      {tabs.map((tab) => (
        <button
          key={tab.view}
          type="button"
          class={`view-tab${tab.selected ? " is-selected" : ""}`}
          data-console="view-tab"
          data-view={tab.view}
          aria-pressed={tab.selected ? "true" : "false"}
          onClick={() => onView(tab.view)}
        >
          {/* The name is what shows, "Mine 3" (axe: label-content-name-mismatch). */}
          <span class="view-tab-label">{tab.label}</span>{" "}
          <span class="view-tab-count" data-console="view-count">
            {INBOX.viewCount(tab.count, tab.over)}
          </span>
        </button>
      ))}
    </nav>
  );
}
