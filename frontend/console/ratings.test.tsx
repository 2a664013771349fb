// @vitest-environment happy-dom
import { act } from "preact/test-utils";
import { afterEach, describe, expect, it } from "vitest";
import { message, mountConsole, ready, summary, visitorDetail } from "./testing";

let root: HTMLElement;
let unmount = (): void => {};
afterEach(() => unmount());

const VISITOR_ID = "a2b3c4d5e6";
const detail = visitorDetail();
const q = (name: string) => root.querySelector<HTMLElement>(`[data-console="${name}"]`);

function opened() {
  const setup = mountConsole();
  ({ root, unmount } = setup);
  act(() => setup.socket.receive(ready(summary({ last_seq: 1, last_message: message({ seq: 1 }) }))));
  act(() => setup.controller.openConversation("c1"));
  act(() =>
    setup.socket.receive({ type: "conversation.opened", conversation: summary(), messages: [message({ seq: 1 })], has_more: false, activity: [] }),
  );
  act(() => setup.socket.receive({ type: "visitor.detail", visitor: detail, conversations: [] }));
  return setup;
}

describe("ratings and the visitor's email", () => {
  it("shows an email the visitor leaves in the sidebar at once", () => {
    const { socket } = opened();
    expect(q("sidebar-email")).toBeNull();
    act(() => socket.receive({ type: "visitor.email", visitor_id: VISITOR_ID, email: "amber@example.com" }));
    expect(q("sidebar-email")?.textContent).toContain("amber@example.com");
  });

  it("shows the open conversation's rating live, its comment as text", () => {
    const { socket } = opened();
    expect(q("sidebar-rating")).toBeNull();
    const rating = { score: "bad" as const, comment: "<b>slow</b>", agent_id: 7, rated_at: "2026-12-06T10:00:00+00:00" };
    act(() => socket.receive({ type: "conversation.rated", conversation_id: "c1", visitor_id: VISITOR_ID, rating }));
    expect(q("sidebar-rating")?.dataset.score).toBe("bad");
    expect(q("sidebar-rating")?.textContent).toContain("<b>slow</b>");
    expect(q("sidebar-rating")?.querySelector("b")).toBeNull();
  });

  it("shows a past conversation's stored rating from visitor.detail", () => {
    const { socket } = opened();
    const past = { id: "c1", status: "resolved" as const, last_seq: 3, created_at: "2026-12-06T10:00:00+00:00", updated_at: "2026-12-06T10:00:00+00:00", rating: "good" as const };
    act(() => socket.receive({ type: "visitor.detail", visitor: detail, conversations: [past] }));
    expect(q("sidebar-rating")?.dataset.score).toBe("good");
  });

  it("asks for the ratings per agent when the dialog opens and lists them", () => {
    const { socket } = opened();
    act(() => q("ratings-open")!.click());
    expect(socket.last("ratings.get")).toEqual({ type: "ratings.get" });
    act(() => socket.receive({ type: "ratings", days: 30, agents: [{ agent_id: 7, name: "Dana", good: 3, okay: 1, bad: 0 }] }));
    const row = q("ratings-row")!;
    expect([...row.children].map((cell) => cell.textContent)).toEqual(["Dana", "3", "1", "0"]);
  });
});
