// The chat panel, mounted into the loader's shadow root with the API object the loader hands over.

import type { Availability, ErrorFrame, Message, MessageNew, Typing, VisitorReady } from "../shared/protocol";
import { TypingTracker, typingSender } from "../shared/typing";
import { createComposer } from "./composer";
import { addStyles, el, icon } from "./dom";
import { createEarlier } from "./earlier";
import { createMessageList, type ListItem, messageNode, setText } from "./message-list";
import { createModal } from "./modal";
import { createOffline, OFFLINE_CSS } from "./offline";
import { createPageApi } from "./page-api";
import { followFrames, openOutbox, pendingItems, setPending, transmitter } from "./outbox";
import { PANEL_CSS } from "./panel-styles";
import { sendPageContext } from "./page-context";
import { createSender } from "./sending";
import { T } from "./strings";
import type { ConnectionState, PanelApi, PanelHandle } from "./types";

const { AGENT, AVAILABILITY_TEXT, CHAT_WITH, CLOSE_CHAT, ERROR_TEXT, REFUSED_TEXT, STATUS_TEXT, typingText } = T;

const CLOSE_ICON = "M6 6l12 12M18 6L6 18";
const NOTICE_DURATION = 5000;
// Follow new messages only when the visitor is not reading further up.
const NEAR_BOTTOM = 80;
// Scrolled this close to the top, the visitor wants earlier conversations.
const NEAR_TOP = 40;

function lastVisitorMessage(messages: readonly Message[]): Message | undefined {
  return messages.filter((message) => message.author === "visitor").pop();
}

