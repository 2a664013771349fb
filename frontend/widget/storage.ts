// The host page's localStorage. Any access may throw (privacy modes, sandboxed frames) and the
// chat must work anyway, so callers keep their state in memory and use this as a cache.

export function load(key: string): string | null {
  try {
    return localStorage.getItem(key);
  } catch {
    return null;
  }
}

export function save(key: string, text: string): void {
  try {
    localStorage.setItem(key, text);
  } catch {
    // Blocked or full: the copy in memory still serves this page.
  }
}
