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

export const STATUS_TEXT: Record<string, string> = {
  connecting: "Connecting…",
  online: "Online",
  offline: "Reconnecting…",
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
