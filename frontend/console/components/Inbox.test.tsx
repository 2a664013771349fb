// @vitest-environment happy-dom
import { act } from "preact/test-utils";
import { afterEach, describe, expect, it } from "vitest";
import { message, mountConsole, ready, summary } from "../testing";

let root: HTMLElement;
let unmount = (): void => {};

function mount() {
  const setup = mountConsole();
  ({ root, unmount } = setup);
  return setup;
}

afterEach(() => unmount());

const rows = () => [...root.querySelectorAll<HTMLButtonElement>('[data-console="conversation"]')];

describe("Inbox", () => {
  it("shows each conversation with its preview and an unread dot and count", () => {
    const { socket } = mount();
    expect(root.querySelector('[data-console="inbox-loading"]')?.hasAttribute("hidden")).toBe(false);
    act(() => socket.receive(ready(summary({ last_message: message({ seq: 1, body: "<b>hi</b>" }) }))));
    expect(rows()).toHaveLength(1);
    const row = rows()[0]!;
    expect(row.dataset.unread).toBe("true");
    expect(row.querySelector('[data-console="preview"]')?.textContent).toBe("<b>hi</b>");
    expect(row.querySelector("b")).toBeNull();
    expect(row.querySelector(".unread-dot")?.textContent).toBe("Unread");
    const count = root.querySelector<HTMLElement>('[data-console="unread-count"]')!;
    expect(count.hidden).toBe(false);
    expect(count.textContent).toBe("1");
    expect(count.getAttribute("aria-label")).toBe("1 unread");
    expect(document.title).toBe("(1) Parley console");
    expect(root.querySelector('[data-console="status"]')?.getAttribute("data-state")).toBe("online");
  });

  it("opens a conversation on click: read, selected, thread view", () => {
    const { socket } = mount();
    act(() => socket.receive(ready(summary({ last_seq: 1, last_message: message({ seq: 1 }) }))));
    act(() => rows()[0]!.click());
    act(() =>
      socket.receive({
        type: "conversation.opened",
        conversation: summary({ last_seq: 1, last_message: message({ seq: 1 }) }),
        messages: [message({ seq: 1 })],
        has_more: false,
      activity: [],
      }),
    );
    expect(root.dataset.view).toBe("thread");
    expect(rows()[0]!.dataset.unread).toBe("false");
    expect(rows()[0]!.getAttribute("aria-current")).toBe("true");
    expect(root.querySelectorAll('[data-console="thread"] [data-console="message"][data-seq="1"]')).toHaveLength(1);
    expect(document.title).toBe("Parley console");
  });

  it("moves between rows with the arrow keys", () => {
    const { socket } = mount();
    act(() => socket.receive(ready(summary({ id: "a" }), summary({ id: "b" }))));
    const [first, second] = rows();
    expect([first!.tabIndex, second!.tabIndex]).toEqual([0, -1]);
    first!.focus();
    act(() => {
      first!.dispatchEvent(new KeyboardEvent("keydown", { key: "ArrowDown", bubbles: true }));
    });
    expect(document.activeElement).toBe(second);
    expect([first!.tabIndex, second!.tabIndex]).toEqual([-1, 0]);
  });
});
