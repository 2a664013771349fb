import { describe, expect, it } from "vitest";
import { summary } from "../testing";
import { InboxPages, inView, viewsOf } from "./inbox";

const page = (fields: Record<string, unknown>) =>
  ({
    type: "inbox.page",
    view: "open",
    site_id: null,
    search: null,
    before: null,
    conversations: [],
    matches: [],
    next: null,
    ...fields,
  }) as never;

describe("inbox views", () => {
  it("puts a conversation in the views its status and assignee say", () => {
    expect(viewsOf({ status: "open", assignee_id: null }, 7)).toEqual(["open", "unassigned"]);
    expect(viewsOf({ status: "open", assignee_id: 7 }, 7)).toEqual(["open", "mine"]);
    expect(viewsOf({ status: "open", assignee_id: 8 }, 7)).toEqual(["open"]);
    expect(viewsOf({ status: "resolved", assignee_id: 7 }, 7)).toEqual(["resolved"]);
    expect(inView(summary(), "open", "", 7)).toBe(true);
    expect(inView(summary(), "open", "2", 7)).toBe(false);
  });
});

describe("InboxPages", () => {
  it("asks each view's first page once, then its next pages by cursor until the last", () => {
    const pages = new InboxPages();
    pages.startWith("c1");
    const open = { view: "open", siteFilter: "", search: "" } as const;
    expect(pages.request(open, false)).toBeNull();
    expect(pages.request(open, true)).toMatchObject({ view: "open", before: "c1", site_id: null, search: null });
    expect(pages.request(open, true)).toBeNull(); // one at a time
    pages.receive(page({ before: "c1", next: null }));
    expect(pages.hasMore(open)).toBe(false);
    expect(pages.request(open, true)).toBeNull();
    const mine = { view: "mine", siteFilter: "3", search: "" } as const;
    expect(pages.request(mine, false)).toEqual({ type: "inbox.query", view: "mine", site_id: 3, before: null, search: null });
    expect(pages.loading(mine)).toBe(true);
    pages.failed();
    expect(pages.loading(mine)).toBe(false);
    expect(pages.request(mine, false)).not.toBeNull();
  });

  it("keeps a search's results in order with their snippets, a first page replacing them", () => {
    const pages = new InboxPages();
    const search = { view: "open", siteFilter: "", search: " refund " } as const;
    expect(pages.request(search, false)).toMatchObject({ search: "refund", before: null });
    pages.receive(
      page({
        search: "refund",
        conversations: [summary({ id: "a" }), summary({ id: "b" })],
        matches: [{ conversation_id: "b", message_id: 1, seq: 1, snippet: "my refund" }],
        next: "n1",
      }),
    );
    expect(pages.resultsFor(search)).toEqual(["a", "b"]);
    expect(pages.snippets.get("b")).toBe("my refund");
    pages.receive(page({ search: "refund", before: "n1", conversations: [summary({ id: "c" })] }));
    expect(pages.resultsFor(search)).toEqual(["a", "b", "c"]);
    expect(pages.request(search, false)).not.toBeNull(); // a search entered again is asked again
    pages.receive(page({ search: "refund", conversations: [summary({ id: "c" })] }));
    expect(pages.resultsFor(search)).toEqual(["c"]);
    expect(pages.resultsFor({ ...search, search: "other" })).toEqual([]);
  });
});
