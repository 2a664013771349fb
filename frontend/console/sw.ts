// The console's service worker (served at /console/sw.js, scope /console/): shows a Web Push the server
// sent (docs/notifications.md) and, on a click, focuses a console tab on that conversation or opens one.
// Compiled against the DOM's types: the worker's own (WebWorker) cannot be in the same program.

import { NOTIFY } from "./strings";

interface PushPayload {
  title: string;
  body: string;
  conversationId: string;
}

/** A push's JSON read defensively (a push service relays exactly what the server sent, but still). */
export function readPayload(data: unknown): PushPayload {
  const fields = data !== null && typeof data === "object" ? (data as Record<string, unknown>) : {};
  const text = (value: unknown): string => (typeof value === "string" ? value : "");
  return {
    title: text(fields.title) || NOTIFY.fallbackTitle,
    body: text(fields.body),
    conversationId: text(fields.conversation_id),
  };
}

/** The console's address opening a conversation (the console reads `#conversation=`). */
export function consoleUrl(scope: string, conversationId: string): string {
  return conversationId ? `${scope}#conversation=${encodeURIComponent(conversationId)}` : scope;
}

interface WindowClientLike {
  url: string;
  focus(): Promise<unknown>;
  postMessage(message: unknown): void;
}

interface WorkerScope {
  registration: ServiceWorkerRegistration;
  clients: {
    matchAll(options: { type: "window"; includeUncontrolled: boolean }): Promise<WindowClientLike[]>;
    openWindow(url: string): Promise<unknown>;
  };
  addEventListener(type: string, listener: (event: never) => void): void;
}

interface ExtendableEvent {
  waitUntil(promise: Promise<unknown>): void;
}

interface PushEvent extends ExtendableEvent {
  data: { json(): unknown } | null;
}

interface NotificationEvent extends ExtendableEvent {
  notification: Notification;
}

/** Focuses a console tab and tells it which conversation to open, else opens a new one there. */
export async function openConsole(worker: WorkerScope, conversationId: string): Promise<void> {
  const scope = worker.registration.scope;
  const windows = await worker.clients.matchAll({ type: "window", includeUncontrolled: true });
  const open = windows.find((client) => client.url.startsWith(scope));
  if (open) {
    await open.focus();
    open.postMessage({ type: "parley.open", conversation_id: conversationId });
    return;
  }
  await worker.clients.openWindow(consoleUrl(scope, conversationId));
}

export function install(worker: WorkerScope): void {
  worker.addEventListener("push", (event: PushEvent) => {
    let data: unknown = null;
    try {
      data = event.data?.json() ?? null;
    } catch {
      data = null;
    }
    const payload = readPayload(data);
    event.waitUntil(
      worker.registration.showNotification(payload.title, {
        body: payload.body,
        tag: payload.conversationId || undefined,
        data: { conversation_id: payload.conversationId },
      }),
    );
  });
  worker.addEventListener("notificationclick", (event: NotificationEvent) => {
    event.notification.close();
    const data = event.notification.data as { conversation_id?: unknown } | null;
    const id = typeof data?.conversation_id === "string" ? data.conversation_id : "";
    event.waitUntil(openConsole(worker, id));
  });
}

if (typeof self !== "undefined" && "registration" in self) install(self as unknown as WorkerScope);
