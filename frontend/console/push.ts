// Web Push for this browser (docs/notifications.md): the console's service worker registered, the browser
// subscribed with the server's VAPID key, and the subscription sent to (or removed from) the server.

import type { ConsoleConfig } from "./config";

/** Whether this browser and server can do Web Push at all. */
export function pushSupported(config: ConsoleConfig): boolean {
  return Boolean(config.push_public_key) && "serviceWorker" in navigator && typeof PushManager === "function";
}

/** The VAPID public key (base64url) as the bytes PushManager.subscribe takes. */
export function keyBytes(base64url: string): Uint8Array {
  const base64 = base64url.replace(/-/g, "+").replace(/_/g, "/");
  const binary = atob(base64 + "=".repeat((4 - (base64.length % 4)) % 4));
  return Uint8Array.from(binary, (char) => char.charCodeAt(0));
}

/** The page's CSRF token (the logout form carries it; the cookie is HttpOnly). */
export function csrfToken(): string {
  const input = document.querySelector<HTMLInputElement>('input[name="csrfmiddlewaretoken"]');
  return input?.value ?? "";
}

async function send(config: ConsoleConfig, method: "POST" | "DELETE", body: unknown): Promise<boolean> {
  const response = await fetch(config.push_subscriptions_url, {
    method,
    credentials: "same-origin",
    headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken() },
    body: JSON.stringify(body),
  });
  return response.ok;
}

/** Registers the worker, subscribes this browser and stores the subscription; whether it all worked. */
export async function subscribe(config: ConsoleConfig): Promise<boolean> {
  if (!pushSupported(config)) return false;
  try {
    const registration = await navigator.serviceWorker.register(config.service_worker_url);
    await navigator.serviceWorker.ready;
    const subscription =
      (await registration.pushManager.getSubscription()) ??
      (await registration.pushManager.subscribe({
        userVisibleOnly: true,
        applicationServerKey: keyBytes(config.push_public_key) as BufferSource,
      }));
    return await send(config, "POST", subscription.toJSON());
  } catch {
    return false;
  }
}

/** Removes this browser's subscription from the server and the browser. */
export async function unsubscribe(config: ConsoleConfig): Promise<void> {
  if (!("serviceWorker" in navigator)) return;
  try {
    const registration = await navigator.serviceWorker.getRegistration(config.service_worker_url);
    const subscription = await registration?.pushManager.getSubscription();
    if (!subscription) return;
    await send(config, "DELETE", { endpoint: subscription.endpoint });
    await subscription.unsubscribe();
  } catch {
    // The preference is off either way: the server pushes nothing to an agent with Web Push off.
  }
}
