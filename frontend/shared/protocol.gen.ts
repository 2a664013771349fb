// Generated from docs/protocol.schema.json by `npm run gen:protocol` (frontend/scripts/gen-protocol.mjs).
// Do not edit: change server/protocol/, run `python -m server.protocol.schema`, then regenerate.

export type AgentClientFrame =
  | ConversationOpen
  | ConversationLeave
  | ConversationRead
  | AgentMessageSend
  | Sync
  | Ping
  | ConversationAssign
  | ConversationResolve
  | ConversationReopen
  | VisitorGet
  | CannedSave
  | CannedDelete
  | NoteAdd
  | PresenceSet
  | PreferencesSet
  | AgentTyping
  | InboxQuery
  | RatingsGet;
export type InboxView = "mine" | "unassigned" | "open" | "resolved";
export type AgentServerFrame =
  | AgentReady
  | ConversationOpened
  | MessageNew
  | MessageAck
  | InboxUpdate
  | History
  | Notification
  | InboxPage
  | Pong
  | ErrorFrame
  | ActivityNew
  | ConversationAssigned
  | VisitorPage
  | VisitorAttributesFrame
  | VisitorDetailFrame
  | CannedChanged
  | Presence
  | ConversationViewers
  | PreferencesUpdate
  | Typing
  | Read
  | VisitorEmailFrame
  | ConversationRated
  | Ratings;
export type ErrorCode =
  | "bad_frame"
  | "frame_too_large"
  | "unknown_type"
  | "invalid_field"
  | "invalid_json"
  | "body_too_long"
  | "empty_body"
  | "not_found"
  | "site_not_found"
  | "origin_not_allowed"
  | "payload_too_large"
  | "method_not_allowed"
  | "rate_limited"
  | "connection_limited"
  | "limit_reached"
  | "hello_required"
  | "token_invalid"
  | "token_wrong_site"
  | "not_authenticated"
  | "internal_error"
  | "unsupported_media_type"
  | "bad_request"
  | "identity_unverified"
  | "conversation_superseded"
  | "email_invalid"
  | "rating_unavailable"
  | "email_required"
  | "invalid_attributes";
export type VisitorClientFrame =
  | Hello
  | VisitorMessageSend
  | Sync
  | Ping
  | Page
  | VisitorTyping
  | ConversationRead
  | VisitorEmail
  | ConversationRate
  | TranscriptRequest
  | VisitorAttributes;
export type VisitorServerFrame =
  | VisitorReady
  | MessageAck
  | MessageNew
  | ConversationStarted
  | History
  | Pong
  | ErrorFrame
  | Typing
  | Read
  | Availability
  | EmailSaved
  | ConversationRated
  | TranscriptQueued;

/**
 * An agent-only line of a conversation (an assignment, a note), never sent to a visitor socket.
 */
export interface Activity {
  /**
   * The line's id, unique on the server; lines are ordered by it.
   */
  id: number;
  conversation_id: string;
  kind: "assigned" | "unassigned" | "note";
  /**
   * The agent who did it, null once that user is deleted.
   */
  agent_id: number | null;
  /**
   * That agent's display name ('Support' when the user is gone).
   */
  author_name: string;
  /**
   * Who it was assigned to (kind 'assigned'), else null.
   */
  assignee_id: number | null;
  /**
   * The assignee's display name, null without one.
   */
  assignee_name: string | null;
  /**
   * A note's text (rendered as text), empty for other kinds.
   */
  body: string;
  /**
   * A note's idempotency key, null without one.
   */
  client_id: string | null;
  /**
   * ISO 8601 UTC, e.g. 2026-11-24T07:26:23.123456+00:00.
   */
  created_at: string;
}
/**
 * An agent-only line was added to a conversation this socket follows.
 */
export interface ActivityNew {
  type: "activity.new";
  activity: Activity;
}
/**
 * Follow a conversation and mark it read; answered by `conversation.opened`.
 */
export interface ConversationOpen {
  type: "conversation.open";
  conversation_id: string;
  /**
   * The highest seq the console holds of it.
   */
  after_seq?: number;
}
/**
 * Stop following a conversation; no reply.
 */
export interface ConversationLeave {
  type: "conversation.leave";
  conversation_id: string;
}
/**
 * Store the agent's read mark (never past the last message); no reply.
 */
export interface ConversationRead {
  type: "conversation.read";
  conversation_id: string;
  seq: number;
}
/**
 * An agent's reply in a conversation of its sites.
 */
