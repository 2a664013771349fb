// @vitest-environment happy-dom
import { beforeEach, describe, expect, it } from "vitest";
import type { Conversation, Message, VisitorClientFrame, WidgetSite } from "../shared/protocol";
import { createOffline, isResolved } from "./offline";
import { message } from "./testing";
import type { PanelApi } from "./types";

const SITE: WidgetSite = {
  name: "Acme",
  color: "#4f46e5",
  greeting: "Hi!",
  position: "right",
  launcher_text: "",
  away_message: "Back at 9am.",
  language: null,
  ask_email: false,
  within_hours: true,
};
const CONVERSATION = "c-1";

function setUp(site: Partial<WidgetSite> = {}, messages: Message[] = [], status: "open" | "resolved" = "open") {
  const sent: VisitorClientFrame[] = [];
  const api = {
    site: { ...SITE, ...site },
    prefix: "parley:test:",
    messages: () => messages,
    latest: () => ({ id: CONVERSATION, status }) as Conversation,
    send: (frame: VisitorClientFrame) => void sent.push(frame),
  } as unknown as PanelApi;
  const offline = createOffline(api);
  document.body.append(offline.node);
  const part = (name: string) => offline.node.querySelector<HTMLElement>(`[data-parley="${name}"]`)!;
  return { offline, sent, part };
}

beforeEach(() => {
  localStorage.clear();
  document.body.textContent = "";
});

describe("the away prompt", () => {
  it("shows the away message and asks for an email while nobody is there", () => {
    const { offline, part } = setUp();
    offline.render("away");
    expect(part("away").hidden).toBe(false);
    expect(part("away").textContent).toBe("Back at 9am.");
    expect(part("email-form").hidden).toBe(false);
    offline.render("online");
    expect(offline.node.hidden).toBe(true);
  });

  it("is shown outside business hours even with an agent online", () => {
    const { offline, part } = setUp({ within_hours: false });
    offline.render("online");
    expect(part("away").hidden).toBe(false);
  });

  it("sends the typed email, then says where replies go", () => {
    const { offline, sent, part } = setUp();
    offline.render("away");
    (part("email") as HTMLInputElement).value = " alice@example.com ";
    part("email-form").dispatchEvent(new Event("submit", { cancelable: true }));
    expect(sent).toEqual([{ type: "visitor.email", email: "alice@example.com" }]);
    offline.onFrame("email.saved", { type: "email.saved", email: "alice@example.com" });
    offline.render("away");
    expect(part("email-form").hidden).toBe(true);
    expect(part("email-saved").textContent).toContain("alice@example.com");
    expect(localStorage.getItem("parley:test:email")).toBe("alice@example.com");
  });

  it("shows a refused address's error", () => {
    const { offline, part } = setUp();
    offline.render("away");
    offline.onFrame("error", { type: "error", code: "email_invalid", message: "no", ref: null });
    expect(part("email-form").textContent).toContain("doesn't look like an email");
  });

  it("asks before the first message when the site asks for an email", () => {
    const { offline, part } = setUp({ ask_email: true });
    offline.render("online");
    expect(part("email-form").hidden).toBe(false);
    expect(part("away").hidden).toBe(true);
  });
});

describe("the rating", () => {
  const resolved = [message(CONVERSATION, 1), message(CONVERSATION, 2, { author: "system", event: "resolved" })];

  it("knows a conversation is resolved from its last status line", () => {
    expect(isResolved(resolved, CONVERSATION, "open")).toBe(true);
    const reopened = [...resolved, message(CONVERSATION, 3, { author: "system", event: "reopened" })];
    expect(isResolved(reopened, CONVERSATION, "resolved")).toBe(false);
    expect(isResolved([], CONVERSATION, "resolved")).toBe(true);
  });

  it("is offered after a resolve and sends a score with its comment", () => {
    const { offline, sent, part } = setUp({}, resolved);
    offline.render("online");
    expect(part("rating").hidden).toBe(false);
    part("rating").querySelector<HTMLButtonElement>('[data-score="okay"]')!.click();
    part("rating").querySelector("textarea")!.value = "  Fine ";
    [...part("rating").querySelectorAll("button")].find((button) => button.textContent === "Send rating")!.click();
    expect(sent).toEqual([{ type: "conversation.rate", conversation_id: CONVERSATION, score: "okay", comment: "Fine" }]);
    offline.onFrame("conversation.rated", {
      type: "conversation.rated",
      conversation_id: CONVERSATION,
      visitor_id: "v",
      rating: { score: "okay", comment: "Fine", agent_id: 1, rated_at: "2026-12-06T10:00:00+00:00" },
    });
    offline.render("online");
    expect(part("rated").hidden).toBe(false);
  });

  it("asks for an email before the transcript, then requests it", () => {
    const { offline, sent, part } = setUp({}, resolved);
    offline.render("online");
    part("transcript").click();
    expect(sent).toEqual([]);
    expect(part("email-form").hidden).toBe(false);
    offline.onFrame("email.saved", { type: "email.saved", email: "alice@example.com" });
    expect(sent).toEqual([{ type: "transcript.request", conversation_id: CONVERSATION }]);
  });
});
