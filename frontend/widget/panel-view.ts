// The chat panel, mounted into the loader's shadow root with the API object the loader hands over.

import type { ErrorFrame, Message, MessageNew, Typing } from "../shared/protocol";
import { TypingTracker, typingSender } from "../shared/typing";
import { createComposer } from "./composer";
import { addStyles, el, icon } from "./dom";
import { createMessageList, type ListItem, messageNode, setText } from "./message-list";
import { followFrames, openOutbox, pendingItems, setPending, transmitter } from "./outbox";
import { PANEL_CSS } from "./panel-styles";
import { createSender } from "./sending";
import { AGENT, CHAT_WITH, CLOSE_CHAT, ERROR_TEXT, REFUSED_TEXT, STATUS_TEXT, typingText } from "./strings";
import type { ConnectionState, PanelApi, PanelHandle } from "./types";

const CLOSE_ICON = "M6 6l12 12M18 6L6 18";
const NOTICE_DURATION = 5000;
// Follow new messages only when the visitor is not reading further up.
const NEAR_BOTTOM = 80;

function lastVisitorMessage(messages: readonly Message[]): Message | undefined {
  return messages.filter((message) => message.author === "visitor").pop();
}

export function mountPanel(api: PanelApi): PanelHandle {
  const site = api.site;
  const transmit = transmitter(api);
  openOutbox(api.prefix + "outbox", () => render());
  followFrames(api, transmit);
  const sender = createSender({ pending: pendingItems, setPending, transmit });
  const closePanel = (): void => window.Parley?.("close");
  const shadow = api.root.getRootNode() as ShadowRoot;
  addStyles(shadow, PANEL_CSS);

  const statusText = el("span");
  const status = el("span", { class: "status", "data-parley": "status" }, [el("i", { class: "dot" }), statusText]);
  const closeButton = el("button", { type: "button", class: "close", "data-parley": "close", "aria-label": CLOSE_CHAT }, [
    icon(CLOSE_ICON, "icon x"),
  ]);
  const header = el("header", { class: "head" }, [el("div", { class: "title" }, [el("strong", {}, [site.name]), status]), closeButton]);

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
  });
  composer.input.addEventListener("input", () => typing.input(composer.input.value));
  composer.input.addEventListener("blur", typing.stop);
  const panel = el("section", { class: "panel", "data-parley": "panel", role: "dialog", "aria-label": CHAT_WITH + site.name }, [
    header,
    list,
    typingLine,
    notice,
    composer.form,
  ]);

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
    // "Seen" goes under the visitor's last message once an agent has read that far.
    const lastOwn = lastVisitorMessage(api.messages());
    const agentRead = api.marks.agent || 0;
    const stored: ListItem[] = api.messages().map((message) => (message === lastOwn && message.seq <= agentRead ? { ...message, seen: true } : message));
    const storedIds = new Set(stored.map((message) => message.client_id));
    const pending: ListItem[] = pendingItems()
      .filter((item) => !storedIds.has(item.client_id))
      .map((item) => ({ ...item, author: "visitor", pending: true }));
    const nearBottom = list.scrollHeight - list.scrollTop - list.clientHeight < NEAR_BOTTOM;
    if (renderMessages([...stored, ...pending]) && nearBottom) scrollToEnd();
    markRead();
  }

  function showState(state: ConnectionState): void {
    status.setAttribute("data-state", state);
    setText(statusText, STATUS_TEXT[state] as string);
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

  api.listen((type, detail) => {
    if (type === "state") {
      showState(detail as ConnectionState);
      // A new socket: what the last one may have lost goes again.
      readSent = 0;
      markRead();
    } else {
      if (type === "error") showError(detail as ErrorFrame);
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
  });
  showState(api.state());
  render();
  api.root.prepend(panel);
  // Left by an earlier page view; when not online yet, the next `ready` sends them.
  transmit(pendingItems());

  return {
    show(open) {
      shown = open;
      api.root.classList.toggle("is-open", open);
      if (!open) {
        // Closed with the focus in the widget: on the launcher (where it may be already), not lost
        // with the panel.
        if (shadow.activeElement) (api.root.querySelector(".launcher") as HTMLElement).focus();
        return;
      }
      render();
      scrollToEnd();
      composer.input.focus();
    },
  };
}
