// Events from the loader to whoever listens (the badge, the panel): "state" (connection state) and
// every frame by its type, after the loader took in its messages.

import type { Listener } from "./types";

const listeners: Listener[] = [];

export function listen(listener: Listener): void {
  listeners.push(listener);
}

export function emit(type: string, detail?: unknown): void {
  for (const listener of listeners) listener(type, detail);
}
