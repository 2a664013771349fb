// Messages typed but not yet stored by the server (the panel creates them; the transport sends
// them again after every `ready`, with the same client_id, which the server deduplicates).
// Saved to localStorage, so a reload or a lost connection never eats what the visitor wrote.

import { emit } from "./events";
import { load, save } from "./storage";
import type { Message } from "../shared/protocol";
import type { PendingItem } from "./types";

let outboxKey = "";
let outboxItems: PendingItem[] = [];

export function openOutbox(key: string): void {
  try {
    outboxItems = JSON.parse(load((outboxKey = key)) as string) || [];
  } catch {
    // Unreadable: start empty.
  }
}

export function pendingItems(): PendingItem[] {
  return outboxItems;
}

export function setPending(items: PendingItem[]): void {
  save(outboxKey, JSON.stringify((outboxItems = items)));
  emit("change");
}

// A stored copy (ack, new, ready or history) settles the entry with its client_id.
export function settlePending(messages: readonly Pick<Message, "client_id">[]): void {
  const ids = messages.map((message) => message.client_id);
  const rest = outboxItems.filter((item) => !ids.includes(item.client_id));
  if (rest.length < outboxItems.length) setPending(rest);
}