export interface AgentMessageSend {
  type: "message.send";
  conversation_id: string;
  /**
   * Chosen by the sender (a UUID is ideal), unique per conversation: a retried send returns the stored message instead of storing it twice.
   */
  client_id: string;
  /**
   * 1..PARLEY_MESSAGE_MAX_LENGTH characters after trimming.
   */
  body: string;
}
/**
 * Ask for the messages after a seq; answered by `history`.
 */
export interface Sync {
  type: "sync";
  conversation_id: string;
  after_seq: number;
}
/**
 * A keepalive; answered by `pong`. A visitor's may name its page, recorded like a `page` frame's when it
 * changed: the widget's loader pings a quiet socket every few seconds, which keeps the agents' view of a
 * single-page app's route current while the chat is closed.
 */
export interface Ping {
  type: "ping";
  /**
   * The page the visitor is on (visitor socket; empty: not said).
   */
  page_url?: string;
  /**
   * That page's title.
   */
  page_title?: string;
}
/**
 * Assign a conversation to an active agent of its site, or unassign it (null); acknowledged by the
 * `inbox.update` it causes.
 */
export interface ConversationAssign {
  type: "conversation.assign";
  conversation_id: string;
  /**
   * The agent to assign it to; null unassigns.
   */
  assignee_id: number | null;
}
/**
 * Resolve a conversation (a system line in its thread); acknowledged by the `inbox.update` it causes.
 */
export interface ConversationResolve {
  type: "conversation.resolve";
  conversation_id: string;
}
/**
 * Reopen a resolved conversation (a system line); acknowledged by the `inbox.update` it causes.
 */
export interface ConversationReopen {
  type: "conversation.reopen";
  conversation_id: string;
}
/**
 * Ask for a visitor of the agent's sites; answered by `visitor.detail`.
 */
export interface VisitorGet {
  type: "visitor.get";
  visitor_id: string;
}
/**
 * Create (no id) or change a canned reply of one of the agent's sites; answered by `canned.changed`.
 */
export interface CannedSave {
  type: "canned.save";
  /**
   * The canned reply to change; absent or null creates one.
   */
  id?: number | null;
  site_id: number;
  /**
   * 1-40 characters of a-z, 0-9, '-' and '_'.
   */
  shortcut: string;
  /**
   * At most 120 characters.
   */
  title?: string;
  /**
   * 1..PARLEY_MESSAGE_MAX_LENGTH characters after trimming.
   */
  body: string;
}
/**
 * Delete a canned reply of one of the agent's sites; answered by `canned.changed`.
 */
export interface CannedDelete {
  type: "canned.delete";
  id: number;
}
/**
 * A private note in a conversation of the agent's sites, never sent to the visitor; answered by
 * `activity.new` (through the broadcast to the consoles following the conversation, or to the sender).
 */
export interface NoteAdd {
  type: "note.add";
  conversation_id: string;
  /**
   * Chosen by the sender (a UUID is ideal), unique per conversation: a retried send returns the stored message instead of storing it twice.
   */
  client_id: string;
  /**
   * 1..PARLEY_MESSAGE_MAX_LENGTH characters after trimming.
   */
  body: string;
}
/**
 * The agent sets itself online or away (for all its consoles, while any is open); no reply.
 */
export interface PresenceSet {
  type: "presence.set";
  /**
   * Away: visitors see the team as away.
   */
  status: "online" | "away";
}
/**
 * Change the agent's notification preferences; every console of the agent gets `preferences`.
 */
export interface PreferencesSet {
  type: "preferences.set";
  desktop?: boolean | null;
  push?: boolean | null;
  sound?: boolean | null;
  title_count?: boolean | null;
}
/**
 * The agent is typing a reply in a conversation of its sites (or stopped); throttled like the
 * visitor's; no reply.
 */
export interface AgentTyping {
  type: "typing";
  conversation_id: string;
  /**
   * `start` (again every 2 s while typing) or `stop`.
   */
  state: "start" | "stop";
}
/**
 * Ask for a page of an inbox view, searched or not; answered by `inbox.page`.
 */
export interface InboxQuery {
  type: "inbox.query";
  view: InboxView;
  /**
   * One of the agent's sites; null: all of them.
   */
  site_id?: number | null;
  /**
   * The `next` of the page before, as it came; null: the first.
   */
  before?: string | null;
  /**
   * Words (at most 200 characters); null or empty: no search.
   */
  search?: string | null;
}
/**
 * Ask for the ratings of the agent's sites per agent over the last PARLEY_RATINGS_DAYS; answered by
 * `ratings`.
 */
