"""Every frame of both sockets and the widget's HTTP bodies (docs/protocol.md), as pydantic models."""

import uuid
from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field
from typing_extensions import TypeAliasType

from server.protocol import offline_frames
from server.protocol.bases import ClientFrame, ServerFrame
from server.protocol.fields import (
    ClientId,
    ConversationId,
    Expect,
    OptionalConversationId,
    OptionalCursor,
    OptionalFlag,
    OptionalRecordId,
    OptionalSearch,
    OptionalSiteId,
    PageTitle,
    PageUrl,
    RecordId,
    Seq,
    Shortcut,
    Text,
    VisitorId,
)
from server.protocol.objects import (
    SERVER_OUTPUT,
    Activity,
    CannedReply,
    Conversation,
    ConversationState,
    ConversationSummary,
    InboxCounts,
    InboxView,
    Message,
    PastConversation,
    Preferences,
    SearchMatch,
    SiteAgent,
    SiteInfo,
    VisitorDetail,
)

# Every error code Parley emits; errors.ERROR_CODES maps each to its HTTP status and close code.
ErrorCode = TypeAliasType(
    "ErrorCode",
    Literal[
        "bad_frame",
        "frame_too_large",
        "unknown_type",
        "invalid_field",
        "invalid_json",
        "body_too_long",
        "empty_body",
        "not_found",
        "site_not_found",
        "origin_not_allowed",
        "payload_too_large",
        "method_not_allowed",
        "rate_limited",
        "connection_limited",
        "limit_reached",
        "hello_required",
        "token_invalid",
        "token_wrong_site",
        "not_authenticated",
        "internal_error",
        "unsupported_media_type",
        "bad_request",
        "identity_unverified",
        "conversation_superseded",
        "email_invalid",
        "rating_unavailable",
        "email_required",
        "invalid_attributes",
    ],
)


# --- Client frames ---------------------------------------------------------------------------------------
# Fields are declared in the order they are checked: an error names the first refused one.


class Hello(ClientFrame):
    """The visitor's first frame, within PARLEY_HELLO_TIMEOUT; answered by `ready`."""

    type: Literal["hello"]
    token: Text = Field(description="The visitor token from the session endpoint.")
    last_seq: Seq = Field(0, description="The highest seq the visitor holds; `ready` carries what follows.")
    page_url: PageUrl = Field("", description="The page the widget runs on.")
    conversation_id: OptionalConversationId = Field(
        None,
        description="The conversation `last_seq` belongs to: when it is not the visitor's latest, `ready` "
        "sends the latest from seq 1.",
    )


class VisitorMessageSend(ClientFrame):
    """A visitor's message (the first one of a visitor with no open conversation starts one)."""

    type: Literal["message.send"]
    client_id: ClientId
    body: Text = Field(description="1..PARLEY_MESSAGE_MAX_LENGTH characters after trimming.")


class AgentMessageSend(ClientFrame):
    """An agent's reply in a conversation of its sites."""

    type: Literal["message.send"]
    conversation_id: ConversationId
    client_id: ClientId
    body: Text = Field(description="1..PARLEY_MESSAGE_MAX_LENGTH characters after trimming.")


class Sync(ClientFrame):
    """Ask for the messages after a seq; answered by `history`."""

    type: Literal["sync"]
    conversation_id: ConversationId
    after_seq: Seq


class Ping(ClientFrame):
    """A keepalive; answered by `pong`. A visitor's may name its page, recorded like a `page` frame's when it
    changed: the widget's loader pings a quiet socket every few seconds, which keeps the agents' view of a
    single-page app's route current while the chat is closed."""

    type: Literal["ping"]
    page_url: PageUrl = Field("", description="The page the visitor is on (visitor socket; empty: not said).")
    page_title: PageTitle = Field("", description="That page's title.")


class ConversationOpen(ClientFrame):
    """Follow a conversation and mark it read; answered by `conversation.opened`."""

    type: Literal["conversation.open"]
    conversation_id: ConversationId
    after_seq: Seq = Field(0, description="The highest seq the console holds of it.")


class ConversationLeave(ClientFrame):
    """Stop following a conversation; no reply."""

    type: Literal["conversation.leave"]
    conversation_id: ConversationId


