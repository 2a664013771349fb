"""Storing one message under its conversation's row lock: a visitor's send that a batch left aside (its
conversation to start, a retried client_id), an agent's reply. The primitives both share: numbering from
`last_seq`, inserting, moving the conversation on and announcing the message."""

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.db import IntegrityError, connection, transaction
from django.db.models import QuerySet
from django.utils import timezone

from server.conversations import events
from server.conversations.models import Conversation, Message, Visitor
from server.conversations.records import BatchedMessage
from server.conversations.services.offline import schedule_reply_email
from server.conversations.services.read_marks import raise_read_mark
from server.conversations.services.visitors import LAST_SEEN_RESOLUTION
from server.conversations.store import sql, statements
from server.errors import ParleyError

# A conversation's stored updated_at (indexed for the inbox's order) moves on at most this often while
# messages keep coming: between, a message changes only unindexed columns (see Conversation.last_message).
INBOX_ORDER_RESOLUTION = timedelta(seconds=5)


@dataclass(frozen=True)
class VisitorSend:
    """One visitor's `message.send`, as a batch of sends carries it."""

    visitor_id: uuid.UUID
    client_id: str
    body: str


@dataclass(frozen=True)
class PostedMessage:
    """A stored message (new or found again by its client_id), as the sender's ack carries it."""

    conversation_id: uuid.UUID
    message: Message | BatchedMessage
    created: bool


def post_visitor_send(*, send: VisitorSend) -> PostedMessage:
    """Store one visitor send (its body already checked) on its own; a retry is answered, not stored."""
    return _retry_lost_race(
        lambda: _post_visitor_message(visitor_id=send.visitor_id, client_id=send.client_id, body=send.body)
    )


def post_agent_message(
    *, agent: User, conversation_id: uuid.UUID, body: str, client_id: str | None
) -> PostedMessage:
    """Store an agent's reply (its body already checked) in a conversation of one of the agent's sites."""
    return _retry_lost_race(
        lambda: _post_agent_message(
            agent=agent, conversation_id=conversation_id, body=body, client_id=client_id
        )
    )


def _retry_lost_race(post: Callable[[], PostedMessage]) -> PostedMessage:
    """Run a posting transaction; run it again once if a concurrent send stored the same client_id first."""
    try:
        return post()
    except IntegrityError:
        # The retry check and the row lock are one statement, so two sends of one client_id racing
        # each other can both pass it; the unique constraint stops the second, whose rerun (a new
        # snapshot) then finds the first and answers as a retry.
        return post()


@transaction.atomic
def _post_visitor_message(*, visitor_id: uuid.UUID, client_id: str, body: str) -> PostedMessage:
    """One attempt at storing a visitor's message: three statements when the conversation is open."""
    open_conversation, retried = _lock_open_conversation(visitor_id=visitor_id, client_id=client_id)
    conversation: Conversation
    started = False
    previous_id = None
    if open_conversation is None:
        found = _start_conversation(visitor_id=visitor_id, client_id=client_id)
        if isinstance(found, PostedMessage):
            return found
        conversation, started, previous_id = found
    else:
        if retried:
            stored = _already_stored(_visitor_messages(visitor_id=visitor_id, client_id=client_id))
            if stored is not None:
                return stored
        conversation = open_conversation
    message = store_message(
        conversation=conversation,
        author=Message.Author.VISITOR,
        agent=None,
        client_id=client_id,
        body=body,
        started=started,
        previous_id=previous_id,
    )
    if message.created_at - conversation.visitor.last_seen_at > LAST_SEEN_RESOLUTION:
        Visitor.objects.filter(pk=visitor_id).update(last_seen_at=message.created_at)
    return PostedMessage(conversation_id=conversation.pk, message=message, created=True)


@transaction.atomic
def _post_agent_message(
    *, agent: User, conversation_id: uuid.UUID, body: str, client_id: str | None
) -> PostedMessage:
    """One attempt at storing an agent's reply."""
    conversation, retried = _lock_agent_conversation(
        user_id=int(agent.pk), conversation_id=conversation_id, client_id=client_id
    )
    if conversation is None:
        raise ParleyError("not_found", "No such conversation.")
    if retried:
        stored = _already_stored(Message.objects.filter(conversation_id=conversation_id, client_id=client_id))
        if stored is not None:
            return stored
    if conversation.status == Conversation.Status.RESOLVED:
        # The reply reaches the visitor like any other: the conversation is reopened first.
        check_not_superseded(conversation=conversation)
        change_status(conversation=conversation, agent=agent, status=Conversation.Status.OPEN)
    message = store_message(
        conversation=conversation, author=Message.Author.AGENT, agent=agent, client_id=client_id, body=body
    )
    raise_read_mark(user_id=int(agent.pk), conversation_id=conversation.pk, seq=message.seq)
    schedule_reply_email(conversation=conversation)
    return PostedMessage(conversation_id=conversation.pk, message=message, created=True)