export interface RatingsGet {
  type: "ratings.get";
}
/**
 * The agent an agent socket speaks for.
 */
export interface AgentInfo {
  /**
   * The agent's user id (Message.agent_id of its replies).
   */
  id: number;
  /**
   * The name visitors and colleagues see.
   */
  name: string;
}
/**
 * A connected agent's status (an agent not listed is offline).
 */
export interface AgentPresence {
  agent_id: number;
  status: "online" | "away";
}
/**
 * One agent's ratings over the period.
 */
export interface AgentRatings {
  agent_id: number;
  name: string;
  good: number;
  okay: number;
  bad: number;
}
/**
 * Sent on connect: the agent, its sites and its inbox.
 */
export interface AgentReady {
  type: "ready";
  agent: AgentInfo;
  sites: SiteInfo[];
  /**
   * The first page of the view 'open' (PARLEY_INBOX_PAGE_SIZE rows), newest first.
   */
  inbox: ConversationSummary[];
  /**
   * `before` of the next page of 'open'; null when none.
   */
  inbox_next: string | null;
  /**
   * Each view's count, per site of the agent.
   */
  counts: InboxCounts[];
  /**
   * Every active member of the agent's sites, by name.
   */
  agents: SiteAgent[];
  /**
   * The canned replies of the agent's sites, by shortcut.
   */
  canned: CannedReply[];
  /**
   * The connected agents of your sites (you included) and their status; others are offline.
   */
  presence: AgentPresence[];
  preferences: Preferences;
}
/**
 * A site as agents see it.
 */
export interface SiteInfo {
  /**
   * The site's id.
   */
  id: number;
  /**
   * The site's name.
   */
  name: string;
}
/**
 * A conversation as an inbox row of the agent console.
 */
export interface ConversationSummary {
  /**
   * The conversation's id.
   */
  id: string;
  site: SiteInfo;
  /**
   * A visitor has one open conversation at most.
   */
  status: "open" | "resolved";
  visitor: VisitorInfo;
  /**
   * The agent it is assigned to, null when unassigned.
   */
  assignee_id: number | null;
  /**
   * The assignee's display name, null when unassigned.
   */
  assignee_name: string | null;
  /**
   * When it was resolved; null while open.
   */
  resolved_at: string | null;
  /**
   * The seq of its latest message.
   */
  last_seq: number;
  /**
   * Its latest message, null when it has none.
   */
  last_message: Message | null;
  /**
   * ISO 8601 UTC, e.g. 2026-11-24T07:26:23.123456+00:00.
   */
  created_at: string;
  /**
   * Its latest activity: the inbox is ordered by it, newest first.
   */
  updated_at: string;
  /**
   * The reading agent's own read mark: present in `ready` and `conversation.opened`, null in broadcasts (`inbox.update`), where the console keeps its own. Unread: last_message.author is 'visitor' and last_message.seq > last_read_seq.
   */
  last_read_seq: number | null;
  /**
   * The highest seq the visitor has read ("Seen by visitor"); null in an `inbox.update` for a visitor's message, where the console keeps the one it has (`read` frames move it).
   */
  visitor_last_read_seq: number | null;
}
/**
 * A visitor as agents see it.
 */
export interface VisitorInfo {
  /**
   * The visitor's id.
   */
  id: string;
  /**
   * The visitor's name, empty when unknown.
   */
  name: string;
  /**
   * The visitor's email address, empty when unknown.
   */
  email: string;
  /**
   * The page the visitor was last seen on, empty when unknown.
   */
  last_page_url: string;
  /**
   * The name to show: the visitor's name, else a friendly one generated from its id ('Amber Fox'), the same everywhere and always.
   */
  display_name: string;
}
/**
 * A stored message.
 */
export interface Message {
  /**
   * The message's id, unique on the server.
   */
  id: number;
  /**
   * The conversation it belongs to.
   */
  conversation_id: string;
  /**
   * Its place in the conversation: starts at 1, strictly increases.
   */
  seq: number;
  /**
   * Who wrote it.
   */
  author: "visitor" | "agent" | "system";
  /**
   * The agent's first name, else its username before any '@' ('Support' when the user is gone); null unless the author is an agent, or a system line an agent caused (agent_id set).
   */
  author_name: string | null;
  /**
   * The agent who wrote it (so a console can tell its own replies from a colleague's).
   */
  agent_id: number | null;
  /**
   * The text, rendered as text, never as HTML.
   */
  body: string;
  /**
   * The sender's idempotency key; null when it gave none (a reply sent from server code).
   */
  client_id: string | null;
  /**
   * ISO 8601 UTC, e.g. 2026-11-24T07:26:23.123456+00:00.
   */
  created_at: string;
  /**
   * What a system line says happened (clients word it themselves; `body` is an English fallback); null for every other message.
   */
  event: ("resolved" | "reopened") | null;
}
/**
 * How many conversations each inbox view holds on one site.
 */
