// The launcher's accessible name before the panel arrives, in English: the loader's only words. Without
// the panel the chat is closed (an open fetches it at once), so only "Open chat" is needed; the panel
// names the launcher in the visitor's language (locales/).

/** "Open chat", with the unread count, which screen readers announce instead of the badge. */
export const launcherLabel = (unread: number): string => "Open chat" + (unread ? ` (${unread} unread)` : "");
