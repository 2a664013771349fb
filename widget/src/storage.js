// The host page's localStorage. Any access may throw (privacy modes, sandboxed frames) and the
// chat must work anyway, so callers keep their state in memory and use this as a cache.

export function load(key) {
  try {
    return localStorage.getItem(key);
  } catch (error) {
    return null;
  }
}

export function save(key, text) {
  try {
    localStorage.setItem(key, text);
  } catch (error) {
    // Blocked or full: the copy in memory still serves this page.
  }
}