export interface InboxCounts {
  /**
   * The site's id.
   */
  site_id: number;
  /**
   * Open conversations (the view 'open', "All open").
   */
  open: number;
  /**
   * Open conversations assigned to no one.
   */
  unassigned: number;
  /**
   * Resolved conversations.
   */
  resolved: number;
  /**
   * Open conversations assigned to the agent who reads this.
   */
  mine: number;
  /**
   * The views holding more than their count: each is counted up to PARLEY_INBOX_COUNT_LIMIT, and shown as at least that many ('1000+').
   */
  over: InboxView[];
}
/**
 * An active member of one of the agent's sites (for the assign menu and for names).
 */
export interface SiteAgent {
  /**
   * The agent's user id.
   */
  id: number;
  /**
   * The agent's display name.
   */
  name: string;
  /**
   * Which of the reading agent's sites this agent belongs to.
   */
  site_ids: number[];
}
/**
 * A site's saved reply, expanded in the composer by `/shortcut`.
 */
export interface CannedReply {
  /**
   * The canned reply's id.
   */
  id: number;
  /**
   * The site it belongs to.
   */
  site_id: number;
  /**
   * 1-40 characters of a-z, 0-9, '-' and '_', unique per site.
   */
  shortcut: string;
  /**
   * A label for the list, empty when none.
   */
  title: string;
  /**
   * The text it expands to.
   */
  body: string;
  /**
   * ISO 8601 UTC, e.g. 2026-11-24T07:26:23.123456+00:00.
   */
  updated_at: string;
}
/**
 * The agent's notification preferences.
 */
export interface Preferences {
  /**
   * Desktop notifications while the console tab is hidden.
   */
  desktop: boolean;
  /**
   * Web Push while no console of the agent is open.
   */
  push: boolean;
  /**
   * A short sound with each notification.
   */
  sound: boolean;
  /**
   * The unread count in the tab title.
   */
  title_count: boolean;
}
/**
 * The answer to `conversation.open`.
 */
export interface ConversationOpened {
  type: "conversation.opened";
  conversation: ConversationSummary;
  /**
   * Its messages with seq > after_seq, oldest first.
   */
  messages: Message[];
  /**
   * More messages follow (at most PARLEY_HISTORY_LIMIT per page): `sync` from the highest seq held.
   */
  has_more: boolean;
  /**
   * Its agent-only lines, oldest first (the newest PARLEY_ACTIVITY_LIMIT).
   */
  activity: Activity[];
}
/**
 * A message was stored in a conversation this socket hears (the sender's own included).
 */
export interface MessageNew {
  type: "message.new";
  message: Message;
}
/**
 * Your `message.send` is stored (also for a retry of a stored one).
 */
export interface MessageAck {
  type: "message.ack";
  /**
   * The client_id of the `message.send` it answers.
   */
  client_id: string;
  message: Message;
}
/**
 * A conversation of the agent's sites was started, got a message, or changed status or assignee: its
 * inbox row, last_read_seq null.
 */
export interface InboxUpdate {
  type: "inbox.update";
  conversation: ConversationSummary;
  /**
   * The row's status and assignee before this change (equal to its own when they did not change); null when this update started the conversation.
   */
  previous: ConversationState | null;
}
/**
 * What decides a conversation's inbox bucket.
 */
export interface ConversationState {
  status: "open" | "resolved";
  assignee_id: number | null;
}
/**
 * The answer to `sync`.
 */
export interface History {
  type: "history";
  conversation_id: string;
  /**
   * The messages with seq > after_seq, oldest first.
   */
  messages: Message[];
  /**
   * More messages follow (at most PARLEY_HISTORY_LIMIT per page): `sync` from the highest seq held.
   */
  has_more: boolean;
  /**
   * Visitor socket: the visitor's conversation before this one (sync it to show it above), null when none. Agent socket: always null.
   */
  previous_id: string | null;
}
/**
 * A notification pushed to every console of one agent (actions.send_notification).
 */
export interface Notification {
  type: "notification";
  /**
   * Any JSON object.
   */
  payload: {
    [k: string]: unknown | undefined;
  };
}
/**
 * The answer to `inbox.query`: a page of a view, newest activity first.
 */
