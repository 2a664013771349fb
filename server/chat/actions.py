"""Business logic: `check_*` validates untrusted input, `do_*` changes state and emits events."""

import logging
import re
import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from functools import cache
from typing import Any, NamedTuple
from urllib.parse import urlsplit

import psycopg
from channels.db import database_sync_to_async
from django.conf import settings
from django.contrib.auth.models import User
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.db.models import QuerySet
from django.utils import timezone

from server.chat import gateway, loop_db, sql
from server.chat.errors import ParleyError
from server.chat.frames import STORABLE_EXPECTATION, is_storable_text
from server.chat.groups import agent_group, site_agents_group, visitor_group
from server.chat.models import AgentReadMark, Conversation, Message, Site, SiteMembership, Visitor
from server.chat.selectors import (
    agent_conversation,
    get_site_by_key,
    is_origin_allowed,
    messages_after,
    visitor_ready_frame,
    visitor_visit,
)
from server.chat.tokens import read_visitor_token, sign_visitor_token
from server.chat.wire import (
    conversation_summary,
    conversation_summary_after,
    conversation_summary_fields,
    conversation_wire,
    message_fields,
    message_wire,
    site_fields,
    site_wire,
    visitor_fields,
    visitor_wire,
)

logger = logging.getLogger(__name__)

COLOR_PATTERN = re.compile(r"^#[0-9a-fA-F]{6}$")
MAX_USER_AGENT_CHARS = 400
MAX_PAGE_URL_CHARS = 2000


# --- Sites -----------------------------------------------------------------------------------------


def check_origin(*, origin: str) -> str:
    """Normalise an allowed origin (`scheme://host[:port]`), or raise `invalid_field`."""
    parts = urlsplit(origin.strip())
    if parts.scheme not in {"http", "https"} or not parts.hostname or parts.path not in {"", "/"}:
        raise ParleyError(
            "invalid_field", f"'{origin[:100]}' is not an origin like https://shop.example.com."
        )
    if parts.query or parts.fragment or parts.username or parts.password:
        raise ParleyError(
            "invalid_field", f"'{origin[:100]}' is not an origin like https://shop.example.com."
        )
    return f"{parts.scheme}://{parts.netloc.lower()}"


def check_allowed_origins(*, origins: Iterable[str]) -> list[str]:
    """Normalise a list of allowed origins, dropping blanks and duplicates."""
    normalised: list[str] = []
    for origin in origins:
        if origin.strip():
            value = check_origin(origin=origin)
            if value not in normalised:
                normalised.append(value)
    return normalised


def check_widget_color(*, color: str) -> str:
    """A `#rrggbb` colour (it ends up in the widget's CSS), or raise `invalid_field`."""
    if not COLOR_PATTERN.match(color):
        raise ParleyError("invalid_field", "The widget colour must look like #4f46e5.")
    return color.lower()


@transaction.atomic
def do_create_site(
    *,
    name: str,
    allowed_origins: Iterable[str],
    color: str = "#4f46e5",
    greeting: str = "Hi! How can we help?",
    position: str = Site.Position.RIGHT,
) -> Site:
    """Register a site with its allowed origins and widget style."""
    if position not in Site.Position.values:
        raise ParleyError("invalid_field", "The widget position must be 'right' or 'left'.")
    return Site.objects.create(
        name=name.strip()[:120],
        allowed_origins="\n".join(check_allowed_origins(origins=allowed_origins)),
        widget_color=check_widget_color(color=color),
        widget_greeting=greeting.strip()[:200],
        widget_position=position,
    )


@transaction.atomic
def do_add_site_member(*, site: Site, user: User, role: str = SiteMembership.Role.AGENT) -> SiteMembership:
    """Make a user an agent (or owner) of a site; adding twice updates the role."""
    if role not in SiteMembership.Role.values:
        raise ParleyError("invalid_field", "The role must be 'owner' or 'agent'.")
    membership, _ = SiteMembership.objects.update_or_create(
        site=site, user_id=user.pk, defaults={"role": role}
    )
    return membership


def check_site_origin(*, site_key: str, origin: str | None) -> Site:
    """The site with this key if the browser Origin is one of its allowed origins."""
    site = get_site_by_key(site_key=site_key)
    if not is_origin_allowed(site=site, origin=origin):
        raise ParleyError("origin_not_allowed", "This page's origin is not allowed for this site.")
    return site


# --- Visitors ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class VisitorSession:
    """What the widget keeps: a token for one visitor of one site."""

    visitor_id: uuid.UUID
    visitor_token: str


def _clean_page_url(page_url: object) -> str:
    if not isinstance(page_url, str) or not page_url.startswith(("http://", "https://")):
        return ""
    if not is_storable_text(page_url):
        return ""
    return page_url[:MAX_PAGE_URL_CHARS]


@transaction.atomic
def do_start_visitor_session(
    *, site: Site, visitor_token: object, page_url: object, user_agent: str
) -> VisitorSession:
    """Resume the visitor a valid token names, else create a fresh one; return a new token either way."""
    visitor: Visitor | None = None
    if visitor_token is not None:
        try:
            claim = read_visitor_token(token=visitor_token, max_age=settings.PARLEY_VISITOR_TOKEN_MAX_AGE)
        except ParleyError as error:
            logger.info(
                "visitor session: %s token on site %s, starting a new visitor", error.message, site.pk
            )
        else:
            # A token of another site never resumes anyone here: it is treated as no token.
            if claim.site_id == site.pk:
                visitor = Visitor.objects.filter(pk=claim.visitor_id, site=site).first()
    now = timezone.now()
    clean_url = _clean_page_url(page_url)
    # A header's bytes arrive as Latin-1, which encodes as UTF-8; only NUL cannot be stored.
    clean_user_agent = user_agent.replace("\x00", "")[:MAX_USER_AGENT_CHARS]
    if visitor is None:
        visitor = Visitor.objects.create(site=site, last_page_url=clean_url, user_agent=clean_user_agent)
    else:
        visitor.last_seen_at = now
        visitor.user_agent = clean_user_agent
        if clean_url:
            visitor.last_page_url = clean_url
        visitor.save(update_fields=["last_seen_at", "user_agent", "last_page_url"])
    return VisitorSession(
        visitor_id=visitor.pk, visitor_token=sign_visitor_token(site_id=site.pk, visitor_id=visitor.pk)
    )