class ConversationRead(ClientFrame):
    """Store the agent's read mark (never past the last message); no reply."""

    type: Literal["conversation.read"]
    conversation_id: ConversationId
    seq: Seq


class InboxQuery(ClientFrame):
    """Ask for a page of an inbox view, searched or not; answered by `inbox.page`."""

    type: Literal["inbox.query"]
    view: Annotated[InboxView, Expect("must be one of 'mine', 'unassigned', 'open', 'resolved'")]
    site_id: OptionalSiteId = Field(None, description="One of the agent's sites; null: all of them.")
    before: OptionalCursor = Field(
        None, description="The `next` of the page before, as it came; null: the first."
    )
    search: OptionalSearch = Field(
        None, description="Words (at most 200 characters); null or empty: no search."
    )


class ConversationAssign(ClientFrame):
    """Assign a conversation to an active agent of its site, or unassign it (null); acknowledged by the
    `inbox.update` it causes."""

    type: Literal["conversation.assign"]
    conversation_id: ConversationId
    assignee_id: Annotated[
        int | None, Field(strict=True, ge=1, le=2**31 - 1), Expect("must be a user id or null")
    ] = Field(description="The agent to assign it to; null unassigns.")


class ConversationResolve(ClientFrame):
    """Resolve a conversation (a system line in its thread); acknowledged by the `inbox.update` it causes."""

    type: Literal["conversation.resolve"]
    conversation_id: ConversationId


class ConversationReopen(ClientFrame):
    """Reopen a resolved conversation (a system line); acknowledged by the `inbox.update` it causes."""

    type: Literal["conversation.reopen"]
    conversation_id: ConversationId


# --- Agent tools: visitor context, canned replies (docs/console.md, "Agent tools") ---


class Page(ClientFrame):
    """The visitor's page changed (a navigation, a single-page app's route), or its context; no reply.

    At most one is applied per PARLEY_PAGE_MIN_INTERVAL_SECONDS per socket: of those sent sooner, only the
    latest is, when the interval ends (the others are dropped without an answer).
    """

    type: Literal["page"]
    url: PageUrl = Field(description="The page's http(s) URL.")
    title: PageTitle = Field("", description="The page's title.")
    # The visitor's context, each dropped (not refused) unless well-formed; empty keeps what is stored.
    referrer: Text = Field("", description="document.referrer (kept only when an http(s) URL).")
    timezone: Text = Field("", description="The browser's IANA time zone, e.g. 'Europe/Paris'.")
    language: Text = Field("", description="navigator.language, a BCP 47 tag.")


class VisitorAttributes(ClientFrame):
    """The page's custom attributes of its visitor (`Parley('setAttributes', ...)`), merged into those
    stored; a null value removes its key. No reply; invalid_attributes when they cannot be stored."""

    type: Literal["attributes"]
    # Checked by the service (services/visitor_attributes.py) for one clear error, not field by field.
    attributes: Annotated[dict[str, Any], Expect("must be an object")] = Field(
        description="A key is a-z, then up to 39 of a-z, 0-9 and '_'; a value is a string (at most "
        "PARLEY_VISITOR_ATTRIBUTE_VALUE_MAX_CHARS characters), number, boolean or null per value; at "
        "most PARLEY_VISITOR_ATTRIBUTES_MAX keys stored."
    )


class VisitorGet(ClientFrame):
    """Ask for a visitor of the agent's sites; answered by `visitor.detail`."""

    type: Literal["visitor.get"]
    visitor_id: VisitorId


class CannedSave(ClientFrame):
    """Create (no id) or change a canned reply of one of the agent's sites; answered by `canned.changed`."""

    type: Literal["canned.save"]
    id: OptionalRecordId = Field(None, description="The canned reply to change; absent or null creates one.")
    site_id: RecordId
    shortcut: Shortcut
    title: Text = Field("", description="At most 120 characters.")
    body: Text = Field(description="1..PARLEY_MESSAGE_MAX_LENGTH characters after trimming.")


class NoteAdd(ClientFrame):
    """A private note in a conversation of the agent's sites, never sent to the visitor; answered by
    `activity.new` (through the broadcast to the consoles following the conversation, or to the sender)."""

    type: Literal["note.add"]
    conversation_id: ConversationId
    client_id: ClientId
    body: Text = Field(description="1..PARLEY_MESSAGE_MAX_LENGTH characters after trimming.")


