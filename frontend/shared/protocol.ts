// Types of the frames and objects of docs/protocol.md (v1), written by hand from it. They are to be
// generated from docs/protocol.schema.json into protocol.gen.ts and re-exported here under the same names.

export type Author = "visitor" | "agent" | "system";

export interface Message {
  id: number;
  conversation_id: string;
  seq: number;
  author: Author;
  author_name: string | null;
  agent_id: number | null;
  body: string;
  client_id: string | null;
  created_at: string;
}

/** A conversation as the visitor sees it. */
export interface Conversation {
  id: string;
  status: "open" | "resolved";
  last_seq: number;
}

export interface SiteInfo {
  id: number;
  name: string;
}

export interface VisitorInfo {
  id: string;
  name: string;
  email: string;
  last_page_url: string;
}

/** A conversation as agents see it in the inbox. */
export interface ConversationSummary {
  id: string;
  site: SiteInfo;
  status: "open" | "resolved";
  visitor: VisitorInfo;
  assignee_id: number | null;
  last_seq: number;
  last_message: Message | null;
  created_at: string;
  updated_at: string;
  /** The reading agent's own mark; null in `inbox.update` broadcasts. */
  last_read_seq: number | null;
}

/** The widget's site settings (`GET /api/widget/sites/<key>/config`). */
export interface WidgetSite {
  name: string;
  color: string;
  greeting: string;
  position: "right" | "left";
}

/** `POST /api/widget/sites/<key>/session`. */
export interface WidgetSession {
  visitor_token: string;
  visitor_id: string;
  socket_url: string;
  token_max_age: number;
}

// --- Client -> server ----------------------------------------------------------------------------

export interface Hello {
  type: "hello";
  token: string;
  last_seq?: number;
  page_url?: string;
}

export interface MessageSend {
  type: "message.send";
  client_id: string;
  body: string;
  /** Agents only: the conversation replied to. */
  conversation_id?: string;
}

export interface Sync {
  type: "sync";
  conversation_id: string;
  after_seq: number;
}

export interface Ping {
  type: "ping";
}

export interface ConversationOpen {
  type: "conversation.open";
  conversation_id: string;
  after_seq?: number;
}

export interface ConversationLeave {
  type: "conversation.leave";
  conversation_id: string;
}

export interface ConversationRead {
  type: "conversation.read";
  conversation_id: string;
  seq: number;
}

export type VisitorClientFrame = Hello | MessageSend | Sync | Ping;
export type AgentClientFrame = ConversationOpen | ConversationLeave | ConversationRead | MessageSend | Sync | Ping;
export type ClientFrame = VisitorClientFrame | AgentClientFrame;

// --- Server -> client ----------------------------------------------------------------------------

export interface VisitorReady {
  type: "ready";
  visitor: { id: string };
  conversation: Conversation | null;
  messages: Message[];
  has_more: boolean;
}

export interface AgentReady {
  type: "ready";
  agent: { id: number; name: string };
  sites: SiteInfo[];
  inbox: ConversationSummary[];
}

export interface MessageNew {
  type: "message.new";
  message: Message;
}

export interface MessageAck {
  type: "message.ack";
  client_id: string;
  message: Message;
}

export interface ConversationStarted {
  type: "conversation.started";
  conversation: Conversation;
}

export interface ConversationOpened {
  type: "conversation.opened";
  conversation: ConversationSummary;
  messages: Message[];
  has_more: boolean;
}

export interface InboxUpdate {
  type: "inbox.update";
  conversation: ConversationSummary;
}

export interface History {
  type: "history";
  conversation_id: string;
  messages: Message[];
  has_more: boolean;
}

export interface Notification {
  type: "notification";
  payload: Record<string, unknown>;
}

export interface Pong {
  type: "pong";
}

export type ErrorCode =
  | "bad_frame"
  | "frame_too_large"
  | "unknown_type"
  | "invalid_field"
  | "body_too_long"
  | "empty_body"
  | "not_found"
  | "rate_limited"
  | "limit_reached"
  | "hello_required"
  | "token_invalid"
  | "token_wrong_site"
  | "not_authenticated"
  | "internal_error";

export interface ErrorFrame {
  type: "error";
  code: ErrorCode;
  message: string;
  /** The client_id or frame type it answers; null when the frame could not be read. */
  ref: string | null;
}

export type VisitorServerFrame = VisitorReady | MessageAck | MessageNew | ConversationStarted | History | Pong | ErrorFrame;
export type AgentServerFrame =
  | AgentReady
  | ConversationOpened
  | MessageNew
  | MessageAck
  | InboxUpdate
  | History
  | Notification
  | Pong
  | ErrorFrame;
export type ServerFrame = VisitorServerFrame | AgentServerFrame;