def check_visitor_token(*, site_id: int, token: object) -> uuid.UUID:
    """The visitor a socket's token names for this site (a signature check: no database)."""
    claim = read_visitor_token(token=token, max_age=settings.PARLEY_VISITOR_TOKEN_MAX_AGE)
    if claim.site_id != site_id:
        raise ParleyError("token_wrong_site", "This visitor token was issued for another site.")
    return claim.visitor_id


# A reconnecting visitor is "seen" again without a write while its last visit is this recent.
LAST_SEEN_RESOLUTION = timedelta(seconds=60)


# Hand-written (sql.py): paid by a handshake that lands on a new page or after a minute away.
RECORD_VISIT_SQL = "UPDATE chat_visitor SET last_seen_at = %s, last_page_url = %s WHERE id = %s"


def do_accept_visitor_hello(
    *, site_id: int, visitor_id: uuid.UUID, page_url: str, last_seq: int
) -> dict[str, Any]:
    """Record that a verified visitor is here and return its `ready` frame (what it has not seen)."""
    # No transaction: two reads and, at most once a minute, one single-row UPDATE.
    visit = visitor_visit(site_id=site_id, visitor_id=visitor_id)
    if visit is None:
        raise ParleyError("token_invalid", "This visitor no longer exists.")
    now = timezone.now()
    clean_url = _clean_page_url(page_url) or visit.last_page_url
    if now - visit.last_seen_at > LAST_SEEN_RESOLUTION or clean_url != visit.last_page_url:
        sql.execute(
            RECORD_VISIT_SQL,
            [sql.db_param(Visitor, "last_seen_at", now), clean_url, sql.db_param(Visitor, "id", visitor_id)],
        )
    return visitor_ready_frame(visitor_id=visitor_id, visit=visit, last_seq=last_seq)


# --- Messages ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PostedMessage:
    """A stored message (new or found again by its client_id) as the sender's ack carries it."""

    conversation_id: uuid.UUID
    message: dict[str, Any]
    created: bool


def check_message_body(*, body: str) -> str:
    """A message body trimmed and within PARLEY_MESSAGE_MAX_LENGTH."""
    trimmed = body.strip()
    if not trimmed:
        raise ParleyError("empty_body", "The message is empty.")
    if not is_storable_text(trimmed):
        # As frames.text_field says, for callers that are not sockets.
        raise ParleyError("invalid_field", f"Field 'body' {STORABLE_EXPECTATION}.")
    if len(trimmed) > settings.PARLEY_MESSAGE_MAX_LENGTH:
        raise ParleyError(
            "body_too_long", f"Messages are limited to {settings.PARLEY_MESSAGE_MAX_LENGTH} characters."
        )
    return trimmed


INSERT_MESSAGE_SQL = """
INSERT INTO chat_message (conversation_id, seq, author, agent_id, body, client_id, created_at)
VALUES (%s, %s, %s, %s, %s, %s, %s)
RETURNING id
"""

UPDATE_CONVERSATION_AFTER_MESSAGE_SQL = """
UPDATE chat_conversation SET last_seq = %s, last_message_id = %s WHERE id = %s
"""

UPDATE_CONVERSATION_ACTIVITY_AFTER_MESSAGE_SQL = """
UPDATE chat_conversation SET last_seq = %s, last_message_id = %s, updated_at = %s WHERE id = %s
"""

# A conversation's stored updated_at (indexed for the inbox's order) moves on at most this often while
# messages keep coming: between, a message changes only unindexed columns (see Conversation.last_message).
INBOX_ORDER_RESOLUTION = timedelta(seconds=5)


def _store_message(
    *,
    conversation: Conversation,
    author: str,
    agent: User | None,
    client_id: str | None,
    body: str,
) -> Message:
    """Append a message to a conversation whose row the caller has locked, and announce it on commit.

    The conversation must come with its site and visitor loaded (they go into the inbox summary).
    """
    conversation.last_seq += 1
    created_at = timezone.now()
    # Hand-written (sql.py): paid for every message.
    row = sql.fetch_one(
        INSERT_MESSAGE_SQL,
        [
            sql.db_param(Message, "conversation", conversation.pk),
            conversation.last_seq,
            author,
            agent.pk if agent is not None else None,
            body,
            client_id,
            sql.db_param(Message, "created_at", created_at),
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
    )
    conversation_param = sql.db_param(Conversation, "id", conversation.pk)
    if created_at - conversation.updated_at >= INBOX_ORDER_RESOLUTION:
        sql.execute(
            UPDATE_CONVERSATION_ACTIVITY_AFTER_MESSAGE_SQL,
            [
                conversation.last_seq,
                message.pk,
                sql.db_param(Conversation, "updated_at", created_at),
                conversation_param,
            ],
        )
    else:
        sql.execute(
            UPDATE_CONVERSATION_AFTER_MESSAGE_SQL, [conversation.last_seq, message.pk, conversation_param]
        )
    _announce_message(conversation=conversation, message=message)
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
    )
    message._state.adding = False
    message._state.db = sql.values_wrapper().alias
    return message


def _announce_message(*, conversation: Conversation, message: Message) -> dict[str, Any]:
    """Broadcast a message just stored (the conversation's latest) to its visitor and agents on commit;
    return its wire shape.

    The conversation must come with its site and visitor loaded (they go into the inbox summary).
    """
    wire, events = _message_events(conversation=conversation, message=message)
    for event in events:
        gateway.publish_event(event)
    return wire