class CannedDelete(ClientFrame):
    """Delete a canned reply of one of the agent's sites; answered by `canned.changed`."""

    type: Literal["canned.delete"]
    id: RecordId


class PreferencesSet(ClientFrame):
    """Change the agent's notification preferences; every console of the agent gets `preferences`."""

    type: Literal["preferences.set"]
    desktop: OptionalFlag = None
    push: OptionalFlag = None
    sound: OptionalFlag = None
    title_count: OptionalFlag = None


class PresenceSet(ClientFrame):
    """The agent sets itself online or away (for all its consoles, while any is open); no reply."""

    type: Literal["presence.set"]
    status: Annotated[Literal["online", "away"], Expect("must be 'online' or 'away'")] = Field(
        description="Away: visitors see the team as away."
    )


TypingState = Literal["start", "stop"]
ClientTypingState = Annotated[TypingState, Expect("must be 'start' or 'stop'")]


class VisitorTyping(ClientFrame):
    """The visitor is typing in its latest conversation (or stopped); relayed at most every
    PARLEY_TYPING_INTERVAL_SECONDS per socket, more are dropped silently; no reply."""

    type: Literal["typing"]
    state: ClientTypingState = Field(description="`start` (again every 2 s while typing) or `stop`.")


class AgentTyping(ClientFrame):
    """The agent is typing a reply in a conversation of its sites (or stopped); throttled like the
    visitor's; no reply."""

    type: Literal["typing"]
    conversation_id: ConversationId
    state: ClientTypingState = Field(description="`start` (again every 2 s while typing) or `stop`.")


VisitorClientFrame = Annotated[
    Hello
    | VisitorMessageSend
    | Sync
    | Ping
    | Page
    | VisitorTyping
    | ConversationRead
    | offline_frames.VisitorEmail
    | offline_frames.ConversationRate
    | offline_frames.TranscriptRequest
    | VisitorAttributes,
    Field(discriminator="type"),
]
AgentClientFrame = Annotated[
    ConversationOpen
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
    | offline_frames.RatingsGet,
    Field(discriminator="type"),
]


# --- Server frames ---------------------------------------------------------------------------------------


class VisitorRef(BaseModel):
    """The visitor a visitor socket speaks for."""

    model_config = SERVER_OUTPUT

    id: uuid.UUID = Field(description="The visitor's id.")


class AgentInfo(BaseModel):
    """The agent an agent socket speaks for."""

    model_config = SERVER_OUTPUT

    id: int = Field(description="The agent's user id (Message.agent_id of its replies).")
    name: str = Field(description="The name visitors and colleagues see.")


class AgentPresence(BaseModel):
    """A connected agent's status (an agent not listed is offline)."""

    model_config = SERVER_OUTPUT

    agent_id: int
    status: Literal["online", "away"]


HAS_MORE = "More messages follow (at most PARLEY_HISTORY_LIMIT per page): `sync` from the highest seq held."


class VisitorReady(ServerFrame):
    """The answer to a valid `hello`: the visitor's latest conversation and what it has not seen."""

    type: Literal["ready"]
    visitor: VisitorRef
    conversation: Conversation | None = Field(
        description="The visitor's latest conversation, open or resolved; null when none."
    )
    messages: list[Message] = Field(description="Its messages with seq > last_seq, oldest first.")
    has_more: bool = Field(description=HAS_MORE)
    availability: Literal["online", "away"] = Field(
        description="The team's availability: online when an agent of the site is connected and not away."
    )


class AgentReady(ServerFrame):
    """Sent on connect: the agent, its sites and its inbox."""

    type: Literal["ready"]
    agent: AgentInfo
    sites: list[SiteInfo]
    inbox: list[ConversationSummary] = Field(
        description="The first page of the view 'open' (PARLEY_INBOX_PAGE_SIZE rows), newest first."
    )
    inbox_next: str | None = Field(description="`before` of the next page of 'open'; null when none.")
    counts: list[InboxCounts] = Field(description="Each view's count, per site of the agent.")
    agents: list[SiteAgent] = Field(description="Every active member of the agent's sites, by name.")
    canned: list[CannedReply] = Field(description="The canned replies of the agent's sites, by shortcut.")
    presence: list[AgentPresence] = Field(
        description="The connected agents of your sites (you included) and their status; others are offline."
    )
    preferences: Preferences = Field(description="The agent's notification preferences.")


