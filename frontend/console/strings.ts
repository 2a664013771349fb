// Every text the console shows a person, in one place.

import type { ErrorCode } from "../shared/protocol";

export const TITLE = "Parley console";

export const STATUS = {
  connecting: "Connecting…",
  reconnecting: "Reconnecting…",
  online: "Connected",
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
  /** A view's count; `over` when the view holds more than the server counted. */
  viewCount: (count: number, over: boolean): string => (over ? `${count}+` : String(count)),
  views: { mine: "Mine", unassigned: "Unassigned", open: "All open", resolved: "Resolved" },
  viewsLabel: "Views",
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
  account: "Account",
  siteSettings: "Site settings",
  /** The Online/Away toggle: what it shows, and what it offers to switch to. */
  presence: { online: "Online", away: "Away" },
  presenceLabel: "Your status: visitors see the team as away while every agent is away",
  setAway: "Set yourself away",
  setOnline: "Set yourself online",
} as const;

export const TOAST = {
  notification: "Notification",
  open: "Open",
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
  conversation_superseded: "The visitor has started a newer conversation: reply there.",
};

export const REPLY_ERROR = {
  notSent: "The reply was not sent.",
  tooLong: (max: number): string => `That reply is too long (at most ${max} characters).`,
  // Within the character limit but too large as a frame (control characters escape to six bytes each).
  frameTooLarge: "That reply is too long to send.",
  frameTooLargeLocal: "That reply is too long to send in one message.",
} as const;

/** The conversation lifecycle: assignment, resolve and reopen, and the lines they leave in the thread. */
export const LIFECYCLE = {
  assignee: "Assignee",
  assignToMe: "Assign to me",
  unassigned: "Unassigned",
  you: (name: string): string => `${name} (you)`,
  resolve: "Resolve",
  reopen: "Reopen",
  someone: "Someone",
  visitorMessage: "The visitor's message",
  resolved: (who: string): string => `${who} resolved the conversation`,
  reopened: (who: string): string => `${who} reopened the conversation`,
  assigned: (who: string, assignee: string): string => `${who} assigned this to ${assignee}`,
  assignedSelf: (who: string): string => `${who} took this conversation`,
  unassignedBy: (who: string): string => `${who} unassigned this`,
  assignedYou: (who: string, visitor: string): string => `${who} assigned you: ${visitor}`,
} as const;

// --- Agent tools (docs/console.md, "Agent tools") ---

export const SIDEBAR = {
  label: "Visitor details",
  email: "Email",
  page: "Page",
  pageUrl: "Address",
  referrer: "Came from",
  browser: "Browser",
  on: " on ",
  localTime: "Local time",
  language: "Language",
  firstSeen: "First seen",
  visits: "Visits",
  attributes: "Attributes",
  conversations: "Conversations",
  started: (when: string): string => `Started ${when}`,
  open: "Open",
  resolved: "Resolved",
  current: "(this one)",
  loading: "Loading visitor…",
  notes: "Private notes",
  saving: "Saving…",
} as const;

export const NOTES = {
  reply: "Reply",
  note: "Note",
  modeLabel: "Write a",
  notePlaceholder: "Write a private note…",
  noteHint: "Only your team sees this",
  addNote: "Add note",
  noteBadge: "Note",
} as const;

export const CANNED = {
  open: "Canned replies",
  title: "Canned replies",
  close: "Close",
  empty: "No canned replies yet.",
  shortcut: "Shortcut",
  shortcutHint: "Type /shortcut in the reply box. Letters a-z, digits, - and _.",
  name: "Title",
  body: "Text",
  site: "Site",
  save: "Save",
  add: "New canned reply",
  edit: "Edit",
  delete: "Delete",
  cancel: "Cancel",
  suggestions: "Canned replies",
  suggestionHint: "Tab or Enter inserts",
} as const;

export const SHORTCUTS = {
  title: "Keyboard shortcuts",
  close: "Close",
  open: "Keyboard shortcuts (?)",
  keys: [
    ["j", "Next conversation"],
    ["k", "Previous conversation"],
    ["r", "Reply"],
    ["n", "Write a private note"],
    ["e", "Resolve the conversation"],
    ["a", "Assign the conversation to me"],
    ["/", "Search"],
    ["Esc", "Leave the reply box, close a dialog or the conversation"],
    ["?", "Show this list"],
  ] as ReadonlyArray<readonly [string, string]>,
} as const;

export const PRESENCE = {
  online: "Online",
  away: "Away",
  offline: "Offline",
  /** "Carol is also viewing", "Carol and Dan are also viewing". */
  alsoViewing: (names: string[]): string =>
    names.length === 1
      ? `${names[0]} is also viewing`
      : `${names.slice(0, -1).join(", ")} and ${names[names.length - 1]} are also viewing`,
  agent: (id: number): string => `Agent ${id}`,
} as const;

export const NOTIFY = {
  newConversation: (who: string): string => `New conversation: ${who}`,
  newMessage: (who: string): string => who,
  assigned: (by: string): string => `${by} assigned you a conversation`,
  fallbackTitle: "Parley",
} as const;

export const SETTINGS = {
  open: "Notifications",
  title: "Notifications",
  intro: "How Parley tells you about new conversations and messages for you.",
  desktop: "Desktop notifications while this tab is hidden",
  push: "Push notifications when no console is open",
  sound: "Play a sound",
  titleCount: "Unread count in the tab title",
  blocked: "Notifications are blocked for this site in your browser's settings.",
  unsupported: "This browser cannot show notifications.",
  pushUnavailable: "Push notifications are not available here.",
  pushFailed: "This browser could not be subscribed to push notifications.",
  done: "Done",
} as const;

/** Typing indicators and read receipts in the thread. */
export const SIGNALS = {
  seenByVisitor: "Seen by visitor",
  typing: (names: readonly string[]): string => `${names.join(", ")} ${names.length > 1 ? "are" : "is"} typing…`,
} as const;

// Ratings and the visitor's email (docs/offline.md).
export const RATINGS = {
  open: "Ratings",
  title: "Ratings",
  close: "Close",
  period: (days: number): string => `Per agent, the last ${days} days.`,
  agent: "Agent",
  good: "Good",
  okay: "Okay",
  bad: "Bad",
  none: "No ratings yet.",
  loading: "Loading…",
  rating: "Rating",
  score: { good: "Good", okay: "Okay", bad: "Bad" } as Record<string, string>,
} as const;
