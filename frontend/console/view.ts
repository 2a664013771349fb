// What the components show, derived from the model and the screen state. Pure: easy to test.

import type { ConversationSummary, Message } from "../shared/protocol";
import { fullTime, clockTime, relativeTime } from "../shared/time";
import { hashBucket, initial, oneLine, visitorEmail, visitorLabel } from "./format";
import { activityItem, assignmentView, eventItem, interleave, type AssignmentView, type LifecycleItem } from "./lifecycle-view";
import type { ConsoleModel, ConsoleState } from "./model";
import type { AgentStatus } from "./state/presence";
import { inView, VIEWS, type InboxView } from "./state/inbox";
import { INBOX, PRESENCE, SIGNALS, THREAD } from "./strings";

const AVATAR_COLOURS = 8;

export interface Avatar {
  letter: string;
  colour: number;
}

export interface InboxRow {
  id: string;
  label: string;
  avatar: Avatar;
  unread: boolean;
  selected: boolean;
  focusable: boolean;
  time: string | null;
  timeText: string;
  timeTitle: string;
  preview: string;
  site: string;
  resolved: boolean;
  /** The assignee's name ("" when unassigned). */
  assignee: string;
  /** The preview is a search's snippet of the matching message. */
  snippet: boolean;
}

export interface ViewTab {
  view: InboxView;
  label: string;
  count: number;
  /** The view holds more than `count` (the server counts each view up to a limit). */
  over: boolean;
  selected: boolean;
}

export interface StoredItem {
  kind: "stored";
  key: string;
  seq: number;
  author: Message["author"];
  authorName: string;
  mine: boolean;
  clientId: string | null;
  body: string;
  time: string;
  timeText: string;
  timeTitle: string;
  /** The last agent message the visitor has read ("Seen by visitor"). */
  seenByVisitor: boolean;
}

export interface PendingItem {
  kind: "pending";
  key: string;
  clientId: string;
  authorName: string;
  label: string;
  body: string;
}

export type ThreadItem = StoredItem | PendingItem | LifecycleItem;

export interface ThreadView {
  id: string;
  title: string;
  site: string;
  email: string;
  resolved: boolean;
  url: string;
  /** The assignee menu and Resolve/Reopen. */
  assignment: AssignmentView;
  items: ThreadItem[];
  loading: boolean;
  notice: string | null;
  /** The colleagues viewing this conversation too, with their status. */
  viewers: Viewer[];
  /** "Alice is typing…", or null. */
  typing: string | null;
}

export interface Viewer {
  id: number;
  name: string;
  status: AgentStatus;
}

/** The colleagues viewing a conversation, by name (an unknown name: "Agent <id>"). */
export function viewersOf(model: ConsoleModel, conversationId: string): Viewer[] {
  const presence = model.presence;
  return presence.othersViewing(conversationId, model.agentId).map((id) => ({
    id,
    name: model.team.name(id) ?? PRESENCE.agent(id),
    status: presence.status(id),
  }));
}

/** The avatar of a label: its first letter on one of eight colours picked by `key`. */
export function avatarOf(label: string, key: string): Avatar {
  return { letter: initial(label), colour: hashBucket(key, AVATAR_COLOURS) };
}

/** The one-line preview of a conversation's last message. */
export function previewText(model: ConsoleModel, state: ConsoleState, summary: ConversationSummary): string {
  const message = summary.last_message;
  if (!message) return INBOX.noMessages;
  const line = eventItem(model, message);
  if (line) return line.text;
  const body = oneLine(message.body);
  if (message.author !== "agent") return body;
  const who = model.isMine(message, state.agentWireName) ? INBOX.you : message.author_name || INBOX.agent;
  return `${who}: ${body}`;
}

/** The inbox ids shown now: the search's results, else the view's rows on the filtered site. */
export function visibleIds(model: ConsoleModel, state: ConsoleState): string[] {
  const { conversations } = model;
  if (state.searchQuery) {
    const selection = { view: state.view, siteFilter: state.siteFilter, search: state.searchQuery };
    return model.inbox.resultsFor(selection).filter((id) => conversations.get(id));
  }
  return conversations.order.filter((id) => {
    const summary = conversations.get(id)?.summary;
    return summary !== undefined && inView(summary, state.view, state.siteFilter, model.agentId);
  });
}

/** The view tabs, each with its live count. */
export function viewTabs(model: ConsoleModel, state: ConsoleState): ViewTab[] {
  return VIEWS.map((view) => ({
    view,
    label: INBOX.views[view],
    count: model.counts.count(view, state.siteFilter),
    over: model.counts.over(view, state.siteFilter),
    selected: view === state.view,
  }));
}

/** Whether what the inbox shows is still on its way (before `ready`, or a first page or search asked). */
export function inboxLoading(model: ConsoleModel, state: ConsoleState): boolean {
  const selection = { view: state.view, siteFilter: state.siteFilter, search: state.searchQuery };
  return !state.everReady || model.inbox.loading(selection) || state.search.trim() !== state.searchQuery;
}