def _message_events(
    *, conversation: Conversation, message: Message
) -> tuple[dict[str, Any], list[gateway.Event]]:
    """A message just stored (the conversation's latest): its wire shape, and the events announcing it to
    its visitor and agents, in the order they go.

    The conversation must come with its site and visitor loaded (they go into the inbox summary).
    """
    conversation.last_seq = message.seq
    conversation.last_message_id = message.pk
    # What the broadcast's inbox row shows: the exact time of this message.
    conversation.updated_at = message.created_at
    wire = message_wire(message)
    # The caller loaded the conversation with its site and visitor, so the summary costs no query.
    summary = conversation_summary_after(conversation, last_message=message, last_read_seq=None)
    events = _new_message_events(
        conversation_id=conversation.pk,
        site_id=conversation.site_id,
        visitor_id=conversation.visitor_id,
        summary=summary,
        wire=wire,
    )
    return wire, events


def _new_message_events(
    *,
    conversation_id: uuid.UUID,
    site_id: int,
    visitor_id: uuid.UUID,
    summary: dict[str, Any],
    wire: dict[str, Any],
) -> list[gateway.Event]:
    """The events announcing a conversation's new latest message (`wire`) to its visitor and agents, in
    the order they go; `summary` is the conversation's inbox row after it."""
    new_message = {"type": "message.new", "message": wire}
    # Agents get one event per message: the inbox row, carrying the message.new frame that the sockets
    # following this conversation also send (one layer message, not two, per agent and message). It goes
    # first: the other party is who waits for the message; the visitor's own sockets already have it.
    to_agents = gateway.event(
        group=site_agents_group(site_id),
        event_type=gateway.INBOX_UPDATE,
        frame={"type": "inbox.update", "conversation": summary},
        conversation_id=str(conversation_id),
        message_text=gateway.encode_frame(new_message),
    )
    # The visitor's sockets hear everything of theirs through the visitor group, joined at hello before
    # the history is read, so no message can fall in between.
    to_visitor = gateway.event(
        group=visitor_group(visitor_id), event_type=gateway.CONVERSATION_MESSAGE, frame=new_message
    )
    return [to_agents, to_visitor]


def _already_stored(matches: QuerySet[Message]) -> PostedMessage | None:
    """The stored message a retried client_id names, acknowledged again instead of stored twice."""
    existing = matches.select_related("agent").first()
    if existing is None:
        return None
    return PostedMessage(
        conversation_id=existing.conversation_id, message=message_wire(existing), created=False
    )


def _visitor_messages(*, visitor_id: uuid.UUID, client_id: str) -> QuerySet[Message]:
    """A visitor's messages with this client_id (a retry may follow its original into a newer one)."""
    return Message.objects.filter(conversation__visitor_id=visitor_id, client_id=client_id)


def _retry_lost_race(post: Callable[[], PostedMessage]) -> PostedMessage:
    """Run a posting transaction; run it again once if a concurrent send stored the same client_id first."""
    try:
        return post()
    except IntegrityError:
        # The retry check and the row lock are one statement, so two sends of one client_id racing
        # each other can both pass it; the unique constraint stops the second, whose rerun (a new
        # snapshot) then finds the first and answers as a retry.
        return post()


def do_post_visitor_message(*, visitor_id: uuid.UUID, client_id: str, body: str) -> PostedMessage:
    """Store a visitor's message in its open conversation (starting one if needed); a retry is a no-op."""
    clean_body = check_message_body(body=body)
    with gateway.sending_together():  # the message's two events leave together
        return _retry_lost_race(
            lambda: _post_visitor_message(visitor_id=visitor_id, client_id=client_id, body=clean_body)
        )


# How a send finds the conversation it locks: a visitor's latest open one, or the one an agent names on
# one of the agent's sites. Each statement also checks whether the client_id was already stored.
VISITOR_SEND_TARGET = """
    EXISTS (
        SELECT 1 FROM chat_message m JOIN chat_conversation mc ON mc.id = m.conversation_id
        WHERE mc.visitor_id = %s AND m.client_id = %s
    )
FROM chat_conversation c
JOIN chat_site s ON s.id = c.site_id
JOIN chat_visitor v ON v.id = c.visitor_id
WHERE c.visitor_id = %s AND c.status = %s
ORDER BY c.created_at DESC
LIMIT 1
"""
AGENT_SEND_TARGET = """
    EXISTS (SELECT 1 FROM chat_message m WHERE m.conversation_id = c.id AND m.client_id = %s)
FROM chat_conversation c
JOIN chat_site s ON s.id = c.site_id
JOIN chat_visitor v ON v.id = c.visitor_id
WHERE c.id = %s
    AND EXISTS (SELECT 1 FROM chat_sitemembership sm WHERE sm.site_id = c.site_id AND sm.user_id = %s)
"""


@cache
def _lock_conversation_sql(target: str, vendor: str) -> str:
    """The statement that starts a send (`target`: VISITOR_SEND_TARGET or AGENT_SEND_TARGET), for a vendor."""
    # SQLite has no row locks (a write transaction locks the database); PostgreSQL locks the row.
    lock = "FOR UPDATE OF c" if connection.features.has_select_for_update_of else ""
    # Only column names from the models' metadata go into the text; values are parameters.
    return f"""
SELECT {sql.columns(Conversation, "c")}, {sql.columns(Site, "s")}, {sql.columns(Visitor, "v")},
{target}
{lock}
"""


def _conversation_from_row(row: tuple[Any, ...]) -> tuple[Conversation, tuple[Any, ...]]:
    """The conversation (its site and visitor loaded) from a row that starts with the columns of
    `columns(Conversation)`, `columns(Site)` and `columns(Visitor)`; and the row's values after them."""
    conversation_end = len(Conversation._meta.concrete_fields)
    site_end = conversation_end + len(Site._meta.concrete_fields)
    visitor_end = site_end + len(Visitor._meta.concrete_fields)
    conversation = sql.model_from_row(Conversation, row[:conversation_end])
    conversation.site = sql.model_from_row(Site, row[conversation_end:site_end])
    conversation.visitor = sql.model_from_row(Visitor, row[site_end:visitor_end])
    return conversation, row[visitor_end:]


