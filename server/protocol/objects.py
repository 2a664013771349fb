"""The JSON shapes of stored objects on the wire (docs/protocol.md, "Objects"), as wire.py builds them."""

import uuid
from datetime import datetime
from typing import Annotated, Any, Literal, TypeVar

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, PlainSerializer
from typing_extensions import TypeAliasType

# Server output is described exactly: no field beyond these, and no coercion when a test checks a frame.
SERVER_OUTPUT = ConfigDict(extra="forbid", strict=True)

Seq = Annotated[int, Field(ge=0, description="A per-conversation sequence number (0: none yet).")]
Timestamp = Annotated[
    AwareDatetime,
    Field(description="ISO 8601 UTC, e.g. 2026-11-24T07:26:23.123456+00:00."),
    # Python's own form ("+00:00"), which clients and stored outboxes have always had; pydantic writes "Z".
    PlainSerializer(datetime.isoformat, return_type=str, when_used="json"),
]

M = TypeVar("M", bound=BaseModel)
_set = object.__setattr__


def construct(model: type[M], /, **fields: Any) -> M:
    """A server model from trusted domain data: unvalidated, but with exactly the model's fields.

    What pydantic's model_construct does, without its per-field loop, which is paid on every broadcast;
    the tests check every frame sent against the schema.
    """
    if fields.keys() != model.__pydantic_fields__.keys():
        raise TypeError(f"{model.__name__} has fields {list(model.__pydantic_fields__)}, not {list(fields)}")
    instance = model.__new__(model)
    _set(instance, "__dict__", fields)
    _set(instance, "__pydantic_fields_set__", set(fields))
    _set(instance, "__pydantic_extra__", None)
    _set(instance, "__pydantic_private__", None)
    return instance


class Message(BaseModel):
    """A stored message."""

    model_config = SERVER_OUTPUT

    id: int = Field(description="The message's id, unique on the server.")
    conversation_id: uuid.UUID = Field(description="The conversation it belongs to.")
    seq: int = Field(ge=1, description="Its place in the conversation: starts at 1, strictly increases.")
    author: Literal["visitor", "agent", "system"] = Field(description="Who wrote it.")
    author_name: str | None = Field(
        description="The agent's first name, else its username before any '@' ('Support' when the user is "
        "gone); null unless the author is an agent, or a system line an agent caused (agent_id set)."
    )
    agent_id: int | None = Field(
        description="The agent who wrote it (so a console can tell its own replies from a colleague's)."
    )
    body: str = Field(description="The text, rendered as text, never as HTML.")
    client_id: str | None = Field(
        description="The sender's idempotency key; null when it gave none (a reply sent from server code)."
    )
    created_at: Timestamp
    event: Literal["resolved", "reopened"] | None = Field(
        description="What a system line says happened (clients word it themselves; `body` is an English "
        "fallback); null for every other message."
    )


class Conversation(BaseModel):
    """A conversation as its visitor sees it."""

    model_config = SERVER_OUTPUT

    id: uuid.UUID = Field(description="The conversation's id.")
    status: Literal["open", "resolved"] = Field(description="A visitor has one open conversation at most.")
    last_seq: Seq = Field(description="The seq of its latest message.")
    previous_id: uuid.UUID | None = Field(
        description="The visitor's conversation before this one (`sync` it to show it above), null when none."
    )
    visitor_last_read_seq: Seq = Field(
        description="The highest seq the visitor has read (any tab): agent messages after it are unread."
    )
    agent_last_read_seq: Seq = Field(
        description='The highest seq an agent has read: the visitor\'s messages up to it show "Seen".'
    )


class VisitorInfo(BaseModel):
    """A visitor as agents see it."""

    model_config = SERVER_OUTPUT

    id: uuid.UUID = Field(description="The visitor's id.")
    name: str = Field(description="The visitor's name, empty when unknown.")
    email: str = Field(description="The visitor's email address, empty when unknown.")
    last_page_url: str = Field(description="The page the visitor was last seen on, empty when unknown.")
    display_name: str = Field(
        description="The name to show: the visitor's name, else a friendly one generated from its id "
        "('Amber Fox'), the same everywhere and always."
    )


class SiteInfo(BaseModel):
    """A site as agents see it."""

    model_config = SERVER_OUTPUT

    id: int = Field(description="The site's id.")
    name: str = Field(description="The site's name.")


class ConversationSummary(BaseModel):
    """A conversation as an inbox row of the agent console."""

    model_config = SERVER_OUTPUT

    id: uuid.UUID = Field(description="The conversation's id.")
    site: SiteInfo
    status: Literal["open", "resolved"] = Field(description="A visitor has one open conversation at most.")
    visitor: VisitorInfo
    assignee_id: int | None = Field(description="The agent it is assigned to, null when unassigned.")
    assignee_name: str | None = Field(description="The assignee's display name, null when unassigned.")
    resolved_at: Timestamp | None = Field(description="When it was resolved; null while open.")
    last_seq: Seq = Field(description="The seq of its latest message.")
    last_message: Message | None = Field(description="Its latest message, null when it has none.")
    created_at: Timestamp
    updated_at: Timestamp = Field(
        description="Its latest activity: the inbox is ordered by it, newest first."
    )
    last_read_seq: int | None = Field(
        ge=0,
        description="The reading agent's own read mark: present in `ready` and `conversation.opened`, null "
        "in broadcasts (`inbox.update`), where the console keeps its own. Unread: last_message.author is "
        "'visitor' and last_message.seq > last_read_seq.",
    )
    visitor_last_read_seq: int | None = Field(
        ge=0,
        description='The highest seq the visitor has read ("Seen by visitor"); null in an `inbox.update` '
        "for a visitor's message, where the console keeps the one it has (`read` frames move it).",
    )


