// Every text the panel shows or has read out (screen readers read the labels), in English. Each locale
// (fr.ts, es.ts, ar.ts) has the same keys; frontend/build.mjs builds one panel per locale
// (panel-<locale>.js), so a visitor loads only their own.

import type { ErrorCode } from "../../shared/protocol";

const TOO_LONG = "That message is too long. Please shorten it.";

export const T = {
  /** The BCP 47 tag Intl formats times with. */
  LOCALE: "en",
  /** The launcher's label; the unread count is announced instead of the badge. */
  launcherLabel: (open: boolean, unread: number): string => (open ? "Close chat" : "Open chat") + (unread ? ` (${unread} unread)` : ""),
  CLOSE_CHAT: "Close chat",
  CHAT_WITH: "Chat with ",
  COMPOSER_PLACEHOLDER: "Write a message…",
  COMPOSER_LABEL: "Message",
  MESSAGES_LABEL: "Messages",
  SEND_LABEL: "Send message",
  SENDING: "Sending…",
  AGENT: "Agent",
  /** System lines, by the message's `event` (the body holds the server's English fallback). */
  EVENT_TEXT: {
    resolved: "Conversation resolved",
    reopened: "Conversation reopened",
  } as Record<string, string>,
  STATUS_TEXT: {
    connecting: "Connecting…",
    online: "Online",
    offline: "Reconnecting…",
  } as Record<string, string>,
  // The header while connected: whether an agent is there to answer (the server's `availability`).
  AVAILABILITY_TEXT: {
    online: "Online — usually replies in a few minutes",
    away: "Away — we'll reply here",
  } as Record<string, string>,
  ERROR_TEXT: {
    body_too_long: TOO_LONG,
    frame_too_large: TOO_LONG,
    empty_body: "A message cannot be empty.",
    rate_limited: "Sending too fast — we'll send it in a moment.",
    internal_error: "Something went wrong. Retrying…",
  } as Partial<Record<ErrorCode, string>>,
  // For a message refused for any other reason (the server's message is for developers, not visitors).
  REFUSED_TEXT: "That message could not be sent. Please edit it and try again.",
  // Read receipts and typing.
  SEEN: "Seen",
  typingText: (names: readonly string[]): string => `${names.join(", ")} ${names.length > 1 ? "are" : "is"} typing…`,
};

export type Strings = typeof T;