class MessageAck(ServerFrame):
    """Your `message.send` is stored (also for a retry of a stored one)."""

    type: Literal["message.ack"]
    client_id: str = Field(description="The client_id of the `message.send` it answers.")
    message: Message


class MessageNew(ServerFrame):
    """A message was stored in a conversation this socket hears (the sender's own included)."""

    type: Literal["message.new"]
    message: Message


class ConversationStarted(ServerFrame):
    """A conversation of this visitor was started (also by another tab); its messages follow."""

    type: Literal["conversation.started"]
    conversation: Conversation


class ConversationOpened(ServerFrame):
    """The answer to `conversation.open`."""

    type: Literal["conversation.opened"]
    conversation: ConversationSummary
    messages: list[Message] = Field(description="Its messages with seq > after_seq, oldest first.")
    has_more: bool = Field(description=HAS_MORE)
    activity: list[Activity] = Field(
        description="Its agent-only lines, oldest first (the newest PARLEY_ACTIVITY_LIMIT)."
    )


class InboxUpdate(ServerFrame):
    """A conversation of the agent's sites was started, got a message, or changed status or assignee: its
    inbox row, last_read_seq null."""

    type: Literal["inbox.update"]
    conversation: ConversationSummary
    previous: ConversationState | None = Field(
        description="The row's status and assignee before this change (equal to its own when they did not "
        "change); null when this update started the conversation."
    )


class InboxPage(ServerFrame):
    """The answer to `inbox.query`: a page of a view, newest activity first."""

    type: Literal["inbox.page"]
    view: InboxView
    site_id: int | None = Field(description="As asked.")
    search: str | None = Field(description="As asked.")
    before: str | None = Field(description="As asked: null for a first page.")
    conversations: list[ConversationSummary] = Field(
        description="At most PARLEY_INBOX_PAGE_SIZE, newest first."
    )
    matches: list[SearchMatch] = Field(
        description="With a search: the latest matching message of each conversation matched by a message."
    )
    next: str | None = Field(description="Opaque: `before` of the next page; null on the last page.")


class History(ServerFrame):
    """The answer to `sync`."""

    type: Literal["history"]
    conversation_id: uuid.UUID
    messages: list[Message] = Field(description="The messages with seq > after_seq, oldest first.")
    has_more: bool = Field(description=HAS_MORE)
    previous_id: uuid.UUID | None = Field(
        description="Visitor socket: the visitor's conversation before this one (sync it to show it above), "
        "null when none. Agent socket: always null."
    )


class Notification(ServerFrame):
    """A notification pushed to every console of one agent (actions.send_notification)."""

    type: Literal["notification"]
    payload: dict[str, Any] = Field(description="Any JSON object.")


class ActivityNew(ServerFrame):
    """An agent-only line was added to a conversation this socket follows."""

    type: Literal["activity.new"]
    activity: Activity


class ConversationAssigned(ServerFrame):
    """A colleague assigned a conversation to you (to all your consoles; not when you assign yourself)."""

    type: Literal["conversation.assigned"]
    conversation: ConversationSummary
    by: AgentInfo = Field(description="Who assigned it.")


class PreferencesUpdate(ServerFrame):
    """The agent's notification preferences changed (from any of its consoles, this one included)."""

    type: Literal["preferences"]
    preferences: Preferences


class Pong(ServerFrame):
    """The answer to `ping`."""

    type: Literal["pong"]


class Typing(ServerFrame):
    """Someone is typing in a conversation (or stopped): to the visitor's sockets for an agent, to the
    agent sockets following the conversation for either side."""

    type: Literal["typing"]
    conversation_id: uuid.UUID
    author: Literal["visitor", "agent"] = Field(description="Who is typing.")
    agent_id: int | None = Field(description="The agent typing; null for the visitor.")
    author_name: str | None = Field(description="The agent's display name; null for the visitor.")
    state: TypingState = Field(description="`start`: show it; `stop`: clear it.")
    ttl_seconds: int = Field(
        ge=1,
        description="Clear it after this many seconds without another `start` (PARLEY_TYPING_TTL_SECONDS).",
    )