export interface InboxPage {
  type: "inbox.page";
  view: InboxView;
  /**
   * As asked.
   */
  site_id: number | null;
  /**
   * As asked.
   */
  search: string | null;
  /**
   * As asked: null for a first page.
   */
  before: string | null;
  /**
   * At most PARLEY_INBOX_PAGE_SIZE, newest first.
   */
  conversations: ConversationSummary[];
  /**
   * With a search: the latest matching message of each conversation matched by a message.
   */
  matches: SearchMatch[];
  /**
   * Opaque: `before` of the next page; null on the last page.
   */
  next: string | null;
}
/**
 * A conversation's latest message that matches a search.
 */
export interface SearchMatch {
  conversation_id: string;
  /**
   * The matching message's id.
   */
  message_id: number;
  /**
   * The matching message's seq.
   */
  seq: number;
  /**
   * About 160 characters of the message around the match, on one line; text, never HTML.
   */
  snippet: string;
}
/**
 * The answer to `ping`.
 */
export interface Pong {
  type: "pong";
}
/**
 * A refused frame or a failure; the codes that close the socket are followed by their close code.
 */
export interface ErrorFrame {
  type: "error";
  code: ErrorCode;
  /**
   * For people; clients act on `code`.
   */
  message: string;
  /**
   * The client_id (else the type) of the frame it answers; null when the frame could not be read: not JSON, an unknown type, or over 8x PARLEY_FRAME_MAX_BYTES.
   */
  ref: string | null;
  /**
   * With rate_limited and connection_limited: whole seconds until it may succeed.
   */
  retry_after?: number | null;
}
/**
 * A colleague assigned a conversation to you (to all your consoles; not when you assign yourself).
 */
export interface ConversationAssigned {
  type: "conversation.assigned";
  conversation: ConversationSummary;
  by: AgentInfo1;
}
/**
 * The agent an agent socket speaks for.
 */
export interface AgentInfo1 {
  /**
   * The agent's user id (Message.agent_id of its replies).
   */
  id: number;
  /**
   * The name visitors and colleagues see.
   */
  name: string;
}
/**
 * A visitor of the agent's sites moved to another page (from its `page` frames).
 */
export interface VisitorPage {
  type: "visitor.page";
  visitor_id: string;
  /**
   * The page's http(s) URL.
   */
  url: string;
  /**
   * The page's title, empty when it has none.
   */
  title: string;
}
/**
 * A visitor of the agent's sites has new custom attributes (all of them, as stored).
 */
export interface VisitorAttributesFrame {
  type: "visitor.attributes";
  visitor_id: string;
  /**
   * As VisitorDetail.attributes.
   */
  attributes: {
    [k: string]: string | number | boolean | undefined;
  };
}
/**
 * The answer to `visitor.get`: the visitor and its conversations, newest first.
 */
export interface VisitorDetailFrame {
  type: "visitor.detail";
  visitor: VisitorDetail;
  /**
   * Its conversations, newest first (at most PARLEY_VISITOR_CONVERSATIONS_LIMIT).
   */
  conversations: PastConversation[];
}
/**
 * A visitor as the console's sidebar shows it (`visitor.detail`).
 */
export interface VisitorDetail {
  /**
   * The visitor's id.
   */
  id: string;
  /**
   * The visitor's site.
   */
  site_id: number;
  /**
   * The visitor's name, empty when unknown.
   */
  name: string;
  /**
   * The visitor's email address, empty when unknown.
   */
  email: string;
  /**
   * As VisitorInfo.display_name.
   */
  display_name: string;
  /**
   * The page the visitor is on (or was last on), empty when unknown.
   */
  page_url: string;
  /**
   * That page's title, empty when unknown.
   */
  page_title: string;
  /**
   * The page that led to the site (an http(s) URL), empty when unknown.
   */
  referrer: string;
  /**
   * Browser and major version from its User-Agent, e.g. 'Chrome 120'.
   */
  browser: string;
  /**
   * Operating system from its User-Agent, e.g. 'Windows 10'.
   */
  os: string;
  /**
   * The browser's IANA time zone, e.g. 'Europe/Paris'; empty when unknown.
   */
  timezone: string;
  /**
   * The browser's language tag, e.g. 'fr-FR'; empty when unknown.
   */
  language: string;
  /**
   * The site's custom attributes of the visitor (`Parley('setAttributes', ...)`), by key.
   */
  attributes: {
    [k: string]: string | number | boolean | undefined;
  };
  /**
   * ISO 8601 UTC, e.g. 2026-11-24T07:26:23.123456+00:00.
   */
  first_seen_at: string;
  /**
   * ISO 8601 UTC, e.g. 2026-11-24T07:26:23.123456+00:00.
   */
  last_seen_at: string;
  /**
   * Sessions more than PARLEY_VISIT_GAP_SECONDS apart.
   */
  visits: number;
}
/**
 * One of a visitor's conversations, as the sidebar lists them.
 */
