"""Reads of history: the messages after a seq, and what a visitor's hello needs."""

import uuid
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings

from server.conversations.models import Conversation, Message, Visitor
from server.conversations.records import HistoryMessage, MessagePage
from server.conversations.store import sql, statements
from server.errors import ParleyError

# What one message adds to a frame besides its body (ids, names, times), for the page-size budget.
MESSAGE_FRAME_OVERHEAD_BYTES = 300


def messages_after(*, conversation_id: uuid.UUID, after_seq: int) -> MessagePage:
    """Messages with seq > after_seq, oldest first, and whether more follow.

    A page holds at most PARLEY_HISTORY_LIMIT messages and about PARLEY_HISTORY_MAX_BYTES, so every
    frame stays well under the server's frame limit; clients ask for the rest with `sync`.
    """
    limit = settings.PARLEY_HISTORY_LIMIT
    # Per handshake with missed messages, per `sync` and per opened conversation: hand-written (store/).
    rows = sql.fetch_all(
        statements.MESSAGES_AFTER_SQL,
        [sql.db_param(Message, "conversation", conversation_id), after_seq, limit + 1],
    )
    page: list[HistoryMessage] = []
    size = 0
    for message_id, seq, author, agent_id, body, client_id, created_at, event, first_name, username in rows[
        :limit
    ]:
        size += len(body.encode()) + MESSAGE_FRAME_OVERHEAD_BYTES
        if page and size > settings.PARLEY_HISTORY_MAX_BYTES:
            return MessagePage(page, True)
        page.append(
            HistoryMessage(
                id=message_id,
                conversation_id=conversation_id,
                seq=seq,
                author=author,
                agent_id=agent_id,
                agent_first_name=first_name,
                agent_username=username,
                body=body,
                client_id=client_id,
                created_at=sql.from_db(Message, "created_at", created_at),
                event=event,
            )
        )
    return MessagePage(page, len(rows) > limit)


@dataclass(frozen=True)
class VisitorVisit:
    """What a visitor's hello needs to know, read in one statement."""

    last_seen_at: datetime
    last_page_url: str
    conversation_id: uuid.UUID | None
    conversation_last_seq: int
    conversation_status: str
    previous_id: uuid.UUID | None


def visitor_visit(*, site_id: int, visitor_id: uuid.UUID) -> VisitorVisit | None:
    """The visitor (if it exists on this site) with its latest conversation (open or resolved): its id,
    last seq and status, and the visitor's conversation before it."""
    # Per visitor handshake: hand-written (store/).
    row = sql.fetch_one(statements.VISITOR_VISIT_SQL, [sql.db_param(Visitor, "id", visitor_id), site_id])
    if row is None:
        return None
    last_seen_at, last_page_url, conversation_id, conversation_last_seq, status, previous_id = row
    return VisitorVisit(
        last_seen_at=sql.from_db(Visitor, "last_seen_at", last_seen_at),
        last_page_url=last_page_url,
        conversation_id=sql.from_db(Conversation, "id", conversation_id),
        conversation_last_seq=conversation_last_seq or 0,
        conversation_status=status or Conversation.Status.OPEN.value,
        previous_id=sql.from_db(Conversation, "id", previous_id),
    )


@dataclass(frozen=True)
class VisitorReady:
    """What a visitor's socket is told once its hello is accepted: its latest conversation (None without
    one) with its status, last seq and the conversation before it, and the messages the visitor has not
    seen of it."""

    visitor_id: uuid.UUID
    conversation_id: uuid.UUID | None
    status: str
    previous_id: uuid.UUID | None
    last_seq: int
    page: MessagePage


def visitor_ready(
    *, visitor_id: uuid.UUID, visit: VisitorVisit, last_seq: int, conversation_id: uuid.UUID | None = None
) -> VisitorReady:
    """A visitor's latest conversation and what it has not seen of it.

    `last_seq` belongs to `conversation_id` when the client names one: a seq of an older conversation
    says nothing of the latest, which is then sent from its first message.
    """
    if conversation_id is not None and conversation_id != visit.conversation_id:
        last_seq = 0
    page = MessagePage([], False)
    if visit.conversation_id is not None and visit.conversation_last_seq > last_seq:
        # A reconnect that missed nothing reads no messages.
        page = messages_after(conversation_id=visit.conversation_id, after_seq=last_seq)
    # Messages stored after the conversation row was read are in the page: the larger seq wins.
    newest = page.messages[-1].seq if page.messages else 0
    return VisitorReady(
        visitor_id=visitor_id,
        conversation_id=visit.conversation_id,
        status=visit.conversation_status,
        previous_id=visit.previous_id,
        last_seq=max(visit.conversation_last_seq, newest),
        page=page,
    )


def visitor_history(*, visitor_id: uuid.UUID, conversation_id: uuid.UUID, after_seq: int) -> MessagePage:
    """The messages after a seq in one of the visitor's own conversations, else `not_found`."""
    if not Conversation.objects.filter(pk=conversation_id, visitor_id=visitor_id).exists():
        raise ParleyError("not_found", "No such conversation.")
    return messages_after(conversation_id=conversation_id, after_seq=after_seq)
