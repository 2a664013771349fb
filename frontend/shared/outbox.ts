// Messages sent but not yet stored by the server. Each is sent again (same client_id, which the
// server stores at most once) after every reconnect until its ack or a stored copy arrives, or the
// server refuses it for good. Where the list lives is injected: the widget keeps it in localStorage
// so a reload loses nothing, the console may keep it in memory.

import type { AgentMessageSend, VisitorMessageSend } from "./protocol";

/** A `message.send` waiting for its ack, and when it was written. */
export interface OutboxEntry extends Omit<VisitorMessageSend, "type"> {
  created_at: string;
  /** The agent's replies name their conversation; the visitor has one at a time. */
  conversation_id?: AgentMessageSend["conversation_id"];
}

/** Where the outbox is kept, as JSON text; `write(null)` forgets it. */
export interface OutboxStorage {
  read(): string | null;
  write(text: string | null): void;
}

/** Kept for this page only. */
export function memoryStorage(): OutboxStorage {
  let text: string | null = null;
  return {
    read: () => text,
    write: (value) => {
      text = value;
    },
  };
}

/** Kept under `key` in localStorage. Any access may throw (privacy modes, sandboxed frames): then in memory only. */
export function webStorage(key: string, storage: () => Storage = () => localStorage): OutboxStorage {
  return {
    read() {
      try {
        return storage().getItem(key);
      } catch {
        return null;
      }
    },
    write(text) {
      try {
        if (text === null) storage().removeItem(key);
        else storage().setItem(key, text);
      } catch {
        // Blocked or full: the copy in memory still serves this page.
      }
    },
  };
}

const CLIENT_ID = /^[A-Za-z0-9_-]{1,64}$/;

function isEntry(value: unknown): value is OutboxEntry {
  if (value === null || typeof value !== "object") return false;
  const entry = value as Record<string, unknown>;
  return (
    typeof entry.client_id === "string" &&
    CLIENT_ID.test(entry.client_id) &&
    typeof entry.body === "string" &&
    typeof entry.created_at === "string" &&
    (entry.conversation_id === undefined || typeof entry.conversation_id === "string")
  );
}

export interface OutboxOptions {
  storage?: OutboxStorage;
  /** Called after every change of the entries. */
  onChange?: () => void;
}

export class Outbox {
  private entries: OutboxEntry[] = [];
  private readonly storage: OutboxStorage;
  private readonly onChange: () => void;

  constructor({ storage = memoryStorage(), onChange = () => {} }: OutboxOptions = {}) {
    this.storage = storage;
    this.onChange = onChange;
    this.reload();
  }

  /** Reads the entries again from the storage (another tab may have changed them); unreadable ones are dropped. */
  reload(): void {
    let parsed: unknown = [];
    try {
      parsed = JSON.parse(this.storage.read() ?? "[]");
    } catch {
      // Unreadable: start empty.
    }
    this.entries = Array.isArray(parsed) ? parsed.filter(isEntry) : [];
  }

  /** Adds an entry to send (and to send again until it is settled). */
  add(entry: OutboxEntry): OutboxEntry {
    const copy: OutboxEntry = { client_id: entry.client_id, body: entry.body, created_at: entry.created_at };
    if (entry.conversation_id !== undefined) copy.conversation_id = entry.conversation_id;
    this.replace([...this.entries, copy]);
    return copy;
  }

  /** The entry with that client_id, or null. */
  get(clientId: string): OutboxEntry | null {
    return this.entries.find((entry) => entry.client_id === clientId) ?? null;
  }

  /** Every entry, oldest first (a copy). */
  all(): OutboxEntry[] {
    return [...this.entries];
  }

  /** The entries of one conversation, oldest first. */
  forConversation(conversationId: string): OutboxEntry[] {
    return this.entries.filter((entry) => entry.conversation_id === conversationId);
  }

  get size(): number {
    return this.entries.length;
  }

  /** The server stored it (`message.ack`): forget it. Returns whether it was held. */
  ack(clientId: string): boolean {
    return this.settle([{ client_id: clientId }]);
  }

  /** Stored copies arrived (ack, new, ready or history): forget the entries with their client_ids. */
  settle(messages: readonly { client_id?: string | null }[]): boolean {
    const stored = new Set(messages.map((message) => message.client_id));
    const rest = this.entries.filter((entry) => !stored.has(entry.client_id));
    if (rest.length === this.entries.length) return false;
    this.replace(rest);
    return true;
  }

  /** The server refused it for good: forget it and return it (its body goes back to the writer), or null. */
  refuse(clientId: string): OutboxEntry | null {
    const entry = this.get(clientId);
    if (entry) this.replace(this.entries.filter((held) => held !== entry));
    return entry;
  }

  /** Sends every entry (that `include` accepts) again, oldest first, until `send` fails; returns how many went. */
  resend(send: (entry: OutboxEntry) => boolean, include: (entry: OutboxEntry) => boolean = () => true): number {
    let sent = 0;
    for (const entry of this.entries) {
      if (!include(entry)) continue;
      if (!send(entry)) break;
      sent += 1;
    }
    return sent;
  }

  private replace(entries: OutboxEntry[]): void {
    this.entries = entries;
    this.storage.write(entries.length ? JSON.stringify(entries) : null);
    this.onChange();
  }
}
