// The inbox's views and pages: which view a conversation belongs to, which page to ask for next (a cursor
// per view, site and search), and the results of the current search. Pure state: it builds the frames the
// controller sends and takes the `inbox.page` frames it receives.

import type { ConversationSummary, InboxPage, InboxQuery, InboxView } from "../../shared/protocol";

export type { InboxView };

export const VIEWS: readonly InboxView[] = ["mine", "unassigned", "open", "resolved"];

/** What decides the views a conversation is in. */
export interface RowState {
  status: ConversationSummary["status"];
  assignee_id: number | null;
}

/** The views a conversation in this state is counted in, for this agent. */
export function viewsOf(row: RowState, agentId: number | null): InboxView[] {
  if (row.status === "resolved") return ["resolved"];
  if (row.assignee_id === null || row.assignee_id === undefined) return ["open", "unassigned"];
  return row.assignee_id === agentId ? ["open", "mine"] : ["open"];
}

/** Whether a conversation is shown in a view under a site filter ("" for every site). */
export function inView(summary: ConversationSummary, view: InboxView, siteFilter: string, agentId: number | null): boolean {
  if (siteFilter && String(summary.site?.id) !== siteFilter) return false;
  return viewsOf(summary, agentId).includes(view);
}

/** What the inbox shows: a view, on a site or all ("" ), searched or not (""). */
export interface InboxSelection {
  view: InboxView;
  siteFilter: string;
  search: string;
}

interface Paging {
  next: string | null;
  loading: boolean;
  loaded: boolean;
}

const keyOf = (selection: InboxSelection): string =>
  JSON.stringify([selection.view, selection.siteFilter, selection.search.trim()]);

export class InboxPages {
  private readonly pages = new Map<string, Paging>();
  /** The current search's conversation ids, in the server's order. */
  results: string[] = [];
  /** The matched message's snippet of each search result found by a message. */
  readonly snippets = new Map<string, string>();
  private resultsKey = "";

  /** A new socket: cursors of the old one are dropped (rows are kept). */
  reset(): void {
    this.pages.clear();
  }

  /** `ready` carried the first page of "open" over every site, and the cursor after it. */
  startWith(next: string | null): void {
    this.pages.set(keyOf({ view: "open", siteFilter: "", search: "" }), { next, loading: false, loaded: true });
  }

  /** The `inbox.query` to send for a selection (its next page with `more`), or null when none is due. */
  request(selection: InboxSelection, more: boolean): InboxQuery | null {
    const search = selection.search.trim();
    const key = keyOf(selection);
    const page = this.pages.get(key);
    if (page?.loading && (more || !search)) return null;
    // A search is asked again each time it is entered; a view's rows stay current through inbox.update.
    if (page?.loaded && (more ? page.next === null : !search)) return null;
    const before = more && page ? page.next : null;
    this.pages.set(key, { next: page?.next ?? null, loading: true, loaded: page?.loaded ?? false });
    return {
      type: "inbox.query",
      view: selection.view,
      site_id: selection.siteFilter ? Number(selection.siteFilter) : null,
      before,
      search: search || null,
    };
  }

  /** Whether the first page of a selection is still on its way. */
  loading(selection: InboxSelection): boolean {
    const page = this.pages.get(keyOf(selection));
    return page !== undefined && page.loading && !page.loaded;
  }

  /** Whether a selection has more pages to ask for. */
  hasMore(selection: InboxSelection): boolean {
    const page = this.pages.get(keyOf(selection));
    return page !== undefined && page.next !== null;
  }

  /** Takes an `inbox.page`: the cursor, and for a search its results (a first page replaces them). */
  receive(frame: InboxPage): void {
    const search = frame.search?.trim() ?? "";
    const selection = { view: frame.view, siteFilter: frame.site_id === null ? "" : String(frame.site_id), search };
    const key = keyOf(selection);
    this.pages.set(key, { next: frame.next ?? null, loading: false, loaded: true });
    if (!search) return;
    if (this.resultsKey !== key || !frame.before) {
      this.results = [];
      this.snippets.clear();
      this.resultsKey = key;
    }
    for (const conversation of frame.conversations) {
      if (!this.results.includes(conversation.id)) this.results.push(conversation.id);
    }
    for (const match of frame.matches) this.snippets.set(match.conversation_id, match.snippet);
  }

  /** The results held for a selection's search (empty until its first page came). */
  resultsFor(selection: InboxSelection): string[] {
    return this.resultsKey === keyOf(selection) ? this.results : [];
  }

  /** A query was refused: nothing is loading any more (the next scroll or change asks again). */
  failed(): void {
    for (const page of this.pages.values()) page.loading = false;
  }
}
