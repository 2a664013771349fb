// @vitest-environment happy-dom
import { describe, expect, it } from "vitest";
import { createMessageList, type ListItem, messageNode } from "./message-list";

const stored = (seq: number, body: string, extra: Partial<ListItem> = {}): ListItem => ({
  seq,
  client_id: `id-${seq}`,
  author: "visitor",
  body,
  created_at: new Date(2026, 10, 24, 9, 5).toISOString(),
  ...extra,
});

function setup() {
  const greeting = messageNode("greeting");
  const { list, renderMessages } = createMessageList(greeting);
  const items = () => [...list.querySelectorAll<HTMLElement>('[data-parley="message"]')];
  return { list, renderMessages, items };
}

describe("message list", () => {
  it("renders what people typed as text, never as markup", () => {
    const { list, renderMessages, items } = setup();
    const body = '<img src=x onerror="alert(1)"><b>bold</b>';
    expect(renderMessages([stored(1, body), stored(2, "Hi", { author: "agent", author_name: "<i>Bob</i>" })])).toBe(true);
    expect(list.querySelector("img, b, i")).toBeNull();
    const [first, second] = items();
    expect(first?.querySelector(".bubble")?.textContent).toBe(body);
    expect(first?.querySelector(".meta")?.textContent).toBe("09:05");
    expect(second?.querySelector(".meta")?.textContent).toBe("<i>Bob</i> · 09:05");
    expect(second?.dataset.author).toBe("agent");
    expect(first?.dataset.seq).toBe("1");
  });

  it("turns a pending bubble into the stored one in place", () => {
    const { renderMessages, items } = setup();
    renderMessages([{ client_id: "abc", author: "visitor", body: "Hello", created_at: "", pending: true }]);
    const [pending] = items();
    expect(pending?.hasAttribute("data-pending")).toBe(true);
    expect(pending?.querySelector(".meta")?.textContent).toBe("Sending…");
    expect(pending?.dataset.seq).toBeUndefined();
    expect(renderMessages([stored(1, "Hello", { client_id: "abc" })])).toBe(false);
    const [settled] = items();
    expect(settled).toBe(pending);
    expect(settled?.hasAttribute("data-pending")).toBe(false);
    expect(settled?.dataset.seq).toBe("1");
  });

  it("keeps the greeting first, orders by the items and drops what is gone", () => {
    const { list, renderMessages, items } = setup();
    renderMessages([stored(1, "a"), stored(2, "b")]);
    renderMessages([stored(2, "b"), stored(3, "c", { client_id: null })]);
    expect(list.firstElementChild?.classList.contains("greeting")).toBe(true);
    expect(items().map((node) => node.querySelector(".bubble")?.textContent)).toEqual(["b", "c"]);
  });
});

describe("links in messages", () => {
  it("are <a> elements for http(s) and mailto only, and the rest stays text", () => {
    const { list, renderMessages, items } = setup();
    const body = 'See https://x.test/a, or mailto:help@x.test. Not javascript:alert(1) nor <a href="data:text/html,x">data:text/html,x</a>';
    renderMessages([stored(1, body, { author: "agent" })]);
    const bubble = items()[0]!.querySelector(".bubble")!;
    expect(bubble.textContent).toBe(body);
    const anchors = [...list.querySelectorAll("a")];
    expect(anchors.map((a) => [a.getAttribute("href"), a.textContent, a.getAttribute("rel"), a.getAttribute("target")])).toEqual([
      ["https://x.test/a", "https://x.test/a", "noopener noreferrer nofollow", "_blank"],
      ["mailto:help@x.test", "mailto:help@x.test", "noopener noreferrer nofollow", null],
    ]);
    // Drawn again with the same body: the nodes stay (a live region would read them out again).
    const [first] = anchors;
    renderMessages([stored(1, body, { author: "agent" })]);
    expect(list.querySelector("a")).toBe(first);
  });
});
