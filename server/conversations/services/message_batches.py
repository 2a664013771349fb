"""Storing a batch of visitor sends together: one statement on PostgreSQL, one transaction on SQLite.

services/messages.py runs it (on the database thread, or the statement on the event loop) and posts the
sends it leaves aside one by one."""

import uuid
from datetime import datetime
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from server.conversations.models import Conversation, Message, Visitor
from server.conversations.records import BatchedConversation, BatchedMessage
from server.conversations.services.message_rows import INBOX_ORDER_RESOLUTION, VisitorSend
from server.conversations.services.visitors import LAST_SEEN_RESOLUTION
from server.conversations.store import batches, sql, statements

# What a batch stores, and what it leaves for the one-by-one path: (index, stored message) pairs in the
# order given, and the (index, send) pairs of visitors with no open conversation yet (one is started
# there), a client_id already stored or twice in the batch (a retry), or, never expected, two open
# conversations.
StoredBatch = tuple[list[tuple[int, BatchedMessage]], list[tuple[int, VisitorSend]]]


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
        assignee_first_name=conversation.assignee.first_name if conversation.assignee else None,
        assignee_username=conversation.assignee.username if conversation.assignee else None,
    )


def store_batch(*, sends: list[tuple[int, VisitorSend]]) -> StoredBatch:
    """Store the batchable sends of (index, send) pairs (bodies checked), in one statement or one
    transaction, on the database thread."""
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
    statement, params, created_at = batch_statement(sends=sends)
    return batch_from_rows(sends=sends, rows=sql.fetch_all(statement, params), created_at=created_at)


def batch_statement(*, sends: list[tuple[int, VisitorSend]]) -> tuple[str, list[Any], datetime]:
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


def batch_from_rows(
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
            assignee_first_name,
            assignee_username,
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
                assignee_first_name=assignee_first_name,
                assignee_username=assignee_username,
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
    aside: list[tuple[int, VisitorSend]] = []
    for index, send in sends:
        stored_as = message_ids.get((send.visitor_id, send.client_id))
        if stored_as is None:
            aside.append((index, send))
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
    return stored, aside


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
        return [], sends
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
