// @vitest-environment happy-dom
import { act } from "preact/test-utils";
import { afterEach, describe, expect, it } from "vitest";
import { AGENT_ID, message, mountConsole, ready, summary } from "../testing";

let root: HTMLElement;
let unmount = (): void => {};

function mount() {
  const setup = mountConsole();
  ({ root, unmount } = setup);
  return setup;
}

afterEach(() => unmount());

const toggle = () => root.querySelector<HTMLButtonElement>('[data-console="presence-toggle"]')!;
const viewersText = () => root.querySelector('[data-console="viewers-text"]')?.textContent ?? null;

function openConversation(socket: ReturnType<typeof mount>["socket"]) {
  act(() => root.querySelector<HTMLButtonElement>('[data-console="conversation"]')!.click());
  act(() =>
    socket.receive({
      type: "conversation.opened",
      conversation: summary({ last_seq: 1, last_message: message({ seq: 1 }) }),
      messages: [message({ seq: 1, author: "agent", agent_id: 9, author_name: "Carol" })],
      has_more: false,
      activity: [],
    }),
  );
}

describe("Presence", () => {
  it("toggles the agent away and online with presence.set, disabled until ready", () => {
    const { socket } = mount();
    expect(toggle().disabled).toBe(true);
    act(() => socket.receive(ready()));
    expect(toggle().disabled).toBe(false);
    expect(toggle().getAttribute("aria-pressed")).toBe("false");
    act(() => toggle().click());
    expect(socket.last("presence.set")).toEqual({ type: "presence.set", status: "away" });
    expect(toggle().getAttribute("aria-pressed")).toBe("true");
    expect(toggle().dataset.status).toBe("away");
    act(() => toggle().click());
    expect(socket.last("presence.set")).toEqual({ type: "presence.set", status: "online" });
  });

  it("follows the agent's status set from another console", () => {
    const { socket } = mount();
    act(() => socket.receive(ready()));
    act(() => socket.receive({ type: "presence", agent_id: AGENT_ID, status: "away" }));
    expect(toggle().textContent).toContain("Away");
  });

  it("comes back away when ready says so (a reload keeps the status)", () => {
    const { socket } = mount();
    act(() => socket.receive({ ...ready(), presence: [{ agent_id: AGENT_ID, status: "away" }] }));
    expect(toggle().getAttribute("aria-pressed")).toBe("true");
  });

  it("shows who else views the open conversation, by name, until they leave or go offline", () => {
    const { socket } = mount();
    act(() =>
      socket.receive({
        ...ready(summary({ last_seq: 1, last_message: message({ seq: 1 }) })),
        presence: [
          { agent_id: AGENT_ID, status: "online" },
          { agent_id: 9, status: "online" },
        ],
        // Names come from the agents of the sites (ready.agents).
        agents: [
          { id: AGENT_ID, name: "Dana", site_ids: [1] },
          { id: 9, name: "Carol", site_ids: [1] },
        ],
      }),
    );
    openConversation(socket);
    expect(viewersText()).toBeNull();
    act(() => socket.receive({ type: "conversation.viewers", conversation_id: "c1", agent_ids: [AGENT_ID, 9] }));
    expect(viewersText()).toBe("Carol is also viewing");
    expect(root.querySelector('[data-console="viewers"] .presence-dot')?.getAttribute("data-status")).toBe("online");
    act(() => socket.receive({ type: "presence", agent_id: 9, status: "offline" }));
    expect(viewersText()).toBeNull();
    act(() => socket.receive({ type: "presence", agent_id: 9, status: "away" }));
    expect(viewersText()).toBe("Carol is also viewing");
    act(() => socket.receive({ type: "conversation.viewers", conversation_id: "c1", agent_ids: [AGENT_ID] }));
    expect(viewersText()).toBeNull();
  });

  it("names a colleague it knows nothing of by id, and lists several", () => {
    const { socket } = mount();
    act(() =>
      socket.receive({
        ...ready(summary({ last_seq: 1, last_message: message({ seq: 1 }) })),
        presence: [
          { agent_id: 9, status: "online" },
          { agent_id: 11, status: "away" },
        ],
        agents: [{ id: 9, name: "Carol", site_ids: [1] }],
      }),
    );
    openConversation(socket);
    act(() => socket.receive({ type: "conversation.viewers", conversation_id: "c1", agent_ids: [9, 11] }));
    expect(viewersText()).toBe("Carol and Agent 11 are also viewing");
  });
});
