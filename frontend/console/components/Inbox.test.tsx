// @vitest-environment happy-dom
import { act } from "preact/test-utils";
import { afterEach, describe, expect, it, vi } from "vitest";
import { AGENT_ID, message, mountConsole, ready, summary } from "../testing";

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

  it("shows each view with its live count; a row leaves the view when its status changes", () => {
    const { socket } = mount();
    act(() => socket.receive(ready(summary({ id: "a" }), summary({ id: "b", assignee_id: AGENT_ID }))));
    const counts = () =>
      [...root.querySelectorAll<HTMLElement>('[data-console="view-tab"]')].map((tab) => [
        tab.dataset.view,
        tab.querySelector('[data-console="view-count"]')?.textContent,
        tab.getAttribute("aria-pressed"),
      ]);
    expect(counts()).toEqual([
      ["mine", "1", "false"],
      ["unassigned", "1", "false"],
      ["open", "2", "true"],
      ["resolved", "0", "false"],
    ]);
    act(() =>
      socket.receive({
        type: "inbox.update",
        conversation: summary({ id: "a", status: "resolved", last_read_seq: null }),
        previous: { status: "open", assignee_id: null },
      } as never),
    );
    expect(rows().map((row) => row.dataset.conversationId)).toEqual(["b"]);
    expect(counts().map((row) => row[1])).toEqual(["1", "0", "1", "1"]);
    act(() => root.querySelector<HTMLButtonElement>('[data-view="mine"]')!.click());
    expect(socket.last("inbox.query")).toMatchObject({ view: "mine", site_id: null, before: null });
    expect(rows().map((row) => row.dataset.conversationId)).toEqual(["b"]);
  });

  it("searches once typing pauses, shows the snippet as text, and Esc clears", () => {
    vi.useFakeTimers();
    try {
      const { socket } = mount();
      act(() => socket.receive(ready(summary({ id: "a" }))));
      const box = root.querySelector<HTMLInputElement>('[data-console="search"]')!;
      act(() => {
        box.value = "ref";
        box.dispatchEvent(new Event("input", { bubbles: true }));
        box.value = "refund";
        box.dispatchEvent(new Event("input", { bubbles: true }));
      });
      expect(socket.ofType("inbox.query")).toHaveLength(0);
      act(() => void vi.advanceTimersByTime(300));
      expect(socket.ofType("inbox.query")).toEqual([
        { type: "inbox.query", view: "open", site_id: null, before: null, search: "refund" },
      ]);
      act(() =>
        socket.receive({
          type: "inbox.page",
          view: "open",
          site_id: null,
          search: "refund",
          before: null,
          conversations: [summary({ id: "z" })],
          matches: [{ conversation_id: "z", message_id: 5, seq: 2, snippet: "<i>my refund</i>" }],
          next: null,
        }),
      );
      expect(rows().map((row) => row.dataset.conversationId)).toEqual(["z"]);
      const snippet = rows()[0]!.querySelector('[data-console="snippet"]')!;
      expect(snippet.textContent).toBe("Matched: <i>my refund</i>");
      expect(snippet.querySelector("i")).toBeNull();
      act(() => void box.dispatchEvent(new KeyboardEvent("keydown", { key: "Escape", bubbles: true })));
      expect(box.value).toBe("");
      expect(rows().map((row) => row.dataset.conversationId)).toEqual(["z", "a"]);
    } finally {
      vi.useRealTimers();
    }
  });

  it("asks for the next page when the list's end scrolls into sight", () => {
    const observers: ((entries: { isIntersecting: boolean }[]) => void)[] = [];
    vi.stubGlobal(
      "IntersectionObserver",
      class {
        constructor(callback: (entries: { isIntersecting: boolean }[]) => void) {
          observers.push(callback);
        }
        observe(): void {}
        disconnect(): void {}
      },
    );
    try {
      const { socket } = mount();
      act(() => socket.receive({ ...ready(summary({ id: "a" })), inbox_next: "cursor-1" }));
      expect(root.querySelector<HTMLElement>('[data-console="inbox-more"]')!.hidden).toBe(false);
      act(() => observers[observers.length - 1]!([{ isIntersecting: true }]));
      expect(socket.last("inbox.query")).toEqual({
        type: "inbox.query",
        view: "open",
        site_id: null,
        before: "cursor-1",
        search: null,
      });
      act(() =>
        socket.receive({
          type: "inbox.page",
          view: "open",
          site_id: null,
          search: null,
          before: "cursor-1",
          conversations: [summary({ id: "old", updated_at: "2026-01-01T00:00:00+00:00" })],
          matches: [],
          next: null,
        }),
      );
      expect(rows().map((row) => row.dataset.conversationId)).toEqual(["a", "old"]);
      expect(root.querySelector<HTMLElement>('[data-console="inbox-more"]')!.hidden).toBe(true);
    } finally {
      vi.unstubAllGlobals();
    }
  });
});
