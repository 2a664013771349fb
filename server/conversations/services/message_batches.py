"""Batches of visitor messages: the sends of many visitors stored with one statement (or transaction)."""

import logging
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

import psycopg
from channels.db import database_sync_to_async
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from server.conversations import events
from server.conversations.models import Conversation, Message, Visitor
from server.conversations.records import BatchedConversation, BatchedMessage
from server.conversations.services.messages import (
    INBOX_ORDER_RESOLUTION,
    PostedMessage,
    check_message_body,
    do_post_visitor_message,
)
from server.conversations.services.visitors import LAST_SEEN_RESOLUTION
from server.conversations.store import batches, loop_db, sql, statements
from server.errors import ParleyError

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class VisitorSend:
    """One visitor's `message.send`, as a batch of sends carries it."""

    visitor_id: uuid.UUID
    client_id: str
    body: str


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
        site_name=conversation.site.name,
        status=conversation.status,
        assignee_id=conversation.assignee_id,
        created_at=conversation.created_at,
        visitor_id=conversation.visitor_id,
        visitor_name=conversation.visitor.name,
        visitor_email=conversation.visitor.email,
        visitor_page_url=conversation.visitor.last_page_url,
    )


def do_post_visitor_messages(*, sends: Sequence[VisitorSend]) -> list[PostedMessage | ParleyError]:
    """Store many visitors' messages at once; for each send, what do_post_visitor_message would have
    returned, or the ParleyError it would have raised.

    The usual sends (into an open conversation, not a retry) are stored together, whatever their number:
    one statement on PostgreSQL, one transaction of three on SQLite. The others, and all of them if that
    fails, then go one by one. Each visitor's sends are stored, and announced, in the order given; the
    batch's events leave together.
    """
    with events.together():
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
        answers, stored_events = _answers_and_events(stored=stored)
        results.update(answers)
        if stored_events:
            # Announced once the batch is committed (persist first, then broadcast).
            events.publish(stored_events)
    results.update(_post_one_by_one(sends=sends, indexes=one_by_one))
    return [results[index] for index in range(len(sends))]


async def do_post_visitor_messages_on_loop(
    *, sends: Sequence[VisitorSend]
) -> list[PostedMessage | ParleyError]:
    """do_post_visitor_messages for PostgreSQL, awaited on the event loop: the batch's one statement runs
    on the loop's own connection (store/loop_db.py) and its events leave as soon as it returns, committed.

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
        answers, stored_events = _answers_and_events(stored=stored)
        results.update(answers)
        if stored_events:
            await events.publish_committed(stored_events)
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
) -> tuple[dict[int, PostedMessage], list[events.Event]]:
    """For the messages a batch stored, by send index: each sender's answer, and the events announcing
    them all, in order."""
    answers: dict[int, PostedMessage] = {}
    stored_events: list[events.Event] = []
    for index, message in stored:
        # No instances: a batch has no use for them, and building them cost a send a sixth of its time
        # on the server (docs/performance.md, "Sends on the event loop").
        stored_events.append(
            events.MessageStored(conversation=message.conversation, message=message, started=False)
        )
        answers[index] = PostedMessage(
            conversation_id=message.conversation.conversation_id, message=message, created=True
        )
    return answers, stored_events


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
    with events.together():
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
    return batches.batch_in_one_statement_sql(len(sends)), params, created_at


def _batch_from_rows(
    *, sends: list[tuple[int, VisitorSend]], rows: list[tuple[Any, ...]], created_at: datetime
) -> StoredBatch:
    """PostgreSQL: what the batch statement's rows say it stored (see StoredBatch)."""
    conversations: dict[uuid.UUID, BatchedConversation] = {}
    message_ids: dict[tuple[uuid.UUID, str], tuple[int, int]] = {}
    by_id: dict[Any, BatchedConversation] = {}  # keyed by the conversation's id as its rows carry it
    for row in rows:
        # One row per message (batches.BATCHED_CONVERSATION_COLUMNS, then the message's id, seq and
        # client_id); its conversation is read from the first of them.
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
                site_name=site_name,
                status=status,
                assignee_id=assignee_id,
                created_at=sql.from_db(Conversation, "created_at", created_at_value),
                visitor_id=visitor_id,
                visitor_name=visitor_name,
                visitor_email=visitor_email,
                visitor_page_url=visitor_page_url,
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
            id=message_id,
            seq=seq,
            client_id=send.client_id,
            body=send.body,
            created_at=created_at,
        )
        stored.append((index, message))
    return stored, one_by_one


@transaction.atomic
def _store_visitor_batch_in_one_transaction(*, sends: list[tuple[int, VisitorSend]]) -> StoredBatch:
    """SQLite: store a batch with three statements in one transaction (see StoredBatch)."""
    open_status = Conversation.Status.OPEN.value
    rows = sql.fetch_all(
        batches.lock_batch_sql(len(sends)), [*sql.rows_params(_sent_rows(sends)), open_status, open_status]
    )
    conversations: dict[uuid.UUID, Conversation] = {}
    for row in rows:
        conversation, (aside,) = statements.conversation_from_row(row)
        if not aside:
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
    inserted = sql.fetch_all(batches.insert_visitor_messages_sql(len(new_rows)), sql.rows_params(new_rows))
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
    sql.execute(batches.update_conversations_sql(len(updates)), sql.rows_params(updates))
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
