// Every text a visitor sees or hears (screen readers read the labels), in one place. The bundler keeps
// only what each bundle uses, so the loader carries only its own few.

import type { ErrorCode } from "../shared/protocol";

export const OPEN_CHAT = "Open chat";
export const CLOSE_CHAT = "Close chat";
/** The launcher's label with the unread count, which screen readers announce instead of the badge. */
export const unreadLabel = (count: number): string => ` (${count} unread)`;

export const CHAT_WITH = "Chat with ";
export const COMPOSER_PLACEHOLDER = "Write a message…";
export const COMPOSER_LABEL = "Message";
export const MESSAGES_LABEL = "Messages";
export const SEND_LABEL = "Send message";
export const SENDING = "Sending…";
export const AGENT = "Agent";
/** System lines, by the message's `event` (the body holds the server's English fallback). */
export const EVENT_TEXT: Record<string, string> = {
  resolved: "Conversation resolved",
  reopened: "Conversation reopened",
};

export const STATUS_TEXT: Record<string, string> = {
  connecting: "Connecting…",
  online: "Online",
  offline: "Reconnecting…",
};

// The header while connected: whether an agent is there to answer (the server's `availability`).
export const AVAILABILITY_TEXT: Record<string, string> = {
  online: "Online — usually replies in a few minutes",
  away: "Away — we'll reply here",
};

const TOO_LONG = "That message is too long. Please shorten it.";
export const ERROR_TEXT: Partial<Record<ErrorCode, string>> = {
  body_too_long: TOO_LONG,
  frame_too_large: TOO_LONG,
  empty_body: "A message cannot be empty.",
  rate_limited: "Sending too fast — we'll send it in a moment.",
  internal_error: "Something went wrong. Retrying…",
};
// For a message refused for any other reason (the server's message is for developers, not visitors).
export const REFUSED_TEXT = "That message could not be sent. Please edit it and try again.";

// Read receipts and typing (panel only).
export const SEEN = "Seen";
export const typingText = (names: readonly string[]): string => `${names.join(", ")} ${names.length > 1 ? "are" : "is"} typing…`;

// Never drop a visitor (panel only; docs/offline.md).
export const AWAY_DEFAULT = "We're away right now.";
export const EMAIL_ASK = "Leave your email: we will reply here and by email.";
export const EMAIL_ASK_FIRST = "What's your email? So we can reply even if you leave.";
export const EMAIL_LABEL = "Your email";
export const EMAIL_SAVE = "Save";
export const EMAIL_INVALID = "That doesn't look like an email address.";
export const emailSavedText = (email: string): string => `We will reply here and by email at ${email}.`;
export const RATE_QUESTION = "How was this conversation?";
export const SCORE_TEXT: Record<string, string> = { good: "Good", okay: "Okay", bad: "Bad" };
export const RATE_COMMENT = "Add a comment (optional)";
export const RATE_SEND = "Send rating";
export const RATE_THANKS = "Thanks for your rating! You can change it.";
export const TRANSCRIPT_ASK = "Email me the transcript";
export const transcriptSentText = (email: string): string => `The transcript is on its way to ${email}.`;
