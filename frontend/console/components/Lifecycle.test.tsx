// @vitest-environment happy-dom
import { act } from "preact/test-utils";
import { afterEach, describe, expect, it } from "vitest";
import { activity, AGENT_ID, COLLEAGUE_ID, message, mountConsole, mountWithOpenConversation, ready, summary } from "../testing";

let root: HTMLElement;
let unmount = (): void => {};

function mountOpen() {
  const setup = mountWithOpenConversation({
    conversation: summary({ last_seq: 2, last_message: message({ seq: 2 }) }),
    messages: [message({ seq: 1 }), message({ seq: 2, author: "system", event: "resolved", agent_id: COLLEAGUE_ID, body: "Resolved." })],
    activity: [activity({ id: 1, minute: 11 }), activity({ id: 2, minute: 11, kind: "note", body: "<i>VIP</i>" })],
  });
  ({ root, unmount } = setup);
  return setup;
}

afterEach(() => unmount());

const $ = <T extends Element = HTMLElement>(selector: string): T | null => root.querySelector<T>(selector);

describe("lifecycle in the thread", () => {
  it("shows system lines and activity lines as text; notes only apart, in the sidebar", () => {
    mountOpen();
    const event = $('[data-console="message"][data-event="resolved"]')!;
    expect(event.dataset.author).toBe("system");
    expect(event.textContent).toContain("Eli resolved the conversation");
    expect($('[data-console="activity"]')?.textContent).toContain("Dana assigned this to Eli");
    expect($('[data-console="messages"]')?.textContent).not.toContain("VIP");
    const notes = $('[data-console="notes"]')!;
    expect(notes.textContent).toContain("<i>VIP</i>");
    expect(notes.querySelector("i")).toBeNull();
  });

  it("assigns from the header: Assign to me, the menu, Resolve", () => {
    const { socket } = mountOpen();
    act(() => $<HTMLButtonElement>('[data-console="assign-me"]')!.click());
    expect(socket.last("conversation.assign")).toEqual({ type: "conversation.assign", conversation_id: "c1", assignee_id: AGENT_ID });
    const select = $<HTMLSelectElement>('[data-console="assignee"]')!;
    expect([...select.options].map((option) => option.textContent)).toEqual(["Unassigned", "Dana (you)", "Eli"]);
    act(() => {
      select.value = String(COLLEAGUE_ID);
      select.dispatchEvent(new Event("change", { bubbles: true }));
    });
    expect(socket.last("conversation.assign")).toMatchObject({ assignee_id: COLLEAGUE_ID });
    act(() => $<HTMLButtonElement>('[data-console="resolve"]')!.click());
    expect(socket.last("conversation.resolve")).toEqual({ type: "conversation.resolve", conversation_id: "c1" });
  });

  it("follows inbox.update: Reopen for a resolved conversation, the assignee in the row and the menu", () => {
    const { socket } = mountOpen();
    act(() =>
      socket.receive({
        type: "inbox.update",
        conversation: summary({ status: "resolved", assignee_id: AGENT_ID, assignee_name: "Dana", last_seq: 2, last_message: message({ seq: 2 }) }),
        previous: { status: "open", assignee_id: null },
      } as never),
    );
    expect($('[data-console="resolve"]')).toBeNull();
    expect($('[data-console="assign-me"]')).toBeNull();
    expect($<HTMLSelectElement>('[data-console="assignee"]')!.value).toBe(String(AGENT_ID));
    // Resolved, the row leaves "All open": it shows, tagged, under "Resolved".
    act(() => $<HTMLButtonElement>('[data-console="view-tab"][data-view="resolved"]')!.click());
    expect($('[data-console="row-assignee"]')?.textContent).toBe("Dana");
    expect($('[data-console="row-status"]')?.textContent).toBe("Resolved");
    act(() => $<HTMLButtonElement>('[data-console="reopen"]')!.click());
    expect(socket.last("conversation.reopen")).toEqual({ type: "conversation.reopen", conversation_id: "c1" });
  });

  it("a toast for an assignment opens the conversation", () => {
    const setup = mountConsole();
    ({ root, unmount } = setup);
    act(() => setup.socket.receive(ready(summary(), summary({ id: "c2" }))));
    act(() =>
      setup.socket.receive({
        type: "conversation.assigned",
        conversation: summary({ id: "c2", assignee_id: AGENT_ID }),
        by: { id: COLLEAGUE_ID, name: "Eli" },
      }),
    );
    expect($('[data-console="toasts"]')?.textContent).toContain("Eli assigned you: Amber Fox");
    act(() => $<HTMLButtonElement>('[data-console="toast-open"]')!.click());
    expect(setup.controller.state.openId).toBe("c2");
    expect(setup.socket.last("conversation.open")).toMatchObject({ conversation_id: "c2" });
    expect($('[data-console="toast-open"]')).toBeNull();
  });
});
