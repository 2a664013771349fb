// Keyboard shortcuts of the console (listed by "?"): which key does what. Pure: easy to test.

export type ShortcutAction =
  | "next"
  | "previous"
  | "reply"
  | "note"
  | "resolve"
  | "assign-me"
  | "search"
  | "escape"
  | "help";

const KEYS: Readonly<Record<string, ShortcutAction>> = {
  j: "next",
  k: "previous",
  r: "reply",
  n: "note",
  e: "resolve",
  a: "assign-me",
  "/": "search",
  "?": "help",
  Escape: "escape",
};

export interface KeyLike {
  key: string;
  ctrlKey?: boolean;
  metaKey?: boolean;
  altKey?: boolean;
  isComposing?: boolean;
  target?: EventTarget | null;
}

/** Whether the key goes to something the agent types in (then only Escape is a shortcut). */
export function isTyping(target: EventTarget | null | undefined): boolean {
  const element = target as HTMLElement | null | undefined;
  if (!element || typeof element.tagName !== "string") return false;
  const tag = element.tagName.toLowerCase();
  return tag === "input" || tag === "textarea" || tag === "select" || element.isContentEditable === true;
}

/** The action a key press asks for, or null (a modifier held, typing, or no shortcut). */
export function shortcutAction(event: KeyLike): ShortcutAction | null {
  if (event.ctrlKey || event.metaKey || event.altKey || event.isComposing) return null;
  const action = KEYS[event.key] ?? null;
  if (action === null) return null;
  if (isTyping(event.target) && action !== "escape") return null;
  return action;
}
