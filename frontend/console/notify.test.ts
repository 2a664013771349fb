// @vitest-environment happy-dom
import { describe, expect, it, vi } from "vitest";
import type { Preferences } from "../shared/protocol";
import { alertFor, assignedAlert, Notifier } from "./notify";
import { AGENT_ID, message, summary } from "./testing";

const PREFERENCES: Preferences = { desktop: true, push: false, sound: false, title_count: true };
const visitorSays = (body: string, fields: Parameters<typeof summary>[0] = {}) =>
  summary({ last_seq: 1, last_message: message({ seq: 1, body }), ...fields });

/** A fake Notification API recording what was constructed. */
function fakeApi(permission: NotificationPermission = "granted") {
  const shown: { title: string; options: NotificationOptions; onclick: (() => void) | null; closed: boolean }[] = [];
  class FakeNotification {
    static permission = permission;
    static requestPermission = vi.fn(async () => "granted" as NotificationPermission);
    onclick: (() => void) | null = null;
    constructor(title: string, options: NotificationOptions) {
      const entry = { title, options, onclick: null as (() => void) | null, closed: false };
      shown.push(entry);
      Object.defineProperty(this, "onclick", { set: (handler: () => void) => (entry.onclick = handler) });
      this.close = () => (entry.closed = true);
    }
    close: () => void = () => {};
  }
  return { api: FakeNotification as unknown as typeof Notification, shown };
}

function notifier({ hidden = true, focused = false, permission = "granted" as NotificationPermission } = {}) {
  const { api, shown } = fakeApi(permission);
  const opened: string[] = [];
  const beep = vi.fn();
  const instance = new Notifier((id) => opened.push(id), {
    hidden: () => hidden,
    focused: () => focused,
    api: () => api,
    beep,
  });
  return { instance, shown, opened, beep, api };
}

describe("alertFor", () => {
  it("alerts about a new conversation with the visitor's text on one line", () => {
    const alert = alertFor(visitorSays("Hi\nthere", { visitor: { id: "v", name: "Ann", display_name: "Ann", email: "", last_page_url: "" } }), {
      isNew: true,
      agentId: AGENT_ID,
    });
    expect(alert).toEqual({ conversationId: "c1", title: "New conversation: Ann", body: "Hi there" });
  });

  it("alerts about messages in conversations assigned to the agent or to nobody, not to a colleague", () => {
    const mine = visitorSays("x", { assignee_id: AGENT_ID });
    expect(alertFor(mine, { isNew: false, agentId: AGENT_ID })?.title).toBe("Amber Fox");
    expect(alertFor(visitorSays("x"), { isNew: false, agentId: AGENT_ID })).not.toBeNull();
    expect(alertFor(visitorSays("x", { assignee_id: 99 }), { isNew: false, agentId: AGENT_ID })).toBeNull();
  });

  it("never alerts about an agent's message", () => {
    const reply = summary({ last_message: message({ seq: 2, author: "agent", agent_id: 99 }) });
    expect(alertFor(reply, { isNew: true, agentId: AGENT_ID })).toBeNull();
  });

  it("cuts a long message", () => {
    const alert = alertFor(visitorSays("y".repeat(500)), { isNew: true, agentId: AGENT_ID });
    expect(Array.from(alert!.body)).toHaveLength(140);
    expect(alert!.body.endsWith("…")).toBe(true);
  });

  it("says who assigned a conversation", () => {
    expect(assignedAlert(summary(), "Bob").title).toBe("Bob assigned you a conversation");
  });
});

describe("Notifier", () => {
  const alert = { conversationId: "c1", title: "New conversation: Ann", body: "Hi" };

  it("shows a notification while the tab is hidden; a click focuses and opens the conversation", () => {
    const { instance, shown, opened } = notifier();
    const focus = vi.spyOn(window, "focus").mockImplementation(() => {});
    instance.alert(alert, PREFERENCES);
    expect(shown).toHaveLength(1);
    expect(shown[0]!.title).toBe("New conversation: Ann");
    expect(shown[0]!.options).toEqual({ body: "Hi", tag: "c1" });
    shown[0]!.onclick!();
    expect(focus).toHaveBeenCalled();
    expect(opened).toEqual(["c1"]);
    expect(shown[0]!.closed).toBe(true);
  });

  it("shows nothing while the tab is visible, with the preference off, or without permission", () => {
    const visible = notifier({ hidden: false });
    visible.instance.alert(alert, PREFERENCES);
    expect(visible.shown).toHaveLength(0);
    const off = notifier();
    off.instance.alert(alert, { ...PREFERENCES, desktop: false });
    expect(off.shown).toHaveLength(0);
    const denied = notifier({ permission: "denied" });
    denied.instance.alert(alert, PREFERENCES);
    expect(denied.shown).toHaveLength(0);
  });

  it("plays the sound when the preference is on and the page is not in front", () => {
    const away = notifier({ hidden: false, focused: false });
    away.instance.alert(alert, { ...PREFERENCES, sound: true });
    expect(away.beep).toHaveBeenCalledTimes(1);
    const front = notifier({ hidden: false, focused: true });
    front.instance.alert(alert, { ...PREFERENCES, sound: true });
    const quiet = notifier({ hidden: true });
    quiet.instance.alert(alert, PREFERENCES);
    expect(front.beep).not.toHaveBeenCalled();
    expect(quiet.beep).not.toHaveBeenCalled();
  });

  it("asks permission only while the browser has not decided", async () => {
    const undecided = notifier({ permission: "default" });
    expect(await undecided.instance.requestPermission()).toBe("granted");
    expect(undecided.api.requestPermission).toHaveBeenCalledTimes(1);
    const decided = notifier({ permission: "denied" });
    expect(await decided.instance.requestPermission()).toBe("denied");
    expect(decided.api.requestPermission).not.toHaveBeenCalled();
  });

  it("reports a browser without the API as unsupported", () => {
    const instance = new Notifier(() => {}, { api: () => undefined });
    expect(instance.permission()).toBe("unsupported");
  });
});
