// The inbox: one row per conversation, newest activity first; arrow keys move between rows.

import { useEffect, useLayoutEffect, useRef } from "preact/hooks";
import type { SiteInfo } from "../../shared/protocol";
import type { InboxView } from "../state/inbox";
import { INBOX } from "../strings";
import type { InboxRow, ViewTab } from "../view";
import { SearchBox } from "./SearchBox";
import { ViewTabs } from "./ViewTabs";

export interface InboxProps {
  rows: readonly InboxRow[];
  unread: number;
  sites: readonly SiteInfo[];
  siteFilter: string;
  loading: boolean;
  /** The text shown when there is no row, or null. */
  emptyText: string | null;
  /** Set to move the focus to a row (going back from the thread). */
  focusRequest: { id: string; n: number } | null;
  onOpen: (id: string) => void;
  onFocusRow: (id: string) => void;
  onSiteFilter: (value: string) => void;
  tabs: readonly ViewTab[];
  search: string;
  /** More rows can be asked for (shown when the list's end scrolls into sight). */
  hasMore: boolean;
  onView: (view: InboxView) => void;
  onSearch: (text: string) => void;
  onMore: () => void;
}

const ROW = '[data-console="conversation"]';

function rowButton(list: HTMLElement | null, id: string): HTMLButtonElement | null {
  for (const button of list?.querySelectorAll<HTMLButtonElement>(ROW) ?? []) {
    if (button.dataset.conversationId === id) return button;
  }
  return null;
}

function focusedRowId(): string | null {
  const active = document.activeElement as HTMLElement | null;
  return active?.dataset?.console === "conversation" ? (active.dataset.conversationId ?? null) : null;
}

function Row({ row, onOpen }: { row: InboxRow; onOpen: (id: string) => void }) {
  const classes = `conversation${row.unread ? " is-unread" : ""}${row.selected ? " is-selected" : ""}`;
  return (
    <li class="inbox-row">
      <button
        type="button"
        class={classes}
        data-console="conversation"
        data-conversation-id={row.id}
        data-unread={String(row.unread)}
        aria-current={row.selected ? "true" : undefined}
        tabIndex={row.focusable ? 0 : -1}
        onClick={() => onOpen(row.id)}
      >
        <span class={`avatar avatar-${row.avatar.colour}`} aria-hidden="true">
          {row.avatar.letter}
        </span>
        <span class="conversation-main">
          <span class="conversation-top">
            <span class="conversation-name">{row.label}</span>
            <time class="conversation-time" dateTime={row.time ?? undefined} title={row.timeTitle || undefined}>
              {row.timeText}
            </time>
          </span>
          <span class="conversation-bottom">
            <span class="conversation-preview" data-console={row.snippet ? "snippet" : "preview"}>
              {row.snippet ? <span class="visually-hidden">{INBOX.matched}</span> : null}
              {row.preview}
            </span>
            {row.unread ? (
              <span class="unread-dot">
                <span class="visually-hidden">{INBOX.unread}</span>
              </span>
            ) : null}
          </span>
          <span class="conversation-site">
            {row.site}
            {row.resolved ? <span class="tag" data-console="row-status">{INBOX.resolved}</span> : null}
            {row.assignee ? (
              <span class="tag tag-assignee" data-console="row-assignee">
                {row.assignee}
              </span>
            ) : null}
          </span>
        </span>
      </button>
    </li>
  );
}

export function Inbox(props: InboxProps) {
  const { rows, unread, sites, siteFilter, focusRequest, onFocusRow } = props;
  const list = useRef<HTMLUListElement>(null);
  // A row moved to the top loses the focus in some browsers: give it back after rendering.
  const focused = focusedRowId();
  useLayoutEffect(() => {
    const button = focused ? rowButton(list.current, focused) : null;
    if (button && document.activeElement !== button) button.focus();
  });
  useEffect(() => {
    if (focusRequest) rowButton(list.current, focusRequest.id)?.focus();
  }, [focusRequest]);
  // The list's end in sight asks for the next page (again after each page, while more remain).
  const more = useRef<HTMLParagraphElement>(null);
  const onMore = useRef(props.onMore);
  onMore.current = props.onMore;
  const { hasMore } = props;
  useEffect(() => {
    const sentinel = more.current;
    if (!hasMore || !sentinel || typeof IntersectionObserver === "undefined") return;
    const observer = new IntersectionObserver((entries) => {
      if (entries.some((entry) => entry.isIntersecting)) onMore.current();
    });
    observer.observe(sentinel);
    return () => observer.disconnect();
  }, [hasMore, rows.length]);

  const onKeyDown = (event: KeyboardEvent): void => {
    const button = (event.target as HTMLElement).closest<HTMLButtonElement>(ROW);
    if (!button || !list.current) return;
    const buttons = [...list.current.querySelectorAll<HTMLButtonElement>(ROW)];
    const index = buttons.indexOf(button);
    const moves: Record<string, number> = {
      ArrowDown: index + 1,
      ArrowUp: index - 1,
      Home: 0,
      End: buttons.length - 1,
    };
    const target = moves[event.key];
    if (target === undefined) return;
    event.preventDefault();
    const next = buttons[target];
    if (!next) return;
    onFocusRow(next.dataset.conversationId ?? "");
    next.focus();
  };

  return (
    <section class="inbox-pane" aria-labelledby="inbox-heading">
      <div class="inbox-head">
        <h1 id="inbox-heading" class="pane-title">
          {INBOX.heading}{" "}
          <span class="count" data-console="unread-count" hidden={unread === 0} aria-label={INBOX.unreadCount(unread)}>
            {unread ? String(unread) : ""}
          </span>
        </h1>
        <label class="site-filter" hidden={sites.length < 2}>
          <span class="visually-hidden">{INBOX.site}</span>
          <select
            data-console="site-filter"
            value={siteFilter}
            onChange={(event) => props.onSiteFilter(event.currentTarget.value)}
          >
            <option value="">{INBOX.allSites}</option>
            {sites.map((site) => (
              <option key={site.id} value={String(site.id)}>
                {site.name}
              </option>
            ))}
          </select>
        </label>
      </div>
      <SearchBox text={props.search} onSearch={props.onSearch} />
      <ViewTabs tabs={props.tabs} onView={props.onView} />
      <p class="inbox-empty" data-console="inbox-empty" hidden={props.emptyText === null}>
        {props.emptyText ?? ""}
      </p>
      <p class="inbox-loading" data-console="inbox-loading" hidden={!props.loading}>
        {INBOX.loading}
      </p>
      <div class="inbox-scroll">
        <ul class="inbox" data-console="inbox" aria-label={INBOX.label} ref={list} onKeyDown={onKeyDown}>
          {rows.map((row) => (
            <Row key={row.id} row={row} onOpen={props.onOpen} />
          ))}
        </ul>
        <p class="inbox-more" data-console="inbox-more" ref={more} hidden={!hasMore || !rows.length}>
          {INBOX.loadingMore}
        </p>
      </div>
    </section>
  );
}
