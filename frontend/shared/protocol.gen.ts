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
  | InboxQuery;
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
  | ConversationAssigned;
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
  | "conversation_superseded";
export type VisitorClientFrame = Hello | VisitorMessageSend | Sync | Ping;
export type VisitorServerFrame =
  VisitorReady | MessageAck | MessageNew | ConversationStarted | History | Pong | ErrorFrame;

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
 * A keepalive; answered by `pong`.
 */
export interface Ping {
  type: "ping";
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
}
/**
 * A conversation of this visitor was started (also by another tab); its messages follow.
 */
export interface ConversationStarted {
  type: "conversation.started";
  conversation: Conversation;
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
}