export interface PastConversation {
  /**
   * The conversation's id (`conversation.open` opens it).
   */
  id: string;
  status: "open" | "resolved";
  /**
   * The seq of its latest message.
   */
  last_seq: number;
  /**
   * ISO 8601 UTC, e.g. 2026-11-24T07:26:23.123456+00:00.
   */
  created_at: string;
  /**
   * ISO 8601 UTC, e.g. 2026-11-24T07:26:23.123456+00:00.
   */
  updated_at: string;
  /**
   * The visitor's rating once resolved and rated (docs/offline.md); null when none.
   */
  rating?: ("good" | "okay" | "bad") | null;
}
/**
 * A canned reply of the agent's sites was saved (`canned`) or deleted (`deleted_id`).
 */
export interface CannedChanged {
  type: "canned.changed";
  site_id: number;
  /**
   * The saved canned reply; null when one was deleted.
   */
  canned: CannedReply | null;
  /**
   * The deleted canned reply's id; null when one was saved.
   */
  deleted_id: number | null;
}
/**
 * An agent of your sites came online, went away or offline (its last console closed or expired).
 */
export interface Presence {
  type: "presence";
  agent_id: number;
  status: "online" | "away" | "offline";
}
/**
 * Who views a conversation of your sites changed (a console opened or left it, or closed).
 */
export interface ConversationViewers {
  type: "conversation.viewers";
  conversation_id: string;
  /**
   * The agents viewing it now, you included when you do.
   */
  agent_ids: number[];
}
/**
 * The agent's notification preferences changed (from any of its consoles, this one included).
 */
export interface PreferencesUpdate {
  type: "preferences";
  preferences: Preferences1;
}
/**
 * An agent's notification preferences (docs/notifications.md).
 */
export interface Preferences1 {
  /**
   * Desktop notifications while the console tab is hidden.
   */
  desktop: boolean;
  /**
   * Web Push while no console of the agent is open.
   */
  push: boolean;
  /**
   * A short sound with each notification.
   */
  sound: boolean;
  /**
   * The unread count in the tab title.
   */
  title_count: boolean;
}
/**
 * Someone is typing in a conversation (or stopped): to the visitor's sockets for an agent, to the
 * agent sockets following the conversation for either side.
 */
export interface Typing {
  type: "typing";
  conversation_id: string;
  /**
   * Who is typing.
   */
  author: "visitor" | "agent";
  /**
   * The agent typing; null for the visitor.
   */
  agent_id: number | null;
  /**
   * The agent's display name; null for the visitor.
   */
  author_name: string | null;
  /**
   * `start`: show it; `stop`: clear it.
   */
  state: "start" | "stop";
  /**
   * Clear it after this many seconds without another `start` (PARLEY_TYPING_TTL_SECONDS).
   */
  ttl_seconds: number;
}
/**
 * A read mark moved: the visitor's (to its sockets and to the agents following the conversation) or
 * the agents' (to the visitor's sockets: its messages up to `seq` are "Seen").
 */
export interface Read {
  type: "read";
  conversation_id: string;
  /**
   * Whose mark moved.
   */
  reader: "visitor" | "agent";
  /**
   * The new mark: everything up to this seq is read.
   */
  seq: number;
}
/**
 * A visitor of the agent's sites left an email address (unverified).
 */
export interface VisitorEmailFrame {
  type: "visitor.email";
  visitor_id: string;
  email: string;
}
/**
 * A conversation was rated: to the visitor that rated it, and to the consoles of its site.
 */
export interface ConversationRated {
  type: "conversation.rated";
  conversation_id: string;
  visitor_id: string;
  rating: Rating;
}
/**
 * A visitor's rating of a resolved conversation.
 */
export interface Rating {
  score: "good" | "okay" | "bad";
  /**
   * The visitor's comment, empty when none.
   */
  comment: string;
  /**
   * The agent it is about: the assignee, else the last agent who replied or resolved.
   */
  agent_id: number | null;
  /**
   * ISO 8601 UTC, e.g. 2026-11-24T07:26:23.123456+00:00.
   */
  rated_at: string;
}
/**
 * The answer to `ratings.get`: per agent of the agent's sites, most rated first.
 */