class Read(ServerFrame):
    """A read mark moved: the visitor's (to its sockets and to the agents following the conversation) or
    the agents' (to the visitor's sockets: its messages up to `seq` are "Seen")."""

    type: Literal["read"]
    conversation_id: uuid.UUID
    reader: Literal["visitor", "agent"] = Field(description="Whose mark moved.")
    seq: int = Field(ge=1, description="The new mark: everything up to this seq is read.")


class ErrorFrame(ServerFrame):
    """A refused frame or a failure; the codes that close the socket are followed by their close code."""

    type: Literal["error"]
    code: ErrorCode
    message: str = Field(description="For people; clients act on `code`.")
    ref: str | None = Field(
        description="The client_id (else the type) of the frame it answers; null when the frame could not "
        "be read: not JSON, an unknown type, or over 8x PARLEY_FRAME_MAX_BYTES."
    )
    retry_after: int | None = Field(
        None,
        ge=1,
        description="With rate_limited and connection_limited: whole seconds until it may succeed.",
    )


class VisitorPage(ServerFrame):
    """A visitor of the agent's sites moved to another page (from its `page` frames)."""

    type: Literal["visitor.page"]
    visitor_id: uuid.UUID
    url: str = Field(description="The page's http(s) URL.")
    title: str = Field(description="The page's title, empty when it has none.")


class VisitorAttributesFrame(ServerFrame):
    """A visitor of the agent's sites has new custom attributes (all of them, as stored)."""

    type: Literal["visitor.attributes"]
    visitor_id: uuid.UUID
    attributes: dict[str, str | int | float | bool] = Field(description="As VisitorDetail.attributes.")


class VisitorDetailFrame(ServerFrame):
    """The answer to `visitor.get`: the visitor and its conversations, newest first."""

    type: Literal["visitor.detail"]
    visitor: VisitorDetail
    conversations: list[PastConversation] = Field(
        description="Its conversations, newest first (at most PARLEY_VISITOR_CONVERSATIONS_LIMIT)."
    )


class CannedChanged(ServerFrame):
    """A canned reply of the agent's sites was saved (`canned`) or deleted (`deleted_id`)."""

    type: Literal["canned.changed"]
    site_id: int
    canned: CannedReply | None = Field(description="The saved canned reply; null when one was deleted.")
    deleted_id: int | None = Field(description="The deleted canned reply's id; null when one was saved.")


AgentStatus = Literal["online", "away", "offline"]


class Presence(ServerFrame):
    """An agent of your sites came online, went away or offline (its last console closed or expired)."""

    type: Literal["presence"]
    agent_id: int
    status: AgentStatus


class Availability(ServerFrame):
    """The team's availability changed: online when an agent of the site is connected and not away."""

    type: Literal["availability"]
    status: Literal["online", "away"]


class ConversationViewers(ServerFrame):
    """Who views a conversation of your sites changed (a console opened or left it, or closed)."""

    type: Literal["conversation.viewers"]
    conversation_id: uuid.UUID
    agent_ids: list[int] = Field(description="The agents viewing it now, you included when you do.")


VisitorServerFrame = Annotated[
    VisitorReady
    | MessageAck
    | MessageNew
    | ConversationStarted
    | History
    | Pong
    | ErrorFrame
    | Typing
    | Read
    | Availability
    | offline_frames.EmailSaved
    | offline_frames.ConversationRated
    | offline_frames.TranscriptQueued,
    Field(discriminator="type"),
]
AgentServerFrame = Annotated[
    AgentReady
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
    | offline_frames.VisitorEmailFrame
    | offline_frames.ConversationRated
    | offline_frames.Ratings,
    Field(discriminator="type"),
]


# --- Widget HTTP API -------------------------------------------------------------------------------------


OPTIONAL_STRING = "must be a string or null"


class HttpErrorBody(BaseModel):
    """What went wrong."""

    model_config = SERVER_OUTPUT

    code: ErrorCode
    message: str
    retry_after: int | None = Field(
        None, ge=1, description="With rate_limited: whole seconds until it may succeed (also Retry-After)."
    )


def _optional_text(most: int) -> Expect:
    return Expect(f"must be a string of at most {most} characters, or null")


