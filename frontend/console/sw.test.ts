import { describe, expect, it, vi } from "vitest";
import { consoleUrl, install, openConsole, readPayload } from "./sw";

function worker(windows: { url: string; focus: () => Promise<unknown>; postMessage: (m: unknown) => void }[] = []) {
  const listeners: Record<string, (event: never) => void> = {};
  const showNotification = vi.fn(async () => {});
  const openWindow = vi.fn(async () => null);
  const scope = {
    registration: { scope: "https://chat.example/console/", showNotification } as unknown as ServiceWorkerRegistration,
    clients: { matchAll: vi.fn(async () => windows), openWindow },
    addEventListener: (type: string, listener: (event: never) => void) => (listeners[type] = listener),
  };
  return { scope, listeners, showNotification, openWindow };
}

describe("the console's service worker", () => {
  it("reads a push's payload, with a title when it has none", () => {
    expect(readPayload({ title: "T", body: "B", conversation_id: "c1" })).toEqual({
      title: "T",
      body: "B",
      conversationId: "c1",
    });
    expect(readPayload("junk")).toEqual({ title: "Parley", body: "", conversationId: "" });
  });

  it("addresses the console with the conversation to open", () => {
    expect(consoleUrl("https://chat.example/console/", "c 1")).toBe("https://chat.example/console/#conversation=c%201");
    expect(consoleUrl("https://chat.example/console/", "")).toBe("https://chat.example/console/");
  });

  it("shows a push as a notification tagged by its conversation", async () => {
    const { scope, listeners, showNotification } = worker();
    install(scope);
    const waited: Promise<unknown>[] = [];
    const event = {
      data: { json: () => ({ title: "New conversation: Ann", body: "Hi", conversation_id: "c1" }) },
      waitUntil: (promise: Promise<unknown>) => waited.push(promise),
    };
    listeners.push!(event as never);
    await Promise.all(waited);
    expect(showNotification).toHaveBeenCalledWith("New conversation: Ann", {
      body: "Hi",
      tag: "c1",
      data: { conversation_id: "c1" },
    });
  });

  it("focuses an open console and tells it what to open, else opens one", async () => {
    const focus = vi.fn(async () => null);
    const postMessage = vi.fn();
    const withTab = worker([{ url: "https://chat.example/console/", focus, postMessage }]);
    await openConsole(withTab.scope, "c1");
    expect(focus).toHaveBeenCalled();
    expect(postMessage).toHaveBeenCalledWith({ type: "parley.open", conversation_id: "c1" });
    const none = worker();
    await openConsole(none.scope, "c1");
    expect(none.openWindow).toHaveBeenCalledWith("https://chat.example/console/#conversation=c1");
  });
});