export interface Ratings {
  type: "ratings";
  /**
   * The period: the last PARLEY_RATINGS_DAYS days.
   */
  days: number;
  agents: AgentRatings[];
}
/**
 * The team's availability changed: online when an agent of the site is connected and not away.
 */
export interface Availability {
  type: "availability";
  status: "online" | "away";
}
/**
 * A conversation as its visitor sees it.
 */
export interface Conversation {
  /**
   * The conversation's id.
   */
  id: string;
  /**
   * A visitor has one open conversation at most.
   */
  status: "open" | "resolved";
  /**
   * The seq of its latest message.
   */
  last_seq: number;
  /**
   * The visitor's conversation before this one (`sync` it to show it above), null when none.
   */
  previous_id: string | null;
  /**
   * The highest seq the visitor has read (any tab): agent messages after it are unread.
   */
  visitor_last_read_seq: number;
  /**
   * The highest seq an agent has read: the visitor's messages up to it show "Seen".
   */
  agent_last_read_seq: number;
}
/**
 * Rate one of the visitor's resolved conversations (again: replaces the rating); answered by
 * `conversation.rated`.
 */
export interface ConversationRate {
  type: "conversation.rate";
  conversation_id: string;
  score: "good" | "okay" | "bad";
  comment?: string;
}
/**
 * A conversation of this visitor was started (also by another tab); its messages follow.
 */
export interface ConversationStarted {
  type: "conversation.started";
  conversation: Conversation;
}
/**
 * The visitor's email address was stored: replies it misses are emailed there.
 */
export interface EmailSaved {
  type: "email.saved";
  email: string;
}
/**
 * The visitor's first frame, within PARLEY_HELLO_TIMEOUT; answered by `ready`.
 */
export interface Hello {
  type: "hello";
  /**
   * The visitor token from the session endpoint.
   */
  token: string;
  /**
   * The highest seq the visitor holds; `ready` carries what follows.
   */
  last_seq?: number;
  /**
   * The page the widget runs on.
   */
  page_url?: string;
  /**
   * The conversation `last_seq` belongs to: when it is not the visitor's latest, `ready` sends the latest from seq 1.
   */
  conversation_id?: string | null;
}
/**
 * Every 4xx answer of the HTTP API.
 */
export interface HttpError {
  error: HttpErrorBody;
}
/**
 * What went wrong.
 */
export interface HttpErrorBody {
  code: ErrorCode;
  message: string;
  /**
   * With rate_limited: whole seconds until it may succeed (also Retry-After).
   */
  retry_after?: number | null;
}
/**
 * Who the host page says its visitor is (`Parley('identify', ...)`), verified by `user_hash` or `token`
 * (docs/identity.md). Unknown fields are ignored.
 */
export interface IdentityClaim {
  /**
   * The site's own id of its user; the JWT's `sub` when a token is given.
   */
  user_id?: string | null;
  email?: string | null;
  name?: string | null;
  /**
   * Hex HMAC-SHA256 of user_id with the site's identity secret.
   */
  user_hash?: string | null;
  /**
   * A JWT (HS256 with the site's identity secret; `sub` and `exp` required).
   */
  token?: string | null;
}
/**
 * The visitor's page changed (a navigation, a single-page app's route), or its context; no reply.
 *
 * At most one is applied per PARLEY_PAGE_MIN_INTERVAL_SECONDS per socket: of those sent sooner, only the
 * latest is, when the interval ends (the others are dropped without an answer).
 */
export interface Page {
  type: "page";
  /**
   * The page's http(s) URL.
   */
  url: string;
  /**
   * The page's title.
   */
  title?: string;
  /**
   * document.referrer (kept only when an http(s) URL).
   */
  referrer?: string;
  /**
   * The browser's IANA time zone, e.g. 'Europe/Paris'.
   */
  timezone?: string;
  /**
   * navigator.language, a BCP 47 tag.
   */
  language?: string;
}
/**
 * What became of a session request's identity.
 */
export interface SessionIdentity {
  /**
   * The session is the verified contact's, with their conversations.
   */
  verified: boolean;
  /**
   * identity_unverified when the site requires verification and it failed: the session is then a fresh anonymous visitor's.
   */
  error?: HttpErrorBody | null;
}
/**
 * The body of POST /api/widget/sites/<site_key>/session: unknown fields are ignored.
 */
