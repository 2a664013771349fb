"""Domain events: what changed, handed once committed to the publisher that tells the sockets.

Conversations know nothing of sockets or groups: a service says what happened (a message was stored, an
agent is notified) and `publish` hands it, after commit, to the publisher named by
PARLEY_EVENT_PUBLISHER (server.realtime.gateway.publish), which turns events into frames for groups.
All the events of one message, or of one batch, are handed over together in one call.
"""

import asyncio
import threading
import uuid
from collections.abc import Awaitable, Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from functools import cache
from typing import Any, Literal, NamedTuple

from django.conf import settings
from django.core.signals import setting_changed
from django.db import transaction
from django.dispatch import receiver
from django.utils.module_loading import import_string

from server.conversations.models import Activity, CannedReply, Conversation, Message
from server.conversations.records import BatchedConversation, BatchedMessage


class ConversationState(NamedTuple):
    """What decides a conversation's inbox bucket, as it was before a change."""

    status: str
    assignee_id: int | None


class MessageStored(NamedTuple):
    """A message was stored as its conversation's latest; `started` when the conversation began with it.

    A Conversation comes with its site, visitor and assignee loaded and its last_seq, last_message and
    updated_at already those of this message. `before` is the conversation's state before the message when
    the message changed it (a resolve or reopen line), None otherwise; `previous_id`, for a started
    conversation, the visitor's conversation before it.
    """

    conversation: Conversation | BatchedConversation
    message: Message | BatchedMessage
    started: bool
    before: ConversationState | None = None
    previous_id: uuid.UUID | None = None


class ActivityStored(NamedTuple):
    """An agent-only line was added to a conversation (site, visitor, assignee and last message loaded).

    `before` is the conversation's state before the line when the line changed it (an assignment: its
    inbox row is broadcast too), None when it changed nothing (a note).
    """

    conversation: Conversation
    activity: Activity
    before: ConversationState | None


class AgentNotified(NamedTuple):
    """A notification for every open console of one agent."""

    user_id: int
    payload: dict[str, Any]


# Why an agent's access changed: signed out of one session, deactivated, deleted, its password changed, or
# a site membership gone (server/realtime/access.py says it from Django's signals).
AccessChange = Literal["signed_out", "deactivated", "deleted", "password_changed", "site_removed"]


class AgentAccessChanged(NamedTuple):
    """An agent lost access; `session_key` names the one session that ended (None: all of them)."""

    user_id: int
    reason: AccessChange
    session_key: str | None = None


class VisitorPageChanged(NamedTuple):
    """A visitor of a site moved to another page (or the page's title changed)."""

    site_id: int
    visitor_id: uuid.UUID
    url: str
    title: str


class VisitorAttributesChanged(NamedTuple):
    """A visitor's custom attributes changed (all of them, as stored)."""

    site_id: int
    visitor_id: uuid.UUID
    attributes: dict[str, str | int | float | bool]


class CannedReplyChanged(NamedTuple):
    """A site's canned reply was saved (`canned`) or deleted (`deleted_id`)."""

    site_id: int
    canned: CannedReply | None
    deleted_id: int | None


class PreferencesChanged(NamedTuple):
    """An agent changed its notification preferences: every console of the agent shows the new ones."""

    user_id: int
    preferences: dict[str, bool]


class ReadMarkMoved(NamedTuple):
    """A conversation's read mark moved: the visitor's (`reader` "visitor") or the highest of its agents'."""

    conversation_id: uuid.UUID
    visitor_id: uuid.UUID
    reader: Literal["visitor", "agent"]
    seq: int


class VisitorEmailChanged(NamedTuple):
    """A visitor left an email address in the conversation (docs/offline.md)."""

    site_id: int
    visitor_id: uuid.UUID
    email: str


class ConversationRated(NamedTuple):
    """A visitor rated a resolved conversation (docs/offline.md)."""

    site_id: int
    conversation_id: uuid.UUID
    visitor_id: uuid.UUID
    score: str
    comment: str
    agent_id: int | None
    rated_at: datetime


Event = (
    MessageStored
    | AgentNotified
    | AgentAccessChanged
    | ActivityStored
    | VisitorPageChanged
    | VisitorAttributesChanged
    | CannedReplyChanged
    | PreferencesChanged
    | ReadMarkMoved
    | VisitorEmailChanged
    | ConversationRated
)
# Called with the events of one message or batch, in order, once they are committed. Called on an event
# loop, it returns an awaitable that hands them to the sockets' layer.
Publisher = Callable[[Sequence[Event]], Awaitable[None] | None]


@cache
def publisher() -> Publisher:
    """The publisher PARLEY_EVENT_PUBLISHER names, imported once."""
    loaded: Publisher = import_string(settings.PARLEY_EVENT_PUBLISHER)
    return loaded


@receiver(setting_changed)
def _forget_publisher(*, setting: str, **kwargs: Any) -> None:
    """Load the publisher again when a test overrides PARLEY_EVENT_PUBLISHER."""
    if setting == "PARLEY_EVENT_PUBLISHER":
        publisher.cache_clear()


def publish(events: Sequence[Event]) -> None:
    """Hand events over once the current transaction commits (a rolled-back write is never announced)."""
    transaction.on_commit(lambda: _hand_over(events))


async def publish_committed(events: Sequence[Event]) -> None:
    """On the event loop, hand over events whose data is already committed, at once.

    For services that write on the event loop itself (store/loop_db.py), where no Django transaction runs.
    """
    sent = publisher()(events)
    if sent is not None:
        await sent


class _Outbox(threading.local):
    """Per thread: the events held by `together`, or None outside it."""

    held: list[Event] | None = None


_outbox = _Outbox()
# Sends started in the background, kept until done (the loop holds only weak references to tasks).
_background: set["asyncio.Future[None]"] = set()


@contextmanager
def together() -> Iterator[None]:
    """Hold the events committed inside the block, then hand them over at once, in order.

    On Redis pub/sub that is one round trip for them all, not one each; a service storing several
    messages, each its own transaction, wraps its work in it. Nested blocks hand over with the outermost.
    """
    if _outbox.held is not None:
        yield
        return
    _outbox.held = []
    try:
        yield
    finally:
        held, _outbox.held = _outbox.held, None
        if held:
            _publish_now(held)


def _hand_over(events: Sequence[Event]) -> None:
    if _outbox.held is not None:
        _outbox.held.extend(events)
    else:
        _publish_now(events)


def _publish_now(events: Sequence[Event]) -> None:
    sent = publisher()(events)
    if sent is not None:
        # Committed on an event loop outside publish_committed: the send still goes, in the background.
        task = asyncio.ensure_future(sent)
        _background.add(task)
        task.add_done_callback(_background.discard)