def _locked_conversation(row: tuple[Any, ...] | None) -> tuple[Conversation | None, bool]:
    """The conversation (its site and visitor loaded) from a send's lock statement, and its retry flag."""
    if row is None:
        return None, False
    conversation, (retried,) = _conversation_from_row(row)
    return conversation, bool(retried)


def _lock_open_conversation(*, visitor_id: uuid.UUID, client_id: str) -> tuple[Conversation | None, bool]:
    """Lock the visitor's latest open conversation (with its site and visitor loaded), and whether
    one of the visitor's messages already has this client_id."""
    # The usual case in one hand-written statement (sql.py): lock the open conversation, load what
    # the inbox row shows and check for a retry. Sends into one conversation queue on its row lock.
    visitor_param = sql.db_param(Conversation, "visitor", visitor_id)
    row = sql.fetch_one(
        _lock_conversation_sql(VISITOR_SEND_TARGET, connection.vendor),
        [visitor_param, client_id, visitor_param, Conversation.Status.OPEN.value],
    )
    return _locked_conversation(row)


def _lock_agent_conversation(
    *, user_id: int, conversation_id: uuid.UUID, client_id: str | None
) -> tuple[Conversation | None, bool]:
    """Lock a conversation of one of the agent's sites (site and visitor loaded), and whether a message
    of it already has this client_id (never, without one)."""
    # One hand-written statement (sql.py): the permission check, the row lock, what the inbox row shows
    # and the retry check (a NULL client_id matches nothing).
    row = sql.fetch_one(
        _lock_conversation_sql(AGENT_SEND_TARGET, connection.vendor),
        [client_id, sql.db_param(Conversation, "id", conversation_id), user_id],
    )
    return _locked_conversation(row)


@transaction.atomic
def _post_visitor_message(*, visitor_id: uuid.UUID, client_id: str, body: str) -> PostedMessage:
    """One attempt at storing a visitor's message: three statements when the conversation is open."""
    open_conversation, retried = _lock_open_conversation(visitor_id=visitor_id, client_id=client_id)
    conversation: Conversation
    if open_conversation is None:
        started = _start_conversation(visitor_id=visitor_id, client_id=client_id)
        if isinstance(started, PostedMessage):
            return started
        conversation = started
    else:
        if retried:
            stored = _already_stored(_visitor_messages(visitor_id=visitor_id, client_id=client_id))
            if stored is not None:
                return stored
        conversation = open_conversation
    message = _store_message(
        conversation=conversation,
        author=Message.Author.VISITOR,
        agent=None,
        client_id=client_id,
        body=body,
    )
    if message.created_at - conversation.visitor.last_seen_at > LAST_SEEN_RESOLUTION:
        Visitor.objects.filter(pk=visitor_id).update(last_seen_at=message.created_at)
    return PostedMessage(conversation_id=conversation.pk, message=message_wire(message), created=True)


def _start_conversation(*, visitor_id: uuid.UUID, client_id: str) -> Conversation | PostedMessage:
    """The visitor's open conversation, started if there is none; or the stored message a retry names."""
    # Locking the visitor serialises its first sends, so two tabs never start two conversations.
    visitor = (
        Visitor.objects.select_for_update(of=("self",)).select_related("site").filter(pk=visitor_id).first()
    )
    if visitor is None:
        raise ParleyError("token_invalid", "This visitor no longer exists.")
    retried = _already_stored(_visitor_messages(visitor_id=visitor_id, client_id=client_id))
    if retried is not None:
        return retried
    conversation = (
        Conversation.objects.select_for_update()
        .filter(visitor=visitor, status=Conversation.Status.OPEN)
        .order_by("-created_at")
        .first()
    )
    if conversation is None:
        conversation = Conversation.objects.create(site=visitor.site, visitor=visitor)
        gateway.publish(
            group=visitor_group(visitor.pk),
            event_type=gateway.CONVERSATION_STARTED,
            frame={"type": "conversation.started", "conversation": conversation_wire(conversation)},
        )
    conversation.visitor = visitor
    conversation.site = visitor.site
    return conversation


# --- Batches of visitor messages -------------------------------------------------------------------------


@dataclass(frozen=True)
class VisitorSend:
    """One visitor's `message.send`, as a batch of sends carries it."""

    visitor_id: uuid.UUID
    client_id: str
    body: str


class BatchedConversation(NamedTuple):
    """What announcing a batch's messages needs of a conversation they went into."""

    conversation_id: uuid.UUID
    site_id: int
    site: dict[str, Any]  # wire.site_fields
    status: str
    assignee_id: int | None
    created_at: datetime
    visitor_id: uuid.UUID
    visitor: dict[str, Any]  # wire.visitor_fields


class BatchedMessage(NamedTuple):
    """A visitor's message a batch stored."""

    conversation: BatchedConversation
    message_id: int
    seq: int
    client_id: str
    body: str
    created_at: datetime


# What a batch stores, and what it leaves for the one-by-one path: (index, stored message) pairs in the
# order given, and the indexes of the sends of visitors with no open conversation yet (one is started
# there), a client_id already stored or twice in the batch (a retry), or, never expected, two open
# conversations.
StoredBatch = tuple[list[tuple[int, BatchedMessage]], list[int]]


def _batched_conversation(conversation: Conversation) -> BatchedConversation:
    """A conversation loaded with its site and visitor, as a batch announces its messages."""
    return BatchedConversation(
        conversation_id=conversation.pk,
        site_id=conversation.site_id,
        site=site_wire(conversation.site),
        status=conversation.status,
        assignee_id=conversation.assignee_id,
        created_at=conversation.created_at,
        visitor_id=conversation.visitor_id,
        visitor=visitor_wire(conversation.visitor),
    )


def do_post_visitor_messages(*, sends: Sequence[VisitorSend]) -> list[PostedMessage | ParleyError]:
    """Store many visitors' messages at once; for each send, what do_post_visitor_message would have
    returned, or the ParleyError it would have raised.

    The usual sends (into an open conversation, not a retry) are stored together, whatever their number:
    one statement on PostgreSQL, one transaction of three on SQLite. The others, and all of them if that
    fails, then go one by one. Each visitor's sends are stored, and announced, in the order given; the
    batch's events leave together.
    """
    with gateway.sending_together():
        return _post_visitor_messages(sends=sends)


