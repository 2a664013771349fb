// @vitest-environment happy-dom
import { act } from "preact/test-utils";
import { afterEach, describe, expect, it } from "vitest";
import { message, mountConsole, ready, summary } from "../testing";

let root: HTMLElement;
let unmount = (): void => {};

function mountWithOpenConversation() {
  const setup = mountConsole();
  ({ root, unmount } = setup);
  act(() => setup.socket.receive(ready(summary({ last_seq: 1, last_message: message({ seq: 1 }) }))));
  act(() => setup.controller.openConversation("c1"));
  act(() =>
    setup.socket.receive({
      type: "conversation.opened",
      conversation: summary(),
      messages: [message({ seq: 1 })],
      has_more: false,
      activity: [],
    }),
  );
  return setup;
}

afterEach(() => unmount());

const box = () => root.querySelector<HTMLTextAreaElement>('[data-console="reply"]')!;

function type(text: string): void {
  act(() => {
    box().value = text;
    box().dispatchEvent(new Event("input", { bubbles: true }));
  });
}

function press(key: string, init: KeyboardEventInit = {}): void {
  act(() => {
    box().dispatchEvent(new KeyboardEvent("keydown", { key, bubbles: true, cancelable: true, ...init }));
  });
}

describe("Composer", () => {
  it("sends on Enter, shows the reply as pending, not on Shift+Enter", () => {
    const { socket } = mountWithOpenConversation();
    type("Hello");
    press("Enter", { shiftKey: true });
    expect(socket.ofType("message.send")).toEqual([]);
    press("Enter");
    expect(socket.ofType("message.send")).toHaveLength(1);
    expect(box().value).toBe("");
    const pending = root.querySelector<HTMLElement>('[data-console="message"][data-pending]')!;
    expect(pending.textContent).toContain("Hello");
    expect(pending.querySelector(".pending-label")?.textContent).toBe("Sending…");
  });

  it("takes a refused reply's text back, with the reason as an alert", () => {
    const { socket } = mountWithOpenConversation();
    type("before\u0000after");
    press("Enter");
    const clientId = String(socket.ofType("message.send")[0]!.client_id);
    act(() => socket.receive({ type: "error", code: "invalid_field", message: "body holds NUL", ref: clientId }));
    expect(box().value).toBe("before\u0000after");
    const alert = root.querySelector<HTMLElement>('[role="alert"]')!;
    expect(alert.hidden).toBe(false);
    expect(alert.textContent).toBe("The server refused that request.");
    expect(root.querySelectorAll('[data-console="message"][data-pending]')).toHaveLength(0);
  });

  it("replaces the pending reply with the stored one on ack", () => {
    const { socket } = mountWithOpenConversation();
    type("Stored soon");
    press("Enter");
    const clientId = String(socket.ofType("message.send")[0]!.client_id);
    const stored = message({
      seq: 2,
      author: "agent",
      agent_id: 7,
      author_name: "Dana",
      client_id: clientId,
      body: "Stored soon",
    });
    act(() => socket.receive({ type: "message.ack", client_id: clientId, message: stored }));
    expect(root.querySelectorAll('[data-console="message"][data-pending]')).toHaveLength(0);
    const item = root.querySelector<HTMLElement>('[data-console="message"][data-seq="2"]')!;
    expect(item.dataset.author).toBe("agent");
    expect(item.classList.contains("is-mine")).toBe(true);
  });
});