export interface SessionRequest {
  /**
   * The token the widget holds: resumes its visitor when valid, else a new one starts.
   */
  visitor_token?: string | null;
  /**
   * The page the widget runs on (an http(s) URL).
   */
  page_url?: string | null;
  page_title?: string | null;
  referrer?: string | null;
  timezone?: string | null;
  language?: string | null;
  identity?: IdentityClaim | null;
}
/**
 * The answer to a session request: a fresh token for the visitor socket.
 */
export interface SessionResponse {
  visitor_token: string;
  visitor_id: string;
  /**
   * The visitor socket's ws(s):// URL.
   */
  socket_url: string;
  /**
   * Seconds the token stays valid.
   */
  token_max_age: number;
  /**
   * Present when the request carried an identity.
   */
  identity?: SessionIdentity | null;
  /**
   * When page_url held a resume link's token (`#parley-resume=`): true when it was valid and the session is its visitor's.
   */
  resumed?: boolean | null;
}
/**
 * The transcript will be emailed shortly.
 */
export interface TranscriptQueued {
  type: "transcript.queued";
  conversation_id: string;
  /**
   * Where it goes.
   */
  email: string;
}
/**
 * Email one of the visitor's conversations to the address it left; answered by `transcript.queued`.
 */
export interface TranscriptRequest {
  type: "transcript.request";
  conversation_id: string;
}
/**
 * The page's custom attributes of its visitor (`Parley('setAttributes', ...)`), merged into those
 * stored; a null value removes its key. No reply; invalid_attributes when they cannot be stored.
 */
export interface VisitorAttributes {
  type: "attributes";
  /**
   * A key is a-z, then up to 39 of a-z, 0-9 and '_'; a value is a string (at most PARLEY_VISITOR_ATTRIBUTE_VALUE_MAX_CHARS characters), number, boolean or null per value; at most PARLEY_VISITOR_ATTRIBUTES_MAX keys stored.
   */
  attributes: {
    [k: string]: unknown | undefined;
  };
}
/**
 * A visitor's message (the first one of a visitor with no open conversation starts one).
 */
export interface VisitorMessageSend {
  type: "message.send";
  /**
   * Chosen by the sender (a UUID is ideal), unique per conversation: a retried send returns the stored message instead of storing it twice.
   */
  client_id: string;
  /**
   * 1..PARLEY_MESSAGE_MAX_LENGTH characters after trimming.
   */
  body: string;
}
/**
 * The visitor is typing in its latest conversation (or stopped); relayed at most every
 * PARLEY_TYPING_INTERVAL_SECONDS per socket, more are dropped silently; no reply.
 */
export interface VisitorTyping {
  type: "typing";
  /**
   * `start` (again every 2 s while typing) or `stop`.
   */
  state: "start" | "stop";
}
/**
 * The visitor leaves an email address in the conversation; answered by `email.saved`.
 */
export interface VisitorEmail {
  type: "visitor.email";
  /**
   * An email address (at most 254 characters), checked by the server.
   */
  email: string;
}
/**
 * The answer to a valid `hello`: the visitor's latest conversation and what it has not seen.
 */
export interface VisitorReady {
  type: "ready";
  visitor: VisitorRef;
  /**
   * The visitor's latest conversation, open or resolved; null when none.
   */
  conversation: Conversation | null;
  /**
   * Its messages with seq > last_seq, oldest first.
   */
  messages: Message[];
  /**
   * More messages follow (at most PARLEY_HISTORY_LIMIT per page): `sync` from the highest seq held.
   */
  has_more: boolean;
  /**
   * The team's availability: online when an agent of the site is connected and not away.
   */
  availability: "online" | "away";
}
/**
 * The visitor a visitor socket speaks for.
 */
export interface VisitorRef {
  /**
   * The visitor's id.
   */
  id: string;
}
/**
 * The answer to GET /api/widget/sites/<site_key>/config.
 */
export interface WidgetConfig {
  site: WidgetSite;
}
/**
 * A site's public widget settings.
 */
export interface WidgetSite {
  name: string;
  /**
   * Hex colour, e.g. #4f46e5.
   */
  color: string;
  greeting: string;
  position: "right" | "left";
  /**
   * Shown beside the launcher's icon; empty for the icon alone.
   */
  launcher_text: string;
  /**
   * Shown when no agent is online or outside business hours.
   */
  away_message: string;
  /**
   * The widget's language unless the page sets one; null: the visitor's browser language.
   */
  language: ("en" | "fr" | "es" | "ar") | null;
  /**
   * Ask for the visitor's email before their first message.
   */
  ask_email: boolean;
  /**
   * Whether the site's business hours are on now (always, for a site with none).
   */
  within_hours: boolean;
}
