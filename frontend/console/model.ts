// What the console holds: the domain state (conversations, read marks, outbox; mutable, owned by the
// controller) and the screen state in the store (replaced on every change, rendered by the components).

import type { Message, Preferences, SiteInfo } from "../shared/protocol";
import type { Permission } from "./notify";
import { ActivityLog } from "./state/activity";
import { Conversations } from "./state/conversations";
import { Presence } from "./state/presence";
import { InboxPages, type InboxView } from "./state/inbox";
import { InboxCounts } from "./state/inbox-counts";
import { ReplyOutbox } from "./state/outbox";
import { ReadMarks } from "./state/read-marks";
import { Team } from "./state/team";
import { ConversationTyping } from "./state/typing";

export type LinkState = "connecting" | "online" | "offline";

export interface Toast {
  id: number;
  title: string;
  body: string;
  /** The body is a payload shown as JSON (preformatted). */
  json: boolean;
  /** A conversation the toast offers to open. */
  openId?: string | null;
}

export interface ConsoleState {
  link: LinkState;
  statusText: string;
  /** The current socket has sent `ready`. */
  ready: boolean;
  /** Some socket has sent `ready` (the inbox is loaded). */
  everReady: boolean;
  /** The name the server puts on this agent's messages (`ready.agent.name`). */
  agentWireName: string | null;
  sites: SiteInfo[];
  siteFilter: string;
  /** The inbox view shown. */
  view: InboxView;
  /** The search box's text. */
  search: string;
  /** The search the inbox shows (the box's text once typing paused), "" for none. */
  searchQuery: string;
  /** The conversation shown in the thread. */
  openId: string | null;
  /** Why the open conversation cannot be shown, when it cannot. */
  threadNotice: string | null;
  /** The reply box's text. */
  reply: string;
  replyError: string | null;
  toasts: Toast[];
  /** The inbox row that takes part in the tab order. */
  focusId: string | null;
  /** Increases whenever the domain state changes, so the components render it again. */
  revision: number;
  /** The time relative times are shown against: of the last change, and refreshed every 30 s. */
  now: number;
  /** Increase to scroll the thread to its newest message (and keep following). */
  scrollRequest: number;
  /** Increase to put the cursor in the reply box. */
  replyFocusRequest: number;
  /** Set to move the focus to an inbox row. */
  rowFocusRequest: { id: string; n: number } | null;
  /** The agent's notification preferences (`ready`, `preferences`); null until the first `ready`. */
  preferences: Preferences | null;
  /** The notification settings dialog is open. */
  settingsOpen: boolean;
  /** What the browser allows for desktop notifications. */
  permission: Permission;
  /** Why a notification setting could not be turned on, when it could not. */
  settingsNotice: string | null;
}

export function initialState(now: number = Date.now()): ConsoleState {
  return {
    link: "connecting",
    statusText: "",
    ready: false,
    everReady: false,
    agentWireName: null,
    sites: [],
    siteFilter: "",
    view: "open",
    search: "",
    searchQuery: "",
    openId: null,
    threadNotice: null,
    reply: "",
    replyError: null,
    toasts: [],
    focusId: null,
    revision: 0,
    now,
    scrollRequest: 0,
    replyFocusRequest: 0,
    rowFocusRequest: null,
    preferences: null,
    settingsOpen: false,
    permission: "default",
    settingsNotice: null,
  };
}

export class ConsoleModel {
  readonly conversations = new Conversations();
  readonly readMarks = new ReadMarks();
  readonly activity = new ActivityLog();
  readonly team = new Team();
  readonly presence = new Presence();
  readonly typing = new ConversationTyping();
  readonly inbox = new InboxPages();
  readonly counts = new InboxCounts();
  readonly outbox: ReplyOutbox;
  readonly agentId: number | null;
  readonly agentName: string;

  constructor({ agentId, agentName, outbox }: { agentId: number | null; agentName: string; outbox?: ReplyOutbox }) {
    this.agentId = agentId;
    this.agentName = agentName;
    this.outbox = outbox ?? new ReplyOutbox();
  }

  /** Whether an agent message is this agent's own (by agent_id, else client_id, else the name on it). */
  isMine(message: Message, agentWireName: string | null): boolean {
    if (message.author !== "agent") return false;
    if (message.agent_id !== undefined && message.agent_id !== null) return message.agent_id === this.agentId;
    if (this.outbox.isOwn(message.client_id)) return true;
    return agentWireName !== null && message.author_name === agentWireName;
  }
}