def _post_visitor_messages(*, sends: Sequence[VisitorSend]) -> list[PostedMessage | ParleyError]:
    """do_post_visitor_messages, while its events are held."""
    results, checked = _checked_sends(sends=sends)
    one_by_one: list[int] = []
    if checked:
        try:
            stored, one_by_one = _store_visitor_batch(sends=checked)
        except DatabaseError as error:
            # Nothing of the batch was stored (it rolled back): each send goes on its own.
            _log_failed_batch(size=len(checked), error=error)
            stored, one_by_one = [], [index for index, _ in checked]
        answers, events = _answers_and_events(stored=stored)
        results.update(answers)
        for event in events:
            # Announced once the batch is committed (persist first, then broadcast).
            gateway.publish_event(event)
    results.update(_post_one_by_one(sends=sends, indexes=one_by_one))
    return [results[index] for index in range(len(sends))]


async def do_post_visitor_messages_on_loop(
    *, sends: Sequence[VisitorSend]
) -> list[PostedMessage | ParleyError]:
    """do_post_visitor_messages for PostgreSQL, awaited on the event loop: the batch's one statement runs
    on the loop's own connection (loop_db.py) and its events leave as soon as it returns, committed.

    The sends the batch leaves, and all of them if it fails, go one by one on the database thread.
    """
    results, checked = _checked_sends(sends=sends)
    one_by_one: list[int] = []
    if checked:
        statement, params, created_at = _batch_in_one_statement(sends=checked)
        try:
            rows = await loop_db.fetch_all(statement, params)
        except psycopg.Error as error:
            # The statement is its own transaction: nothing of it was stored.
            _log_failed_batch(size=len(checked), error=error)
            stored: list[tuple[int, BatchedMessage]] = []
            one_by_one = [index for index, _ in checked]
        else:
            stored, one_by_one = _batch_from_rows(sends=checked, rows=rows, created_at=created_at)
        answers, events = _answers_and_events(stored=stored)
        results.update(answers)
        if events:
            await gateway.send_committed(events)
    if one_by_one:
        results.update(
            await database_sync_to_async(_post_one_by_one_together)(sends=sends, indexes=one_by_one)
        )
    return [results[index] for index in range(len(sends))]


def _checked_sends(
    *, sends: Sequence[VisitorSend]
) -> tuple[dict[int, PostedMessage | ParleyError], list[tuple[int, VisitorSend]]]:
    """The error of each send whose body is refused, by index, and the other sends with their bodies
    cleaned, as (index, send) pairs."""
    refused: dict[int, PostedMessage | ParleyError] = {}
    checked: list[tuple[int, VisitorSend]] = []
    for index, send in enumerate(sends):
        try:
            checked.append((index, replace(send, body=check_message_body(body=send.body))))
        except ParleyError as error:
            refused[index] = error
    return refused, checked


def _answers_and_events(
    *, stored: list[tuple[int, BatchedMessage]]
) -> tuple[dict[int, PostedMessage], list[gateway.Event]]:
    """For the messages a batch stored, by send index: each sender's answer, and the events announcing
    them all, in order."""
    answers: dict[int, PostedMessage] = {}
    events: list[gateway.Event] = []
    for index, message in stored:
        conversation = message.conversation
        # Built from the fields, as message_wire and conversation_summary_after would build them from
        # instances: a batch has no use for the instances, and building them cost a send a sixth of its
        # time on the server (docs/performance.md, "Sends on the event loop").
        wire = message_fields(
            message_id=message.message_id,
            conversation_id=conversation.conversation_id,
            seq=message.seq,
            author=Message.Author.VISITOR,
            author_name=None,
            agent_id=None,
            body=message.body,
            client_id=message.client_id,
            created_at=message.created_at,
        )
        summary = conversation_summary_fields(
            conversation_id=conversation.conversation_id,
            site=conversation.site,
            status=conversation.status,
            visitor=conversation.visitor,
            assignee_id=conversation.assignee_id,
            last_seq=message.seq,
            last_message=wire,
            created_at=conversation.created_at,
            # The exact time of this message (the stored updated_at moves on only every few seconds).
            updated_at=message.created_at,
            last_read_seq=None,
        )
        events.extend(
            _new_message_events(
                conversation_id=conversation.conversation_id,
                site_id=conversation.site_id,
                visitor_id=conversation.visitor_id,
                summary=summary,
                wire=wire,
            )
        )
        answers[index] = PostedMessage(
            conversation_id=conversation.conversation_id, message=wire, created=True
        )
    return answers, events


def _log_failed_batch(*, size: int, error: Exception) -> None:
    logger.warning("a batch of %d visitor messages failed, posting one by one: %r", size, error)


def _post_one_by_one(
    *, sends: Sequence[VisitorSend], indexes: list[int]
) -> dict[int, PostedMessage | ParleyError]:
    """Post the sends at `indexes` each on its own; what each got, by index."""
    results: dict[int, PostedMessage | ParleyError] = {}
    for index in indexes:
        send = sends[index]
        try:
            results[index] = do_post_visitor_message(
                visitor_id=send.visitor_id, client_id=send.client_id, body=send.body
            )
        except ParleyError as error:
            results[index] = error
        except Exception:
            # One send's failure is its own: the others of the batch still get their answers.
            logger.exception("posting a visitor message failed")
            results[index] = ParleyError("internal_error", "The server failed; retry later.")
    return results


def _post_one_by_one_together(
    *, sends: Sequence[VisitorSend], indexes: list[int]
) -> dict[int, PostedMessage | ParleyError]:
    """_post_one_by_one, its events leaving together."""
    with gateway.sending_together():
        return _post_one_by_one(sends=sends, indexes=indexes)


