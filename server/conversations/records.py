"""Rows read or written by hand-written SQL, for the paths that build no model instances."""

import uuid
from datetime import datetime
from typing import NamedTuple


class BatchedConversation(NamedTuple):
    """What announcing a batch's messages needs of a conversation they went into."""

    conversation_id: uuid.UUID
    site_id: int
    site_name: str
    status: str
    assignee_id: int | None
    created_at: datetime
    visitor_id: uuid.UUID
    visitor_name: str
    visitor_email: str
    visitor_page_url: str
    # The assignee's names, for its display name (None when unassigned).
    assignee_first_name: str | None = None
    assignee_username: str | None = None


class BatchedMessage(NamedTuple):
    """A visitor's message a batch stored."""

    conversation: BatchedConversation
    id: int
    seq: int
    client_id: str
    body: str
    created_at: datetime


class HistoryMessage(NamedTuple):
    """A stored message as a page of history reads it, with its agent's names (None when there is none)."""

    id: int
    conversation_id: uuid.UUID
    seq: int
    author: str
    agent_id: int | None
    agent_first_name: str | None
    agent_username: str | None
    body: str
    client_id: str | None
    created_at: datetime
    event: str = ""


class MessagePage(NamedTuple):
    """Messages oldest first, and whether more follow them."""

    messages: list[HistoryMessage]
    has_more: bool


class SiteMember(NamedTuple):
    """An active member of some of an agent's sites: its user's names and which of those sites."""

    user_id: int
    first_name: str
    username: str
    site_ids: tuple[int, ...]
