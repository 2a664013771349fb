// Every text the console shows a person, in one place.

import type { ErrorCode } from "../shared/protocol";

export const TITLE = "Parley console";

export const STATUS = {
  connecting: "Connecting…",
  reconnecting: "Reconnecting…",
  online: "Online",
} as const;

export const INBOX = {
  heading: "Inbox",
  label: "Conversations",
  loading: "Loading conversations…",
  empty: "No conversations yet. Open the demo page and say hello.",
  emptyForSite: "No conversations for this site yet.",
  allSites: "All sites",
  site: "Site",
  noMessages: "No messages yet",
  you: "You",
  agent: "Agent",
  unread: "Unread",
  resolved: "Resolved",
  unreadCount: (count: number): string => `${count} unread`,
  views: { mine: "Mine", unassigned: "Unassigned", open: "All open", resolved: "Resolved" },
  viewsLabel: "Views",
  viewCount: (label: string, count: number): string => `${label}, ${count}`,
  emptyView: "No conversations in this view.",
  search: "Search conversations",
  searchPlaceholder: "Search messages, names, emails, pages",
  searchHint: "Esc clears",
  noResults: (search: string): string => `No conversation matches “${search}”.`,
  loadingMore: "Loading more…",
  matched: "Matched: ",
} as const;

export const THREAD = {
  label: "Conversation",
  messagesLabel: "Messages",
  placeholderTitle: "No conversation selected",
  placeholderText: "Pick a conversation from the inbox to read it and reply.",
  back: "Inbox",
  page: "Page",
  resolved: "Resolved",
  loading: "Loading conversation…",
  sending: "Sending…",
  waiting: "Waiting for connection…",
  visitor: "Visitor",
  agent: "Agent",
  system: "Parley",
  you: "You",
} as const;

export const COMPOSER = {
  label: "Reply",
  placeholder: "Write a reply…",
  send: "Send",
  enter: "Enter",
  shift: "Shift",
  sendHint: " send · ",
  newLineHint: " new line",
} as const;

export const TOPBAR = {
  wordmark: "Parley",
  logout: "Log out",
} as const;

export const TOAST = {
  notification: "Notification",
  dismiss: "Dismiss notification",
  close: "×",
} as const;

/** Why a reply (or another request) was refused, by error code. */
export const ERROR_TEXT: Readonly<Partial<Record<ErrorCode, string>>> = {
  body_too_long: "That reply is too long.",
  empty_body: "Write something before sending.",
  rate_limited: "You are sending too fast. Retrying in a moment…",
  not_found: "This conversation is no longer available.",
  invalid_field: "The server refused that request.",
  internal_error: "The server had a problem. Retrying…",
};

export const REPLY_ERROR = {
  notSent: "The reply was not sent.",
  tooLong: (max: number): string => `That reply is too long (at most ${max} characters).`,
  // Within the character limit but too large as a frame (control characters escape to six bytes each).
  frameTooLarge: "That reply is too long to send.",
  frameTooLargeLocal: "That reply is too long to send in one message.",
} as const;