def _store_visitor_batch(*, sends: list[tuple[int, VisitorSend]]) -> StoredBatch:
    """Store the batchable sends of (index, send) pairs, in one statement or one transaction."""
    if connection.vendor == "postgresql":
        if connection.in_atomic_block:
            # Inside a caller's transaction, a savepoint keeps a failed batch from spoiling it.
            with transaction.atomic():
                return _store_visitor_batch_in_one_statement(sends=sends)
        # Otherwise the statement is its own transaction: no BEGIN or COMMIT round trip.
        return _store_visitor_batch_in_one_statement(sends=sends)
    return _store_visitor_batch_in_one_transaction(sends=sends)


def _sent_rows(sends: list[tuple[int, VisitorSend]]) -> list[tuple[Any, ...]]:
    """The batch as the `sent` rows of its statements: position, visitor, client_id, body."""
    return [
        (position, sql.db_param(Conversation, "visitor", send.visitor_id), send.client_id, send.body)
        for position, (_, send) in enumerate(sends)
    ]


# The retry probe of a batch statement: whether a send's client_id is already among its visitor's messages.
# On PostgreSQL it is a LATERAL lookup, so the plan can only look up unique_message_client_id by
# (conversation, client_id). As a plain join, the generic plan looked up by conversation alone and
# filtered every message of the conversation, so a send grew dearer with each message before it (0.38 →
# 0.47 ms over 400 messages a conversation). SQLite has no LATERAL; its planner takes the index anyway.
CLIENT_ID_PROBE_POSTGRESQL = """CROSS JOIN LATERAL (
        SELECT 1 FROM chat_message m WHERE m.conversation_id = mc.id AND m.client_id = s.client_id LIMIT 1
    ) m"""
CLIENT_ID_PROBE_SQLITE = "JOIN chat_message m ON m.conversation_id = mc.id AND m.client_id = s.client_id"


# The sends of a batch, and which of their visitors go one by one (see StoredBatch), as the common start
# of the statements below (`sent_source` gives the rows: position, visitor_id, client_id, body;
# `client_id_probe` is one of the two probes above).
BATCH_ASIDE_SQL = """
WITH sent AS (
    SELECT u.column1 AS position, u.column2 AS visitor_id, u.column3 AS client_id, u.column4 AS body
    FROM {sent_source}
), target AS (
    SELECT {conversation_columns}
    FROM chat_conversation c
    WHERE c.visitor_id IN (SELECT visitor_id FROM sent) AND c.status = %s
        AND c.created_at = (
            SELECT MAX(o.created_at) FROM chat_conversation o
            WHERE o.visitor_id = c.visitor_id AND o.status = %s
        )
    ORDER BY c.id
    {lock}
), aside AS (
    -- A probe of unique_message_client_id per send, once for the whole batch.
    SELECT s.visitor_id FROM sent s
    JOIN chat_conversation mc ON mc.visitor_id = s.visitor_id
    {client_id_probe}
    UNION ALL
    SELECT a.visitor_id FROM sent a
    JOIN sent b ON b.visitor_id = a.visitor_id AND b.client_id = a.client_id AND b.position > a.position
    UNION ALL
    SELECT t.visitor_id FROM target t GROUP BY t.visitor_id HAVING COUNT(*) > 1
)"""


# What the batch statement reads back of each message's conversation: the fields of BatchedConversation
# (its site and visitor as their wire shapes need them), in the order _batch_from_rows takes them.
BATCHED_CONVERSATION_COLUMNS = (
    "t.id, t.site_id, s.name, t.status, t.assignee_id, t.created_at, t.visitor_id, v.name, v.email, "
    "v.last_page_url"
)


@cache
def _batch_in_one_statement_sql(rows: int) -> str:
    """PostgreSQL: a whole batch in one statement (lock, retry check, insert, update, touch, read back)."""
    # Rows are locked in id order, so two batches sharing conversations never each hold a row the other
    # waits for. Locking in `target` makes the later sub-statements see each row's latest last_seq.
    start = BATCH_ASIDE_SQL.format(
        sent_source=sql.rows_source(["integer", "uuid", "text", "text"], rows),
        conversation_columns=sql.columns(Conversation, "c"),
        client_id_probe=CLIENT_ID_PROBE_POSTGRESQL,
        lock="FOR UPDATE OF c",
    )
    return f"""{start}, numbered AS (
    SELECT t.id AS conversation_id, s.client_id, s.body,
        t.last_seq + ROW_NUMBER() OVER (PARTITION BY s.visitor_id ORDER BY s.position) AS seq
    FROM sent s JOIN target t ON t.visitor_id = s.visitor_id
    WHERE s.visitor_id NOT IN (SELECT visitor_id FROM aside)
), inserted AS (
    INSERT INTO chat_message (conversation_id, seq, author, body, client_id, created_at)
    SELECT n.conversation_id, n.seq, %s, n.body, n.client_id, %s FROM numbered n
    RETURNING id, conversation_id, seq, client_id
), moved AS (
    -- updated_at (the inbox order) moves on only when older than INBOX_ORDER_RESOLUTION: written back
    -- unchanged otherwise, the update stays in place (HOT).
    UPDATE chat_conversation c
    SET last_seq = i.seq, last_message_id = i.id,
        updated_at = CASE WHEN c.updated_at <= %s THEN %s ELSE c.updated_at END
    FROM (SELECT DISTINCT ON (conversation_id) * FROM inserted ORDER BY conversation_id, seq DESC) i
    WHERE c.id = i.conversation_id
), touched AS (
    UPDATE chat_visitor v SET last_seen_at = %s
    WHERE v.id IN (SELECT t.visitor_id FROM target t JOIN inserted i ON i.conversation_id = t.id)
        AND v.last_seen_at < %s
)
SELECT {BATCHED_CONVERSATION_COLUMNS}, i.id, i.seq, i.client_id
FROM inserted i
JOIN target t ON t.id = i.conversation_id
JOIN chat_site s ON s.id = t.site_id
JOIN chat_visitor v ON v.id = t.visitor_id
ORDER BY i.conversation_id, i.seq
"""  # noqa: S608