export function mountPanel(api: PanelApi): PanelHandle {
  const site = api.site;
  const transmit = transmitter(api);
  openOutbox(api.prefix + "outbox", () => render());
  followFrames(api, transmit);
  sendPageContext(api);
  const sender = createSender({ pending: pendingItems, setPending, transmit });
  const earlier = createEarlier(api);
  const closePanel = (): void => window.Parley?.("close");
  const shadow = api.root.getRootNode() as ShadowRoot;
  addStyles(shadow, PANEL_CSS + OFFLINE_CSS);
  // Right to left in Arabic: the styles use logical properties (padding-inline, border-end-start-radius),
  // so the header, the bubbles and the composer mirror; the launcher stays where the site put it.
  api.root.dir = T.LOCALE === "ar" ? "rtl" : "ltr";
  const offline = createOffline(api);

  const statusText = el("span");
  const status = el("span", { class: "status", "data-parley": "status" }, [el("i", { class: "dot" }), statusText]);
  const closeButton = el("button", { type: "button", class: "close", "data-parley": "close", "aria-label": CLOSE_CHAT }, [
    icon(CLOSE_ICON, "icon x"),
  ]);
  // A <div>, not a <header>: the panel must not add a banner landmark to the host page.
  const header = el("div", { class: "head", "data-parley": "head" }, [
    el("div", { class: "title" }, [el("strong", {}, [site.name]), status]),
    closeButton,
  ]);

  // The greeting is shown, never stored: it has no seq and is not a data-parley="message".
  const greeting = messageNode("greeting");
  greeting.setAttribute("data-parley", "greeting");
  const [greetingBubble, greetingMeta] = greeting.children as unknown as [Element, Element];
  setText(greetingBubble, site.greeting);
  setText(greetingMeta, site.name);

  const { list, renderMessages } = createMessageList(greeting);
  const notice = el("p", { class: "notice", role: "alert", hidden: "" });
  // Agents typing (who, until stop, their message, or the TTL); the visitor's own typing goes out here.
  const typingLine = el("p", { class: "typing", "data-parley": "typing", hidden: "" });
  const typists = new TypingTracker(() => {
    const who = typists.who();
    typingLine.hidden = !who.length;
    setText(typingLine, who.length ? typingText(who) : "");
  });
  const typing = typingSender((state) => api.state() === "online" && (api.send({ type: "typing", state }), true));
  const composer = createComposer((body) => {
    typing.stop();
    sender.send(body);
    scrollToEnd();
  }, api.prefix + "draft");
  composer.input.addEventListener("input", () => typing.input(composer.input.value));
  composer.input.addEventListener("blur", typing.stop);
  const panel = el("section", { class: "panel", "data-parley": "panel", role: "dialog", "aria-label": CHAT_WITH + site.name }, [
    header,
    list,
    offline.node,
    typingLine,
    notice,
    composer.form,
  ]);
  const modal = createModal(panel, shadow);

  // The chat open in a visible tab reads what it shows: every tab of the visitor then clears its badge
  // when the server's `read` comes back. Once per seq (a seq that did not move the mark sends nothing).
  let shown = false;
  let readSent = 0;
  function markRead(): void {
    const messages = api.messages();
    const last = messages[messages.length - 1];
    if (!shown || document.hidden || api.state() !== "online" || !last) return;
    if (last.seq > (api.marks.visitor || 0) && last.seq !== readSent) {
      readSent = last.seq;
      api.send({ type: "conversation.read", conversation_id: last.conversation_id, seq: last.seq });
    }
  }
  document.addEventListener("visibilitychange", markRead);

  function scrollToEnd(): void {
    list.scrollTop = list.scrollHeight;
  }

  function render(): void {
    // "Seen" goes under the visitor's last message of the latest conversation once an agent has read that far.
    const latestId = api.latest()?.id;
    const lastOwn = lastVisitorMessage(api.messages().filter((message) => message.conversation_id === latestId));
    const agentRead = api.marks.agent || 0;
    const stored: ListItem[] = earlier.messages().map((message) => (message === lastOwn && message.seq <= agentRead ? { ...message, seen: true } : message));
    const storedIds = new Set(stored.map((message) => message.client_id));
    const pending: ListItem[] = pendingItems()
      .filter((item) => !storedIds.has(item.client_id))
      .map((item) => ({ ...item, author: "visitor", pending: true }));
    const nearBottom = list.scrollHeight - list.scrollTop - list.clientHeight < NEAR_BOTTOM;
    const first = greeting.nextSibling;
    const fromBottom = list.scrollHeight - list.scrollTop;
    const added = renderMessages([...stored, ...pending]);
    if (added && nearBottom) scrollToEnd();
    // Earlier messages arrived above what the visitor is reading: keep it where it was.
    else if (added && greeting.nextSibling !== first) list.scrollTop = list.scrollHeight - fromBottom;
    markRead();
  }

  // The team's availability while connected; the connection's state while it is not.
  let connection = api.state();
  const ready = api.heard.ready as VisitorReady | undefined;
  const lastChange = api.heard.availability as Availability | undefined;
  let availability = lastChange ? lastChange.status : ready ? ready.availability : "online";
  function showState(): void {
    // Outside business hours the team is away to visitors, whoever is connected (docs/offline.md).
    if (site.within_hours === false) availability = "away";
    status.setAttribute("data-state", connection);
    status.setAttribute("data-availability", availability);
    setText(statusText, (connection === "online" ? AVAILABILITY_TEXT[availability] : STATUS_TEXT[connection]) as string);
    offline.render(availability);
  }

  let noticeTimer: ReturnType<typeof setTimeout> | undefined;
  function showError(error: ErrorFrame): void {
    const refusedBody = sender.refused(error);
    // Whatever the reason, a refused message goes back into the box: nothing typed is lost.
    if (refusedBody) composer.restore(refusedBody);
    const text = ERROR_TEXT[error.code] || (refusedBody && REFUSED_TEXT);
    if (!text) return;
    notice.textContent = text;
    notice.hidden = false;
    clearTimeout(noticeTimer);
    noticeTimer = setTimeout(() => (notice.hidden = true), NOTICE_DURATION);
  }

  closeButton.addEventListener("click", closePanel);
  panel.addEventListener("keydown", (event) => {
    // Escape during IME composition cancels the composition, not the chat.
    if (event.key === "Escape" && !event.isComposing) closePanel();
  });
  // Keys typed here must not trigger the host page's keyboard shortcuts: out of the shadow
  // root the event looks like it came from a plain <div>, not from a text field.
  for (const type of ["keydown", "keyup", "keypress"]) panel.addEventListener(type, (event) => event.stopPropagation());

  list.addEventListener("scroll", () => {
    if (list.scrollTop < NEAR_TOP) earlier.more();
  });

  // The page's API: its calls from before the panel arrived run first (handlers, attributes).
  const page = createPageApi(api);
  for (const call of api.calls) page.run(...call);

  api.listen((type, detail) => {
    earlier.onFrame(type, detail);
    offline.onFrame(type, detail);
    page.onEvent(type, detail);
    if (type === "reset") {
      // Logged out: what the previous visitor left unsent or drafted never goes out as the next one.
      setPending([]);
      composer.input.value = "";
      composer.input.dispatchEvent(new Event("input"));
    } else if (type === "state") {
      connection = detail as ConnectionState;
      // A new socket: what the last one may have lost goes again.
      readSent = 0;
      markRead();
    } else {
      if (type === "error") showError(detail as ErrorFrame);
      else if (type === "ready") availability = (detail as VisitorReady).availability;
      else if (type === "availability") availability = (detail as Availability).status;
      else if (type === "typing") {
        const frame = detail as Typing;
        if (frame.author === "agent" && frame.state === "start") typists.start("a" + frame.agent_id, frame.author_name || AGENT, frame.ttl_seconds);
        else typists.stop("a" + frame.agent_id);
      } else if (type === "message.new") {
        // Their message is what they were typing.
        const message = (detail as MessageNew).message;
        if (message.author === "agent") typists.stop("a" + message.agent_id);
      }
      render();
    }
    showState();
  });
  showState();
  earlier.step();
  render();
  api.root.prepend(panel);
  // Left by an earlier page view; when not online yet, the next `ready` sends them.
  transmit(pendingItems());

  // Usable: every call of the page's API works.
  page.tell("ready");
  let wasOpen: boolean | undefined;

  return {
    run: page.run,
    badge(open, unread) {
      page.tell("unread", unread, true);
      return T.launcherLabel(open, unread);
    },
    show(open, focus) {
      // An open or close on this page (a first open that fetched the panel too), not a restored state.
      if (wasOpen === undefined ? open && focus : open !== wasOpen) page.tell(open ? "open" : "close");
      wasOpen = open;
      shown = open;
      api.root.classList.toggle("is-open", open);
      modal.setOpen(open);
      if (!open) {
        // Closed with the focus in the widget: on the launcher (where it may be already), not lost
        // with the panel.
        if (shadow.activeElement) (api.root.querySelector(".launcher") as HTMLElement).focus();
        return;
      }
      render();
      scrollToEnd();
      // Only an open asked for now (the launcher, Parley('open')) takes the focus: a panel restored open
      // on page load leaves the host page's focus where it is.
      if (focus) composer.input.focus();
    },
  };
}
