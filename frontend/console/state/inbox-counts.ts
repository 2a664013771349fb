// The live count of each inbox view, per site: `ready.counts`, then moved by every `inbox.update` from the
// views of the row's previous state to those of its new one (the server sends nothing else for them).
// A view the server counted only up to its limit (`over`) keeps its count as a lower bound: moving a lower
// bound by one as a conversation comes or goes leaves it a lower bound.

import type { InboxCounts as SiteCounts } from "../../shared/protocol";
import { VIEWS, viewsOf, type InboxView, type RowState } from "./inbox";

type Counts = Record<InboxView, number>;

const zero = (): Counts => ({ mine: 0, unassigned: 0, open: 0, resolved: 0 });

export class InboxCounts {
  private readonly bySite = new Map<number, Counts>();
  private readonly overBySite = new Map<number, Set<InboxView>>();

  /** The counts `ready` carried (replacing any held). */
  reset(list: unknown): void {
    this.bySite.clear();
    this.overBySite.clear();
    for (const row of Array.isArray(list) ? (list as SiteCounts[]) : []) {
      if (typeof row?.site_id !== "number") continue;
      const counts = zero();
      for (const view of VIEWS) counts[view] = Math.max(0, Number(row[view]) || 0);
      this.bySite.set(row.site_id, counts);
      const over = Array.isArray(row.over) ? row.over : [];
      this.overBySite.set(row.site_id, new Set(VIEWS.filter((view) => over.includes(view))));
    }
  }

  /** A conversation of a site went from `previous` (null: it is new) to `current`. */
  move(siteId: number, previous: RowState | null, current: RowState, agentId: number | null): void {
    const counts = this.bySite.get(siteId) ?? zero();
    this.bySite.set(siteId, counts);
    if (previous) for (const view of viewsOf(previous, agentId)) counts[view] = Math.max(0, counts[view] - 1);
    for (const view of viewsOf(current, agentId)) counts[view] += 1;
  }

  /** A view's count on one site ("" for every site). */
  count(view: InboxView, siteFilter: string): number {
    let total = 0;
    for (const [siteId, counts] of this.bySite) if (!siteFilter || String(siteId) === siteFilter) total += counts[view];
    return total;
  }

  /** Whether a view holds more than its count on one site ("" for any site). */
  over(view: InboxView, siteFilter: string): boolean {
    for (const [siteId, over] of this.overBySite) {
      if ((!siteFilter || String(siteId) === siteFilter) && over.has(view)) return true;
    }
    return false;
  }
}
