// What the visitor sidebar shows, derived from `visitor.detail`. Pure: easy to test.

import type { PastConversation, VisitorDetail } from "../shared/protocol";
import { fullTime, relativeTime } from "../shared/time";
import { SIDEBAR } from "./strings";

export interface SidebarRow {
  key: string;
  label: string;
  text: string;
  /** An http(s) address to link the text to, else null (never any other scheme). */
  href: string | null;
  title?: string;
}

export interface PastRow {
  id: string;
  text: string;
  status: string;
  current: boolean;
}

/** The address itself when it is http or https, else null: only those become links. */
export function safeHttpUrl(url: string | null | undefined): string | null {
  if (!url) return null;
  try {
    const parsed = new URL(url);
    return parsed.protocol === "http:" || parsed.protocol === "https:" ? parsed.href : null;
  } catch {
    return null;
  }
}

/** The time now in a time zone, "14:05"; "" for an unknown zone. */
export function localTime(timeZone: string, now: number): string {
  if (!timeZone) return "";
  try {
    return new Intl.DateTimeFormat(undefined, { timeZone, hour: "2-digit", minute: "2-digit" }).format(now);
  } catch {
    return "";
  }
}

/** The sidebar's rows, in order; rows without a value are left out. */
export function sidebarRows(visitor: VisitorDetail, now: number): SidebarRow[] {
  const rows: SidebarRow[] = [];
  const add = (key: string, label: string, text: string, href: string | null = null, title?: string): void => {
    if (text) rows.push({ key, label, text, href, title });
  };
  add("email", SIDEBAR.email, visitor.email);
  add("page", SIDEBAR.page, visitor.page_title || visitor.page_url, safeHttpUrl(visitor.page_url), visitor.page_url);
  if (visitor.page_title) add("page-url", SIDEBAR.pageUrl, visitor.page_url, safeHttpUrl(visitor.page_url));
  add("referrer", SIDEBAR.referrer, visitor.referrer, safeHttpUrl(visitor.referrer));
  add("browser", SIDEBAR.browser, [visitor.browser, visitor.os].filter(Boolean).join(SIDEBAR.on));
  const time = localTime(visitor.timezone, now);
  add("local-time", SIDEBAR.localTime, time && `${time} (${visitor.timezone})`);
  add("language", SIDEBAR.language, visitor.language);
  add("first-seen", SIDEBAR.firstSeen, relativeTime(visitor.first_seen_at, now), null, fullTime(visitor.first_seen_at));
  add("visits", SIDEBAR.visits, String(visitor.visits));
  return rows;
}

/** The site's custom attributes of the visitor (`Parley('setAttributes')`), by key, as text. */
export function attributeRows(visitor: VisitorDetail): { key: string; text: string }[] {
  return Object.entries(visitor.attributes ?? {})
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([key, value]) => ({ key, text: String(value) }));
}

/** The visitor's conversations as the sidebar lists them. */
export function pastRows(conversations: readonly PastConversation[], openId: string | null, now: number): PastRow[] {
  return conversations.map((conversation) => ({
    id: conversation.id,
    text: SIDEBAR.started(relativeTime(conversation.created_at, now)),
    status: conversation.status === "resolved" ? SIDEBAR.resolved : SIDEBAR.open,
    current: conversation.id === openId,
  }));
}
