// The message list: stored messages (conversation by conversation, each by seq), then pending ones.
// Nodes are keyed by client_id (else conversation and seq: seqs start at 1 in each conversation) and
// reused, so a pending bubble turns into the stored one in place and the
// aria-live region announces each message once.

import { LINK_REL, linkify, linkTarget } from "../shared/linkify";
import type { Author, Message } from "../shared/protocol";
import { el } from "./dom";
import { T } from "./strings";

const { AGENT, EVENT_TEXT, MESSAGES_LABEL, SEEN, SENDING } = T;
// Times in the panel's language and the visitor's time zone, on a 24-hour clock in every language
// ("09:05"; Arabic writes its own digits).
const CLOCK = new Intl.DateTimeFormat(T.LOCALE, { hour: "2-digit", minute: "2-digit", hourCycle: "h23" });

/** A message's time as the visitor reads it; "" for a missing or unreadable one. */
export function clockTime(iso: string): string {
  const date = new Date(iso);
  return isNaN(+date) ? "" : CLOCK.format(date);
}

/** A stored message, or a pending one (no seq yet). */
export interface ListItem {
  client_id?: string | null;
  conversation_id?: string;
  seq?: number;
  /** A system line's event ("resolved", "reopened"): shown with the widget's own words. */
  event?: Message["event"];
  author: Author;
  author_name?: string | null;
  body: string;
  created_at: string;
  pending?: boolean;
  /** The visitor's last message, once an agent has read it. */
  seen?: boolean;
}

export function createMessageList(greeting: HTMLElement): { list: HTMLOListElement; renderMessages: (items: readonly ListItem[]) => boolean } {
  // Focusable and named, so keyboard users can scroll it; a plain list (a role="log" would make its <li>s invalid).
  const list = el("ol", { class: "list", tabindex: "0", "aria-label": MESSAGES_LABEL, "aria-live": "polite", "aria-relevant": "additions" }, [
    greeting,
  ]);
  const nodes = new Map<string, HTMLElement>();

  // Returns whether a message was added.
  function renderMessages(items: readonly ListItem[]): boolean {
    const wanted = new Set<string>();
    let cursor = greeting.nextSibling;
    let added = false;
    for (const item of items) {
      const key = item.client_id ? "c" + item.client_id : "s" + item.conversation_id + ":" + item.seq;
      wanted.add(key);
      let node = nodes.get(key);
      if (!node) {
        node = messageNode();
        nodes.set(key, node);
        added = true;
      }
      updateMessageNode(node, item);
      if (node === cursor) cursor = cursor.nextSibling;
      else list.insertBefore(node, cursor);
    }
    for (const [key, node] of nodes) {
      if (!wanted.has(key)) {
        node.remove();
        nodes.delete(key);
      }
    }
    return added;
  }

  return { list, renderMessages };
}

export function messageNode(extraClass?: string): HTMLElement {
  // dir="auto": each text runs in its own direction (an English greeting in an Arabic panel, or Arabic
  // typed into an English one), while the bubble's side follows the panel's.
  return el("li", { class: "msg " + (extraClass || "") }, [el("div", { class: "bubble", dir: "auto" }), el("div", { class: "meta" })]);
}

// Touches the DOM only where something changed (a live region reads out every change).
function updateMessageNode(node: HTMLElement, item: ListItem): void {
  const [bubble, meta] = node.children as unknown as [Element, Element];
  const metaText = item.pending
    ? SENDING
    : (item.author === "agent" ? (item.author_name || AGENT) + " · " : "") + clockTime(item.created_at) + (item.seen ? " · " + SEEN : "");
  // A system line in the widget's own words; anything a person typed, with its links.
  if (item.event && EVENT_TEXT[item.event]) setText(bubble, EVENT_TEXT[item.event] as string);
  else setBody(bubble, item.body);
  setText(meta, metaText);
  setData(node, "parley", "message");
  setData(node, "author", item.author);
  setData(node, "seq", item.pending ? null : String(item.seq));
  setData(node, "event", item.event || null);
  setData(node, "pending", item.pending ? "" : null);
  setData(node, "seen", item.seen ? "" : null);
}

// The body as text nodes and <a> elements for its http(s) and mailto links, never as HTML.
function setBody(node: Element, body: string): void {
  if (node.textContent === body) return;
  node.replaceChildren(
    ...linkify(body).map((part) => {
      if (typeof part === "string") return part;
      const target = linkTarget(part.href);
      return el("a", { href: part.href, rel: LINK_REL, ...(target && { target }) }, [part.text]);
    }),
  );
}

export function setText(node: Node, text: string): void {
  if (node.textContent !== text) node.textContent = text;
}

function setData(node: Element, name: string, value: string | null): void {
  if (value === null) node.removeAttribute("data-" + name);
  else if (node.getAttribute("data-" + name) !== value) node.setAttribute("data-" + name, value);
}