class IdentityClaim(BaseModel):
    """Who the host page says its visitor is (`Parley('identify', ...)`), verified by `user_hash` or `token`
    (docs/identity.md). Unknown fields are ignored."""

    user_id: Annotated[str | None, Field(max_length=255), _optional_text(255)] = Field(
        None, description="The site's own id of its user; the JWT's `sub` when a token is given."
    )
    email: Annotated[str | None, Field(max_length=254), _optional_text(254)] = None
    name: Annotated[str | None, Field(max_length=120), _optional_text(120)] = None
    user_hash: Annotated[str | None, Field(max_length=128), _optional_text(128)] = Field(
        None, description="Hex HMAC-SHA256 of user_id with the site's identity secret."
    )
    token: Annotated[str | None, Field(max_length=4096), _optional_text(4096)] = Field(
        None, description="A JWT (HS256 with the site's identity secret; `sub` and `exp` required)."
    )


class SessionRequest(BaseModel):
    """The body of POST /api/widget/sites/<site_key>/session: unknown fields are ignored."""

    visitor_token: Annotated[str | None, Expect(OPTIONAL_STRING)] = Field(
        None, description="The token the widget holds: resumes its visitor when valid, else a new one starts."
    )
    # Not PageUrl: a page address the server cannot store is dropped, not refused (docs/protocol.md).
    page_url: Annotated[str | None, Expect(OPTIONAL_STRING)] = Field(
        None, description="The page the widget runs on (an http(s) URL)."
    )
    # The visitor's context for the console's sidebar, each dropped when it cannot be stored: document.title,
    # document.referrer (http(s)), the IANA time zone (Intl) and navigator.language (BCP 47).
    page_title: Annotated[str | None, Expect(OPTIONAL_STRING)] = None
    referrer: Annotated[str | None, Expect(OPTIONAL_STRING)] = None
    timezone: Annotated[str | None, Expect(OPTIONAL_STRING)] = None
    language: Annotated[str | None, Expect(OPTIONAL_STRING)] = None
    # Who the page says the visitor is (`Parley('identify', ...)`); verified, the session is that contact's.
    identity: Annotated[IdentityClaim | None, Expect("must be an object or null")] = None


class SessionIdentity(BaseModel):
    """What became of a session request's identity."""

    model_config = SERVER_OUTPUT

    verified: bool = Field(description="The session is the verified contact's, with their conversations.")
    error: HttpErrorBody | None = Field(
        None,
        description="identity_unverified when the site requires verification and it failed: the session is "
        "then a fresh anonymous visitor's.",
    )


class SessionResponse(BaseModel):
    """The answer to a session request: a fresh token for the visitor socket."""

    model_config = SERVER_OUTPUT

    visitor_token: str
    visitor_id: uuid.UUID
    socket_url: str = Field(description="The visitor socket's ws(s):// URL.")
    token_max_age: int = Field(description="Seconds the token stays valid.")
    identity: SessionIdentity | None = Field(
        None, description="Present when the request carried an identity."
    )
    resumed: bool | None = Field(
        None,
        description="When page_url held a resume link's token (`#parley-resume=`): true when it was valid "
        "and the session is its visitor's.",
    )


class WidgetSite(BaseModel):
    """A site's public widget settings."""

    model_config = SERVER_OUTPUT

    name: str
    color: str = Field(description="Hex colour, e.g. #4f46e5.")
    greeting: str
    position: Literal["right", "left"]
    launcher_text: str = Field(description="Shown beside the launcher's icon; empty for the icon alone.")
    away_message: str = Field(description="Shown when no agent is online or outside business hours.")
    language: Literal["en", "fr", "es", "ar"] | None = Field(
        description="The widget's language unless the page sets one; null: the visitor's browser language."
    )
    ask_email: bool = Field(description="Ask for the visitor's email before their first message.")
    within_hours: bool = Field(
        description="Whether the site's business hours are on now (always, for a site with none)."
    )


class WidgetConfig(BaseModel):
    """The answer to GET /api/widget/sites/<site_key>/config."""

    model_config = SERVER_OUTPUT

    site: WidgetSite


class HttpError(BaseModel):
    """Every 4xx answer of the HTTP API."""

    model_config = SERVER_OUTPUT

    error: HttpErrorBody
