// The host page's localStorage, or its sessionStorage (this tab only) when `session` is set. Any access
// may throw (privacy modes, sandboxed frames) and the chat must work anyway, so callers keep their state
// in memory and use this as a cache.

export function load(key: string, session?: boolean): string | null {
  try {
    return (session ? sessionStorage : localStorage).getItem(key);
  } catch {
    return null;
  }
}

export function save(key: string, text: string, session?: boolean): void {
  try {
    (session ? sessionStorage : localStorage).setItem(key, text);
  } catch {
    // Blocked or full: the copy in memory still serves this page.
  }
}