def _store_visitor_batch_in_one_statement(*, sends: list[tuple[int, VisitorSend]]) -> StoredBatch:
    """PostgreSQL: store a batch with one statement, one round trip (see StoredBatch)."""
    statement, params, created_at = _batch_in_one_statement(sends=sends)
    return _batch_from_rows(sends=sends, rows=sql.fetch_all(statement, params), created_at=created_at)


def _batch_in_one_statement(*, sends: list[tuple[int, VisitorSend]]) -> tuple[str, list[Any], datetime]:
    """PostgreSQL: the statement storing a batch, its parameters, and the time it gives its messages."""
    created_at = timezone.now()
    open_status = Conversation.Status.OPEN.value
    params = [
        *sql.rows_params(_sent_rows(sends)),
        open_status,
        open_status,
        Message.Author.VISITOR.value,
        sql.db_param(Message, "created_at", created_at),
        sql.db_param(Conversation, "updated_at", created_at - INBOX_ORDER_RESOLUTION),
        sql.db_param(Conversation, "updated_at", created_at),
        sql.db_param(Visitor, "last_seen_at", created_at),
        sql.db_param(Visitor, "last_seen_at", created_at - LAST_SEEN_RESOLUTION),
    ]
    return _batch_in_one_statement_sql(len(sends)), params, created_at


def _batch_from_rows(
    *, sends: list[tuple[int, VisitorSend]], rows: list[tuple[Any, ...]], created_at: datetime
) -> StoredBatch:
    """PostgreSQL: what the batch statement's rows say it stored (see StoredBatch)."""
    conversations: dict[uuid.UUID, BatchedConversation] = {}
    message_ids: dict[tuple[uuid.UUID, str], tuple[int, int]] = {}
    by_id: dict[Any, BatchedConversation] = {}  # keyed by the conversation's id as its rows carry it
    for row in rows:
        # One row per message (BATCHED_CONVERSATION_COLUMNS, then the message's id, seq and client_id); its
        # conversation is read from the first of them.
        (
            conversation_value,
            site_id,
            site_name,
            status,
            assignee_id,
            created_at_value,
            visitor_value,
            visitor_name,
            visitor_email,
            visitor_page_url,
            message_id,
            seq,
            client_id,
        ) = row
        conversation = by_id.get(conversation_value)
        if conversation is None:
            visitor_id = sql.from_db(Conversation, "visitor", visitor_value)
            conversation = BatchedConversation(
                conversation_id=sql.from_db(Conversation, "id", conversation_value),
                site_id=site_id,
                site=site_fields(site_id=site_id, name=site_name),
                status=status,
                assignee_id=assignee_id,
                created_at=sql.from_db(Conversation, "created_at", created_at_value),
                visitor_id=visitor_id,
                visitor=visitor_fields(
                    visitor_id=visitor_id,
                    name=visitor_name,
                    email=visitor_email,
                    last_page_url=visitor_page_url,
                ),
            )
            by_id[conversation_value] = conversations[visitor_id] = conversation
        message_ids[(conversation.visitor_id, client_id)] = (message_id, seq)
    return _stored_batch(
        sends=sends, conversations=conversations, message_ids=message_ids, created_at=created_at
    )


def _stored_batch(
    *,
    sends: list[tuple[int, VisitorSend]],
    conversations: dict[uuid.UUID, BatchedConversation],
    message_ids: dict[tuple[uuid.UUID, str], tuple[int, int]],
    created_at: datetime,
) -> StoredBatch:
    """The messages a batch stored and the indexes of the sends it left (see StoredBatch)."""
    stored: list[tuple[int, BatchedMessage]] = []
    one_by_one: list[int] = []
    for index, send in sends:
        stored_as = message_ids.get((send.visitor_id, send.client_id))
        if stored_as is None:
            one_by_one.append(index)
            continue
        message_id, seq = stored_as
        message = BatchedMessage(
            conversation=conversations[send.visitor_id],
            message_id=message_id,
            seq=seq,
            client_id=send.client_id,
            body=send.body,
            created_at=created_at,
        )
        stored.append((index, message))
    return stored, one_by_one


@cache
def _lock_batch_sql(rows: int) -> str:
    """SQLite: the conversations a batch goes into (site and visitor loaded), each with whether its
    visitor's sends go one by one. The write transaction locks the whole database (no row locks)."""
    start = BATCH_ASIDE_SQL.format(
        sent_source=sql.rows_source(["integer", "uuid", "text", "text"], rows),
        conversation_columns=sql.columns(Conversation, "c"),
        client_id_probe=CLIENT_ID_PROBE_SQLITE,
        lock="",
    )
    return f"""{start}
SELECT {sql.columns(Conversation, "t")}, {sql.columns(Site, "s")}, {sql.columns(Visitor, "v")},
    t.visitor_id IN (SELECT visitor_id FROM aside)
FROM target t
JOIN chat_site s ON s.id = t.site_id
JOIN chat_visitor v ON v.id = t.visitor_id
"""  # noqa: S608


@cache
def _insert_visitor_messages_sql(rows: int) -> str:
    """SQLite: insert a batch's messages in one statement, returning each one's id, conversation, seq and
    client_id."""
    source = sql.rows_source(["uuid", "integer", "text", "text", "text", "timestamptz"], rows)
    return f"""
INSERT INTO chat_message (conversation_id, seq, author, body, client_id, created_at)
SELECT u.column1, u.column2, u.column3, u.column4, u.column5, u.column6 FROM {source}
RETURNING id, conversation_id, seq, client_id
"""  # noqa: S608


@cache
def _update_conversations_sql(rows: int) -> str:
    """SQLite: move each conversation of a batch on to its last new message, in one statement."""
    source = sql.rows_source(["uuid", "integer", "bigint", "timestamptz"], rows)
    return f"""
UPDATE chat_conversation SET last_seq = u.column2, last_message_id = u.column3, updated_at = u.column4
FROM {source}
WHERE chat_conversation.id = u.column1
"""  # noqa: S608