def _already_stored(matches: QuerySet[Message]) -> PostedMessage | None:
    """The stored message a retried client_id names, acknowledged again instead of stored twice."""
    existing = matches.select_related("agent").first()
    if existing is None:
        return None
    return PostedMessage(conversation_id=existing.conversation_id, message=existing, created=False)


def _visitor_messages(*, visitor_id: uuid.UUID, client_id: str) -> QuerySet[Message]:
    """A visitor's messages with this client_id (a retry may follow its original into a newer one)."""
    return Message.objects.filter(conversation__visitor_id=visitor_id, client_id=client_id)


def _locked_conversation(row: tuple[Any, ...] | None) -> tuple[Conversation | None, bool]:
    """The conversation (its site and visitor loaded) from a send's lock statement, and its retry flag."""
    if row is None:
        return None, False
    conversation, (retried,) = statements.conversation_from_row(row)
    return conversation, bool(retried)


def _lock_open_conversation(*, visitor_id: uuid.UUID, client_id: str) -> tuple[Conversation | None, bool]:
    """Lock the visitor's latest open conversation (with its site and visitor loaded), and whether
    one of the visitor's messages already has this client_id."""
    # The usual case in one hand-written statement (store/): lock the open conversation, load what
    # the inbox row shows and check for a retry. Sends into one conversation queue on its row lock.
    visitor_param = sql.db_param(Conversation, "visitor", visitor_id)
    row = sql.fetch_one(
        statements.lock_conversation_sql(statements.VISITOR_SEND_TARGET, connection.vendor),
        [visitor_param, client_id, visitor_param, Conversation.Status.OPEN.value],
    )
    return _locked_conversation(row)


def _lock_agent_conversation(
    *, user_id: int, conversation_id: uuid.UUID, client_id: str | None
) -> tuple[Conversation | None, bool]:
    """Lock a conversation of one of the agent's sites (site and visitor loaded), and whether a message
    of it already has this client_id (never, without one)."""
    # One hand-written statement (store/): the permission check, the row lock, what the inbox row shows
    # and the retry check (a NULL client_id matches nothing).
    row = sql.fetch_one(
        statements.lock_conversation_sql(statements.agent_send_target(connection.vendor), connection.vendor),
        [client_id, sql.db_param(Conversation, "id", conversation_id), user_id],
    )
    return _locked_conversation(row)


def _start_conversation(
    *, visitor_id: uuid.UUID, client_id: str
) -> tuple[Conversation, bool, uuid.UUID | None] | PostedMessage:
    """The conversation a visitor's send goes into when none was open: its latest, reopened when resolved
    within PARLEY_REOPEN_WINDOW, else a new one (returned with True and the latest's id); or the stored
    message a retry names."""
    # Locking the visitor serialises its first sends, so two tabs never start two conversations.
    visitor = (
        Visitor.objects.select_for_update(of=("self",)).select_related("site").filter(pk=visitor_id).first()
    )
    if visitor is None:
        raise ParleyError("token_invalid", "This visitor no longer exists.")
    retried = _already_stored(_visitor_messages(visitor_id=visitor_id, client_id=client_id))
    if retried is not None:
        return retried
    # The visitor's latest conversation: another tab may have opened one since the first lock.
    latest = (
        Conversation.objects.select_for_update(of=("self",))
        .select_related("assignee")
        .filter(visitor=visitor)
        .order_by("-created_at")
        .first()
    )
    if latest is not None:
        latest.visitor = visitor
        latest.site = visitor.site
        if latest.status == Conversation.Status.OPEN:
            return latest, False, None
        if _within_reopen_window(latest):
            change_status(conversation=latest, agent=None, status=Conversation.Status.OPEN)
            return latest, False, None
    conversation = Conversation.objects.create(site=visitor.site, visitor=visitor)
    conversation.visitor = visitor
    conversation.site = visitor.site
    return conversation, True, latest.pk if latest is not None else None


def _within_reopen_window(conversation: Conversation) -> bool:
    """Whether a visitor's message reopens this resolved conversation (else it starts a new one)."""
    resolved_at = conversation.resolved_at
    window = timedelta(seconds=settings.PARLEY_REOPEN_WINDOW)
    return resolved_at is not None and timezone.now() - resolved_at < window


