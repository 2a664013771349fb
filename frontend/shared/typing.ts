// Typing indicators, the same in both clients: when to say `start`/`stop`, and who is typing now.

/** The server relays at most one `start` per 2 s per socket (PARLEY_TYPING_INTERVAL_SECONDS); a little
 * more keeps a refresh that the network delayed less than the one before from being dropped. */
export const TYPING_INTERVAL_MS = 2500;

export interface TypingSender {
  /** The box's text changed: `start` (again every interval while typing), or `stop` once it is empty. */
  input: (text: string) => void;
  /** Sent, left or blurred: `stop` if a `start` went. */
  stop: () => void;
}

/** Says `start` at most every interval while there is text, and `stop` once after a `start`. */
export function typingSender(send: (state: "start" | "stop") => boolean, now: () => number = Date.now): TypingSender {
  let startedAt = -Infinity;
  let typing = false;
  function stop(): void {
    if (typing) send("stop");
    typing = false;
    startedAt = -Infinity;
  }
  return {
    input(text) {
      if (!text.trim()) return stop();
      if (now() - startedAt < TYPING_INTERVAL_MS) return;
      if (send("start")) {
        typing = true;
        startedAt = now();
      }
    },
    stop,
  };
}

/** Who is typing (by a key per author), each until `stop`, a message from them, or its TTL. */
export class TypingTracker {
  private readonly names = new Map<string, string>();
  private readonly timers = new Map<string, ReturnType<typeof setTimeout>>();

  constructor(private readonly onChange: () => void) {}

  start(key: string, name: string, ttlSeconds: number): void {
    clearTimeout(this.timers.get(key));
    this.timers.set(
      key,
      setTimeout(() => this.stop(key), ttlSeconds * 1000),
    );
    if (this.names.get(key) === name) return;
    this.names.set(key, name);
    this.onChange();
  }

  stop(key: string): void {
    clearTimeout(this.timers.get(key));
    this.timers.delete(key);
    if (this.names.delete(key)) this.onChange();
  }

  /** The names typing now, in the order they started. */
  who(): string[] {
    return [...this.names.values()];
  }
}