@transaction.atomic
def _store_visitor_batch_in_one_transaction(*, sends: list[tuple[int, VisitorSend]]) -> StoredBatch:
    """SQLite: store a batch with three statements in one transaction (see StoredBatch)."""
    open_status = Conversation.Status.OPEN.value
    rows = sql.fetch_all(
        _lock_batch_sql(len(sends)), [*sql.rows_params(_sent_rows(sends)), open_status, open_status]
    )
    conversations: dict[uuid.UUID, Conversation] = {}
    for row in rows:
        conversation, aside = _locked_conversation(row)
        if conversation is not None and not aside:
            conversations[conversation.visitor_id] = conversation
    created_at = timezone.now()
    created_param = sql.db_param(Message, "created_at", created_at)
    last_seqs = {visitor_id: conversation.last_seq for visitor_id, conversation in conversations.items()}
    new_rows: list[tuple[Any, ...]] = []
    for _, send in sends:
        if send.visitor_id in conversations:
            last_seqs[send.visitor_id] += 1
            new_rows.append(
                (
                    sql.db_param(Message, "conversation", conversations[send.visitor_id].pk),
                    last_seqs[send.visitor_id],
                    Message.Author.VISITOR.value,
                    send.body,
                    send.client_id,
                    created_param,
                )
            )
    if not new_rows:
        return [], [index for index, _ in sends]
    inserted = sql.fetch_all(_insert_visitor_messages_sql(len(new_rows)), sql.rows_params(new_rows))
    visitor_of = {
        sql.db_param(Message, "conversation", conversation.pk): visitor_id
        for visitor_id, conversation in conversations.items()
    }
    message_ids = {
        (visitor_of[conversation_param], client_id): (message_id, seq)
        for message_id, conversation_param, seq, client_id in inserted
    }
    last_message_ids: dict[uuid.UUID, int] = {}
    for (visitor_id, _), (message_id, seq) in message_ids.items():
        if seq == last_seqs[visitor_id]:
            last_message_ids[visitor_id] = message_id
    updates = []
    for visitor_id, message_id in last_message_ids.items():
        conversation = conversations[visitor_id]
        moved_on = created_at - conversation.updated_at >= INBOX_ORDER_RESOLUTION
        # Writing the stored updated_at back unchanged keeps the update small (see INBOX_ORDER_RESOLUTION).
        updated_at = created_at if moved_on else conversation.updated_at
        updates.append(
            (
                sql.db_param(Conversation, "id", conversation.pk),
                last_seqs[visitor_id],
                message_id,
                sql.db_param(Conversation, "updated_at", updated_at),
            )
        )
    sql.execute(_update_conversations_sql(len(updates)), sql.rows_params(updates))
    away = [
        visitor_id
        for visitor_id in last_message_ids
        if created_at - conversations[visitor_id].visitor.last_seen_at > LAST_SEEN_RESOLUTION
    ]
    if away:
        Visitor.objects.filter(pk__in=away).update(last_seen_at=created_at)
    batched = {
        visitor_id: _batched_conversation(conversation) for visitor_id, conversation in conversations.items()
    }
    return _stored_batch(sends=sends, conversations=batched, message_ids=message_ids, created_at=created_at)


def do_post_agent_message(
    *, agent: User, conversation_id: uuid.UUID, body: str, client_id: str | None = None
) -> PostedMessage:
    """Store an agent's reply in a conversation of one of the agent's sites; a retry is a no-op.

    Callable from any synchronous code (console socket, views, management commands, the shell).
    """
    clean_body = check_message_body(body=body)
    with gateway.sending_together():  # the message's two events leave together
        return _retry_lost_race(
            lambda: _post_agent_message(
                agent=agent, conversation_id=conversation_id, body=clean_body, client_id=client_id
            )
        )


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
    message = _store_message(
        conversation=conversation,
        author=Message.Author.AGENT,
        agent=agent,
        client_id=client_id,
        body=body,
    )
    _raise_read_mark(user_id=int(agent.pk), conversation_id=conversation.pk, seq=message.seq)
    return PostedMessage(conversation_id=conversation.pk, message=message_wire(message), created=True)


# --- Agents --------------------------------------------------------------------------------------------


def _raise_read_mark(*, user_id: int, conversation_id: uuid.UUID, seq: int) -> int:
    """Raise a read mark to `seq` (never lower it) and return the mark; one UPDATE when it exists."""
    marks = AgentReadMark.objects.filter(user_id=user_id, conversation_id=conversation_id)
    if marks.filter(last_read_seq__lt=seq).update(last_read_seq=seq):
        return seq
    mark, _ = AgentReadMark.objects.get_or_create(
        user_id=user_id, conversation_id=conversation_id, defaults={"last_read_seq": seq}
    )
    return mark.last_read_seq


@transaction.atomic
def do_mark_read(*, user_id: int, conversation_id: uuid.UUID, seq: int) -> int:
    """Raise an agent's read mark in a conversation of its sites (never past the last message)."""
    conversation = agent_conversation(user_id=user_id, conversation_id=conversation_id)
    return _raise_read_mark(
        user_id=user_id, conversation_id=conversation_id, seq=min(seq, conversation.last_seq)
    )


@transaction.atomic
def do_open_conversation(*, user_id: int, conversation_id: uuid.UUID, after_seq: int) -> dict[str, Any]:
    """The `conversation.opened` frame for an agent; opening a conversation marks it read."""
    conversation = agent_conversation(user_id=user_id, conversation_id=conversation_id)
    last_read_seq = _raise_read_mark(
        user_id=user_id, conversation_id=conversation_id, seq=conversation.last_seq
    )
    messages, has_more = messages_after(conversation_id=conversation_id, after_seq=after_seq)
    return {
        "type": "conversation.opened",
        "conversation": conversation_summary(conversation, last_read_seq=last_read_seq),
        "messages": messages,
        "has_more": has_more,
    }


def send_notification(*, user_id: int, payload: dict[str, Any]) -> None:
    """Push a notification to every open console of one agent; callable from synchronous code."""
    gateway.publish(
        group=agent_group(user_id),
        event_type=gateway.AGENT_NOTIFICATION,
        frame={"type": "notification", "payload": payload},
    )
