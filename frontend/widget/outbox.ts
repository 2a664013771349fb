// Messages typed but not yet stored by the server (the panel creates them and sends them again after
// every `ready`, with the same client_id, which the server deduplicates). Saved to localStorage, so a
// reload or a lost connection never eats what the visitor wrote. Part of panel.js: the loader only
// fetches the panel early when a page view starts with entries left (docs/widget.md).

import type { Message, VisitorServerFrame } from "../shared/protocol";
import { load, save } from "./storage";
import type { PanelApi, PendingItem } from "./types";

let outboxKey = "";
let outboxItems: PendingItem[] = [];
let changed = (): void => {};

export function openOutbox(key: string, onChange: () => void = changed): void {
  changed = onChange;
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
  changed();
}

// A stored copy (ack, new, ready or history) settles the entry with its client_id.
export function settlePending(messages: readonly Pick<Message, "client_id">[]): void {
  const ids = messages.map((message) => message.client_id);
  const rest = outboxItems.filter((item) => !ids.includes(item.client_id));
  if (rest.length < outboxItems.length) setPending(rest);
}

/** Sends items as `message.send`; only once `ready` came, since frames before it are refused. */
export function transmitter(api: Pick<PanelApi, "send" | "state">): (items: readonly PendingItem[]) => void {
  return (items) => {
    if (api.state() !== "online") return;
    for (const item of items) api.send({ type: "message.send", client_id: item.client_id, body: item.body });
  };
}

/** Settles entries from every frame that carries stored messages, and sends the rest after each `ready`. */
export function followFrames(api: Pick<PanelApi, "listen">, transmit: (items: readonly PendingItem[]) => void): void {
  api.listen((_type, detail) => {
    const frame = detail as VisitorServerFrame;
    if (frame && frame.type === "ready") {
      settlePending(frame.messages);
      transmit(outboxItems);
    } else if (frame && (frame.type === "message.new" || frame.type === "message.ack")) settlePending([frame.message]);
    else if (frame && frame.type === "history") settlePending(frame.messages);
  });
}