/** The row that takes part in the tab order: the one chosen, else the open one, else the first. */
export function focusableId(model: ConsoleModel, state: ConsoleState): string | null {
  const ids = visibleIds(model, state);
  if (state.focusId && ids.includes(state.focusId)) return state.focusId;
  if (state.openId && ids.includes(state.openId)) return state.openId;
  return ids[0] ?? null;
}

export function inboxRows(model: ConsoleModel, state: ConsoleState): InboxRow[] {
  const focusable = focusableId(model, state);
  const rows: InboxRow[] = [];
  for (const id of visibleIds(model, state)) {
    const conversation = model.conversations.get(id);
    if (!conversation) continue;
    const summary = conversation.summary;
    const label = visitorLabel(summary.visitor);
    const time = summary.last_message?.created_at || summary.updated_at || null;
    const snippet = state.searchQuery ? model.inbox.snippets.get(id) : undefined;
    rows.push({
      id,
      label,
      avatar: avatarOf(label, summary.visitor?.id || id),
      unread: model.readMarks.isUnread(summary),
      selected: id === state.openId,
      focusable: id === focusable,
      time,
      timeText: relativeTime(time, state.now),
      timeTitle: fullTime(time),
      preview: snippet ?? previewText(model, state, summary),
      site: summary.site?.name || "",
      resolved: summary.status === "resolved",
      assignee: summary.assignee_id == null ? "" : summary.assignee_name || model.team.name(summary.assignee_id) || "",
      snippet: snippet !== undefined,
    });
  }
  return rows;
}

/** How many conversations are unread (for the tab title and the count beside "Inbox"). */
export function unreadTotal(model: ConsoleModel): number {
  return model.readMarks.unreadCount([...model.conversations.all()].map((conversation) => conversation.summary));
}

/** The text under "Inbox" when it has no rows, or null while it has some (or is still loading). */
export function inboxEmptyText(model: ConsoleModel, state: ConsoleState): string | null {
  if (inboxLoading(model, state) || visibleIds(model, state).length) return null;
  if (state.searchQuery) return INBOX.noResults(state.searchQuery);
  if (!model.conversations.order.length) return INBOX.empty;
  return state.view === "open" ? INBOX.emptyForSite : INBOX.emptyView;
}

function authorName(summary: ConversationSummary, message: Message): string {
  if (message.author === "visitor") return visitorLabel(summary.visitor);
  if (message.author === "agent") return message.author_name || THREAD.agent;
  return message.author_name || THREAD.system;
}

export function threadView(model: ConsoleModel, state: ConsoleState): ThreadView | null {
  const conversation = model.conversations.get(state.openId);
  if (!conversation) return null;
  const summary = conversation.summary;
  const stored = model.conversations.messagesOf(conversation);
  const storedClientIds = new Set(stored.map((message) => message.client_id));
  const visitorRead = summary.visitor_last_read_seq ?? 0;
  const seenSeq = stored.filter((message) => message.author === "agent" && message.seq <= visitorRead).pop()?.seq;
  const messageItems: (StoredItem | LifecycleItem)[] = stored.map((message) => eventItem(model, message) ?? {
    kind: "stored",
    key: `seq-${message.seq}`,
    seq: message.seq,
    author: message.author,
    authorName: authorName(summary, message),
    mine: model.isMine(message, state.agentWireName),
    clientId: message.client_id,
    body: message.body,
    time: message.created_at,
    timeText: clockTime(message.created_at),
    timeTitle: fullTime(message.created_at),
    seenByVisitor: message.seq === seenSeq,
  });
  // Private notes are shown apart, in the sidebar (components/Sidebar.tsx), never among the messages.
  const activities = model.activity
    .of(conversation.id)
    .filter((activity) => activity.kind !== "note")
    .map((activity) => activityItem(model, activity));
  const items: ThreadItem[] = interleave(messageItems, activities);
  const typists = model.typing.who(conversation.id);
  for (const reply of model.outbox.forConversation(conversation.id)) {
    if (storedClientIds.has(reply.client_id)) continue;
    items.push({
      kind: "pending",
      key: `pending-${reply.client_id}`,
      clientId: reply.client_id,
      authorName: state.agentWireName || model.agentName || THREAD.you,
      label: state.ready ? THREAD.sending : THREAD.waiting,
      body: reply.body,
    });
  }
  return {
    id: conversation.id,
    title: visitorLabel(summary.visitor),
    site: summary.site?.name || "",
    email: visitorEmail(summary.visitor),
    resolved: summary.status === "resolved",
    url: summary.visitor?.last_page_url || "",
    assignment: assignmentView(model, summary),
    items,
    loading: !conversation.loaded && !stored.length && state.threadNotice === null,
    notice: state.threadNotice,
    viewers: viewersOf(model, conversation.id),
    typing: typists.length ? SIGNALS.typing(typists) : null,
  };
}