def check_not_superseded(*, conversation: Conversation) -> None:
    """Refuse to reopen a conversation whose visitor has started a newer one (two would be open)."""
    newer = Conversation.objects.filter(
        visitor_id=conversation.visitor_id, created_at__gt=conversation.created_at
    ).exists()
    if newer:
        raise ParleyError("conversation_superseded", "The visitor has a newer conversation; reply there.")


# The English fallback of each system line (clients word them from `event`).
STATUS_LINES = {
    Conversation.Status.RESOLVED: (Message.Event.RESOLVED, "This conversation was resolved."),
    Conversation.Status.OPEN: (Message.Event.REOPENED, "This conversation was reopened."),
}


def change_status(*, conversation: Conversation, agent: User | None, status: str) -> Message:
    """Resolve or reopen a conversation whose row the caller has locked (site, visitor and assignee
    loaded): store the status with when, and its system line (by `agent`, None for the visitor's message
    that reopened it), announced on commit like any message."""
    before = events.ConversationState(conversation.status, conversation.assignee_id)
    conversation.status = status
    conversation.resolved_at = timezone.now() if status == Conversation.Status.RESOLVED else None
    Conversation.objects.filter(pk=conversation.pk).update(
        status=conversation.status, resolved_at=conversation.resolved_at
    )
    event, body = STATUS_LINES[Conversation.Status(status)]
    return store_message(
        conversation=conversation,
        author=Message.Author.SYSTEM,
        agent=agent,
        client_id=None,
        body=body,
        event=event,
        before=before,
    )


def store_message(
    *,
    conversation: Conversation,
    author: str,
    agent: User | None,
    client_id: str | None,
    body: str,
    event: str = "",
    started: bool = False,
    before: events.ConversationState | None = None,
    previous_id: uuid.UUID | None = None,
) -> Message:
    """Append a message (the visitor's, an agent's, or a system line with its `event`) to a conversation
    whose row the caller has locked, and announce it on commit; `before`, when the line changed the
    conversation's state, and `previous_id`, for a started conversation, go with the announcement.

    The conversation must come with its site, visitor and assignee loaded (the announcement's inbox row
    shows them).
    """
    conversation.last_seq += 1
    created_at = timezone.now()
    # Hand-written (store/): paid for every message.
    row = sql.fetch_one(
        statements.INSERT_MESSAGE_SQL,
        [
            sql.db_param(Message, "conversation", conversation.pk),
            conversation.last_seq,
            author,
            agent.pk if agent is not None else None,
            body,
            client_id,
            sql.db_param(Message, "created_at", created_at),
            event,
        ],
    )
    assert row is not None  # INSERT ... RETURNING always returns the row
    message = _stored_message(
        message_id=row[0],
        conversation=conversation,
        seq=conversation.last_seq,
        author=author,
        agent=agent,
        body=body,
        client_id=client_id,
        created_at=created_at,
        event=event,
    )
    conversation_param = sql.db_param(Conversation, "id", conversation.pk)
    if created_at - conversation.updated_at >= INBOX_ORDER_RESOLUTION:
        sql.execute(
            statements.UPDATE_CONVERSATION_ACTIVITY_AFTER_MESSAGE_SQL,
            [
                conversation.last_seq,
                message.pk,
                sql.db_param(Conversation, "updated_at", created_at),
                conversation_param,
            ],
        )
    else:
        sql.execute(
            statements.UPDATE_CONVERSATION_AFTER_MESSAGE_SQL,
            [conversation.last_seq, message.pk, conversation_param],
        )
    # What the announcement's inbox row shows: this message, at its exact time.
    conversation.last_message = message
    conversation.updated_at = created_at
    events.publish(
        [
            events.MessageStored(
                conversation=conversation,
                message=message,
                started=started,
                before=before,
                previous_id=previous_id,
            )
        ]
    )
    return message


def _stored_message(
    *,
    message_id: int,
    conversation: Conversation,
    seq: int,
    author: str,
    agent: User | None,
    body: str,
    client_id: str | None,
    created_at: datetime,
    event: str,
) -> Message:
    """The Message instance for a row just inserted by hand, as the ORM would have built it."""
    message = Message(
        id=message_id,
        conversation=conversation,
        seq=seq,
        author=author,
        agent=agent,
        body=body,
        client_id=client_id,
        created_at=created_at,
        event=event,
    )
    message._state.adding = False
    message._state.db = sql.values_wrapper().alias
    return message
