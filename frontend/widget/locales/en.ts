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
  // Never drop a visitor (docs/offline.md).
  AWAY_DEFAULT: "We're away right now.",
  EMAIL_ASK: "Leave your email: we will reply here and by email.",
  EMAIL_ASK_FIRST: "What's your email? So we can reply even if you leave.",
  EMAIL_LABEL: "Your email",
  EMAIL_SAVE: "Save",
  EMAIL_INVALID: "That doesn't look like an email address.",
  emailSavedText: (email: string): string => `We will reply here and by email at ${email}.`,
  RATE_QUESTION: "How was this conversation?",
  SCORE_TEXT: { good: "Good", okay: "Okay", bad: "Bad" } as Record<string, string>,
  RATE_COMMENT: "Add a comment (optional)",
  RATE_SEND: "Send rating",
  RATE_THANKS: "Thanks for your rating! You can change it.",
  TRANSCRIPT_ASK: "Email me the transcript",
  transcriptSentText: (email: string): string => `The transcript is on its way to ${email}.`,
};

export type Strings = typeof T;