class VisitorDetail(BaseModel):
    """A visitor as the console's sidebar shows it (`visitor.detail`)."""

    model_config = SERVER_OUTPUT

    id: uuid.UUID = Field(description="The visitor's id.")
    site_id: int = Field(description="The visitor's site.")
    name: str = Field(description="The visitor's name, empty when unknown.")
    email: str = Field(description="The visitor's email address, empty when unknown.")
    display_name: str = Field(description="As VisitorInfo.display_name.")
    page_url: str = Field(description="The page the visitor is on (or was last on), empty when unknown.")
    page_title: str = Field(description="That page's title, empty when unknown.")
    referrer: str = Field(description="The page that led to the site (an http(s) URL), empty when unknown.")
    browser: str = Field(description="Browser and major version from its User-Agent, e.g. 'Chrome 120'.")
    os: str = Field(description="Operating system from its User-Agent, e.g. 'Windows 10'.")
    timezone: str = Field(
        description="The browser's IANA time zone, e.g. 'Europe/Paris'; empty when unknown."
    )
    language: str = Field(description="The browser's language tag, e.g. 'fr-FR'; empty when unknown.")
    attributes: dict[str, str | int | float | bool] = Field(
        description="The site's custom attributes of the visitor (`Parley('setAttributes', ...)`), by key."
    )
    first_seen_at: Timestamp
    last_seen_at: Timestamp
    visits: int = Field(ge=1, description="Sessions more than PARLEY_VISIT_GAP_SECONDS apart.")


class PastConversation(BaseModel):
    """One of a visitor's conversations, as the sidebar lists them."""

    model_config = SERVER_OUTPUT

    id: uuid.UUID = Field(description="The conversation's id (`conversation.open` opens it).")
    status: Literal["open", "resolved"]
    last_seq: Seq = Field(description="The seq of its latest message.")
    created_at: Timestamp
    updated_at: Timestamp
    rating: Literal["good", "okay", "bad"] | None = Field(
        None, description="The visitor's rating once resolved and rated (docs/offline.md); null when none."
    )


class CannedReply(BaseModel):
    """A site's saved reply, expanded in the composer by `/shortcut`."""

    model_config = SERVER_OUTPUT

    id: int = Field(description="The canned reply's id.")
    site_id: int = Field(description="The site it belongs to.")
    shortcut: str = Field(description="1-40 characters of a-z, 0-9, '-' and '_', unique per site.")
    title: str = Field(description="A label for the list, empty when none.")
    body: str = Field(description="The text it expands to.")
    updated_at: Timestamp


InboxView = TypeAliasType("InboxView", Literal["mine", "unassigned", "open", "resolved"])


class InboxCounts(BaseModel):
    """How many conversations each inbox view holds on one site."""

    model_config = SERVER_OUTPUT

    site_id: int = Field(description="The site's id.")
    open: int = Field(ge=0, description="Open conversations (the view 'open', \"All open\").")
    unassigned: int = Field(ge=0, description="Open conversations assigned to no one.")
    resolved: int = Field(ge=0, description="Resolved conversations.")
    mine: int = Field(ge=0, description="Open conversations assigned to the agent who reads this.")
    over: list[InboxView] = Field(
        description="The views holding more than their count: each is counted up to "
        "PARLEY_INBOX_COUNT_LIMIT, and shown as at least that many ('1000+')."
    )


class SearchMatch(BaseModel):
    """A conversation's latest message that matches a search."""

    model_config = SERVER_OUTPUT

    conversation_id: uuid.UUID
    message_id: int = Field(description="The matching message's id.")
    seq: int = Field(ge=1, description="The matching message's seq.")
    snippet: str = Field(
        description="About 160 characters of the message around the match, on one line; text, never HTML."
    )


class Activity(BaseModel):
    """An agent-only line of a conversation (an assignment, a note), never sent to a visitor socket."""

    model_config = SERVER_OUTPUT

    id: int = Field(description="The line's id, unique on the server; lines are ordered by it.")
    conversation_id: uuid.UUID
    kind: Literal["assigned", "unassigned", "note"]
    agent_id: int | None = Field(description="The agent who did it, null once that user is deleted.")
    author_name: str = Field(description="That agent's display name ('Support' when the user is gone).")
    assignee_id: int | None = Field(description="Who it was assigned to (kind 'assigned'), else null.")
    assignee_name: str | None = Field(description="The assignee's display name, null without one.")
    body: str = Field(description="A note's text (rendered as text), empty for other kinds.")
    client_id: str | None = Field(description="A note's idempotency key, null without one.")
    created_at: Timestamp


class SiteAgent(BaseModel):
    """An active member of one of the agent's sites (for the assign menu and for names)."""

    model_config = SERVER_OUTPUT

    id: int = Field(description="The agent's user id.")
    name: str = Field(description="The agent's display name.")
    site_ids: list[int] = Field(description="Which of the reading agent's sites this agent belongs to.")


class ConversationState(BaseModel):
    """What decides a conversation's inbox bucket."""

    model_config = SERVER_OUTPUT

    status: Literal["open", "resolved"]
    assignee_id: int | None


class Preferences(BaseModel):
    """An agent's notification preferences (docs/notifications.md)."""

    model_config = SERVER_OUTPUT

    desktop: bool = Field(description="Desktop notifications while the console tab is hidden.")
    push: bool = Field(description="Web Push while no console of the agent is open.")
    sound: bool = Field(description="A short sound with each notification.")
    title_count: bool = Field(description="The unread count in the tab title.")
