// The chat panel, mounted into the loader's shadow root with the API object the loader hands over.

import type { ErrorFrame } from "../shared/protocol";
import { createComposer } from "./composer";
import { addStyles, el, icon } from "./dom";
import { createMessageList, type ListItem, messageNode, setText } from "./message-list";
import { createModal } from "./modal";
import { followFrames, openOutbox, pendingItems, setPending, transmitter } from "./outbox";
import { PANEL_CSS } from "./panel-styles";
import { sendPageContext } from "./page-context";
import { createSender } from "./sending";
import { CHAT_WITH, CLOSE_CHAT, ERROR_TEXT, REFUSED_TEXT, STATUS_TEXT } from "./strings";
import type { ConnectionState, PanelApi, PanelHandle } from "./types";

const CLOSE_ICON = "M6 6l12 12M18 6L6 18";
const NOTICE_DURATION = 5000;
// Follow new messages only when the visitor is not reading further up.
const NEAR_BOTTOM = 80;

export function mountPanel(api: PanelApi): PanelHandle {
  const site = api.site;
  const transmit = transmitter(api);
  openOutbox(api.prefix + "outbox", () => render());
  followFrames(api, transmit);
  sendPageContext(api);
  const sender = createSender({ pending: pendingItems, setPending, transmit });
  const closePanel = (): void => window.Parley?.("close");
  const shadow = api.root.getRootNode() as ShadowRoot;
  addStyles(shadow, PANEL_CSS);

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
  const composer = createComposer((body) => {
    sender.send(body);
    scrollToEnd();
  }, api.prefix + "draft");
  const panel = el("section", { class: "panel", "data-parley": "panel", role: "dialog", "aria-label": CHAT_WITH + site.name }, [
    header,
    list,
    notice,
    composer.form,
  ]);
  const modal = createModal(panel, shadow);

  function scrollToEnd(): void {
    list.scrollTop = list.scrollHeight;
  }

  function render(): void {
    const stored = api.messages();
    const storedIds = new Set(stored.map((message) => message.client_id));
    const pending: ListItem[] = pendingItems()
      .filter((item) => !storedIds.has(item.client_id))
      .map((item) => ({ ...item, author: "visitor", pending: true }));
    const nearBottom = list.scrollHeight - list.scrollTop - list.clientHeight < NEAR_BOTTOM;
    if (renderMessages([...stored, ...pending]) && nearBottom) scrollToEnd();
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
    if (type === "state") showState(detail as ConnectionState);
    else {
      if (type === "error") showError(detail as ErrorFrame);
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
      composer.input.focus();
    },
  };
}
