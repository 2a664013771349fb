// Events from the loader to whoever listens (the badge, the panel): "change" (messages or
// outbox), "state" (connection state) and every frame by its type (the panel wants "error").

import type { Listener } from "./types";

const listeners: Listener[] = [];
// The last detail of each event, so the panel, loaded later, starts from the team's availability.
export const latest: Record<string, unknown> = {};

export function listen(listener: Listener): void {
  listeners.push(listener);
}

export function emit(type: string, detail?: unknown): void {
  latest[type] = detail;
  for (const listener of listeners) listener(type, detail);
}
