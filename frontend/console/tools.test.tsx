// @vitest-environment happy-dom
import { act } from "preact/test-utils";
import { afterEach, describe, expect, it } from "vitest";
import type { Activity, CannedReply } from "../shared/protocol";
import { message, mountConsole, ready, summary, visitorDetail } from "./testing";

let root: HTMLElement;
let unmount = (): void => {};
afterEach(() => unmount());

const VISITOR_ID = "a2b3c4d5e6";
const canned: CannedReply = {
  id: 7,
  site_id: 1,
  shortcut: "refund",
  title: "Refunds",
  body: "Refunds take 5 days.",
  updated_at: "2026-12-06T10:00:00+00:00",
};
const detail = visitorDetail({
  page_url: "https://shop.test/shoes",
  page_title: "Shoes",
  referrer: "javascript:alert(1)",
  browser: "Chrome 120",
  os: "Linux",
  timezone: "Europe/Paris",
  language: "fr-FR",
  visits: 3,
});

function note(id: number, body: string, client_id: string | null = null): Activity {
  return {
    id,
    conversation_id: "c1",
    kind: "note",
    agent_id: 1,
    author_name: "Dana",
    assignee_id: null,
    assignee_name: null,
    body,
    client_id,
    created_at: "2026-12-06T10:00:00+00:00",
  };
}

function opened() {
  const setup = mountConsole();
  ({ root, unmount } = setup);
  act(() => setup.socket.receive({ ...ready(summary({ last_seq: 1, last_message: message({ seq: 1 }) })), canned: [canned] }));
  act(() => setup.controller.openConversation("c1"));
  act(() =>
    setup.socket.receive({
      type: "conversation.opened",
      conversation: summary(),
      messages: [message({ seq: 1 })],
      has_more: false,
      activity: [note(1, "Asked twice already")],
    }),
  );
  return setup;
}

const box = () => root.querySelector<HTMLTextAreaElement>('[data-console="reply"]')!;
const q = (name: string) => root.querySelector<HTMLElement>(`[data-console="${name}"]`);

function type(text: string): void {
  act(() => {
    box().value = text;
    box().dispatchEvent(new Event("input", { bubbles: true }));
  });
}

function press(key: string, target: EventTarget = box()): void {
  act(() => {
    target.dispatchEvent(new KeyboardEvent("keydown", { key, bubbles: true, cancelable: true }));
  });
}

describe("agent tools", () => {
  it("asks for the open conversation's visitor and shows it, linking only http(s)", () => {
    const { socket } = opened();
    expect(socket.last("visitor.get")).toEqual({ type: "visitor.get", visitor_id: VISITOR_ID });
    act(() => socket.receive({ type: "visitor.detail", visitor: detail, conversations: [] }));
    expect(q("sidebar-name")?.textContent).toBe("Amber Fox");
    const page = q("sidebar-page")!.querySelector("a")!;
    expect(page.getAttribute("href")).toBe("https://shop.test/shoes");
    expect(page.getAttribute("rel")).toBe("noopener noreferrer nofollow");
    expect(q("sidebar-referrer")!.querySelector("a")).toBeNull();
    expect(q("sidebar-browser")?.textContent).toContain("Chrome 120 on Linux");
    act(() => socket.receive({ type: "visitor.page", visitor_id: VISITOR_ID, url: "https://shop.test/cart", title: "Cart" }));
    expect(q("sidebar-page")!.querySelector("a")!.getAttribute("href")).toBe("https://shop.test/cart");
    expect(q("sidebar-page")?.textContent).toContain("Cart");
  });

  it("shows the visitor's attributes by key, as text, and follows visitor.attributes", () => {
    const { socket } = opened();
    act(() => socket.receive({ type: "visitor.detail", visitor: { ...detail, attributes: { seats: 3, plan: "pro" } }, conversations: [] }));
    const keys = () => [...root.querySelectorAll('[data-console="sidebar-attribute"]')].map((row) => row.getAttribute("data-key"));
    expect(keys()).toEqual(["plan", "seats"]);
    const markup = '<img src=x onerror="window.__pwned=1">';
    act(() => socket.receive({ type: "visitor.attributes", visitor_id: VISITOR_ID, attributes: { plan: markup, trial: false } }));
    expect(keys()).toEqual(["plan", "trial"]);
    const plan = root.querySelector('[data-key="plan"] dd')!;
    expect(plan.textContent).toBe(markup);
    expect(plan.querySelector("img")).toBeNull();
    expect(root.querySelector('[data-key="trial"] dd')?.textContent).toBe("false");
    act(() => socket.receive({ type: "visitor.attributes", visitor_id: "someone-else", attributes: { plan: "x" } }));
    expect(root.querySelector('[data-key="plan"] dd')?.textContent).toBe(markup);
  });

  it("keeps notes apart and sends a note in Note mode", () => {
    const { socket } = opened();
    expect(q("notes")?.textContent).toContain("Asked twice already");
    expect(root.querySelector('[data-console="messages"]')?.textContent).not.toContain("Asked twice");
    act(() => q("mode-note")!.click());
    expect(q("composer")?.dataset.mode).toBe("note");
    type("Gold customer");
    act(() => q("send")!.click());
    const sent = socket.last("note.add")!;
    expect(sent).toMatchObject({ type: "note.add", conversation_id: "c1", body: "Gold customer" });
    expect(socket.ofType("message.send")).toEqual([]);
    act(() => socket.receive({ type: "activity.new", activity: note(2, "Gold customer", sent.client_id as string) }));
    expect(root.querySelectorAll('[data-console="note"]')).toHaveLength(2);
    expect(root.querySelector('[data-console="note"][data-pending]')).toBeNull();
  });

  it("expands a canned reply from /shortcut with Tab", () => {
    opened();
    type("/ref");
    expect(q("canned-suggestions")?.textContent).toContain("/refund");
    press("Tab");
    expect(box().value).toBe("Refunds take 5 days.");
    expect(q("canned-suggestions")).toBeNull();
  });

  it("applies canned.changed and sends canned.save from the dialog", () => {
    const { socket, controller } = opened();
    act(() => socket.receive({ type: "canned.changed", site_id: 1, canned: null, deleted_id: 7 }));
    type("/ref");
    expect(q("canned-suggestions")).toBeNull();
    act(() => {
      controller.tools.saveCanned({ id: null, site_id: 1, shortcut: "hi", title: "", body: "Hello!" });
    });
    expect(socket.last("canned.save")).toEqual({
      type: "canned.save",
      id: null,
      site_id: 1,
      shortcut: "hi",
      title: "",
      body: "Hello!",
    });
  });

  it("runs keyboard shortcuts outside the reply box only", () => {
    const { socket, controller } = opened();
    press("e", document.body);
    expect(socket.last("conversation.resolve")).toEqual({ type: "conversation.resolve", conversation_id: "c1" });
    press("e");
    expect(socket.ofType("conversation.resolve")).toHaveLength(1);
    press("?", document.body);
    expect(controller.tools.state.shortcutsOpen).toBe(true);
    act(() => controller.tools.openShortcuts(false));
    press("n", document.body);
    expect(controller.tools.state.mode).toBe("note");
    press("Escape", document.body);
    expect(controller.state.openId).toBeNull();
  });
});
