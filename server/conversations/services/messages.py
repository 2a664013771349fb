"""Posting messages: visitors' sends, always as a batch (one message is a batch of one), an agent's reply.

`store_visitor_messages` is where a process stores its visitors' sends: it is the one place that chooses
between the batch's statement awaited on the event loop (PostgreSQL, PARLEY_SEND_ON_EVENT_LOOP) and the
whole batch on the database thread (`do_post_visitor_messages`). Either way the usual sends are stored
together (services/message_batches.py) and the others go one by one through the same per-send code
(services/message_rows.py), as do all of them when the batch fails.
"""

import logging
import uuid
from collections.abc import Sequence
from dataclasses import replace

import psycopg
from channels.db import database_sync_to_async
from django.conf import settings
from django.contrib.auth.models import User
from django.db import DatabaseError

from server.conversations import events
from server.conversations.records import BatchedMessage
from server.conversations.services import message_batches
from server.conversations.services.message_rows import (
    PostedMessage,
    VisitorSend,
    post_agent_message,
    post_visitor_send,
)
from server.conversations.store import loop_db
from server.conversations.text import STORABLE_EXPECTATION, is_storable_text
from server.errors import ParleyError, internal_error

__all__ = [
    "PostedMessage",
    "VisitorSend",
    "check_message_body",
    "do_post_agent_message",
    "do_post_visitor_message",
    "do_post_visitor_messages",
    "store_visitor_messages",
]

logger = logging.getLogger(__name__)

# What a send got, by its index in the batch.
Answers = dict[int, PostedMessage | ParleyError]


def check_message_body(*, body: str) -> str:
    """A message body trimmed and within PARLEY_MESSAGE_MAX_LENGTH."""
    trimmed = body.strip()
    if not trimmed:
        raise ParleyError("empty_body", "The message is empty.")
    if not is_storable_text(trimmed):
        # As the protocol refuses it for sockets (protocol/fields.py), for callers that are not sockets.
        raise ParleyError("invalid_field", f"Field 'body' {STORABLE_EXPECTATION}.")
    if len(trimmed) > settings.PARLEY_MESSAGE_MAX_LENGTH:
        raise ParleyError(
            "body_too_long", f"Messages are limited to {settings.PARLEY_MESSAGE_MAX_LENGTH} characters."
        )
    return trimmed


async def store_visitor_messages(*, sends: Sequence[VisitorSend]) -> list[PostedMessage | ParleyError]:
    """do_post_visitor_messages, awaited from the event loop: the batch's statement on the loop itself when
    store/loop_db.py is enabled, else the whole batch on the database thread."""
    if loop_db.enabled():
        return await _post_visitor_messages_on_loop(sends=sends)
    answers: list[PostedMessage | ParleyError] = await database_sync_to_async(do_post_visitor_messages)(
        sends=sends
    )
    return answers


def do_post_visitor_messages(*, sends: Sequence[VisitorSend]) -> list[PostedMessage | ParleyError]:
    """Store visitors' messages, each in its sender's open conversation (starting one if needed); for each
    send, its stored message (a retried client_id is answered, not stored again) or the ParleyError it got.

    The usual sends (into an open conversation, not a retry) are stored together, whatever their number:
    one statement on PostgreSQL, one transaction of three on SQLite. The others, and all of them if that
    fails, then go one by one. Each visitor's sends are stored, and announced, in the order given; the
    batch's events leave together.
    """
    with events.together():
        answers, checked = _checked_sends(sends=sends)
        aside: list[tuple[int, VisitorSend]] = []
        if checked:
            try:
                stored, aside = message_batches.store_batch(sends=checked)
            except DatabaseError as error:
                # Nothing of the batch was stored (it rolled back): each send goes on its own.
                stored, aside = _failed_batch(sends=checked, error=error)
            stored_events = _answer_stored(answers=answers, stored=stored)
            if stored_events:
                # Announced once the batch is committed (persist first, then broadcast).
                events.publish(stored_events)
        answers.update(_post_one_by_one(sends=aside))
    return [answers[index] for index in range(len(sends))]


def do_post_visitor_message(*, visitor_id: uuid.UUID, client_id: str, body: str) -> PostedMessage:
    """do_post_visitor_messages for a batch of one send; raise the ParleyError it got."""
    (answer,) = do_post_visitor_messages(
        sends=[VisitorSend(visitor_id=visitor_id, client_id=client_id, body=body)]
    )
    if isinstance(answer, ParleyError):
        raise answer
    return answer


def do_post_agent_message(
    *, agent: User, conversation_id: uuid.UUID, body: str, client_id: str | None = None
) -> PostedMessage:
    """Store an agent's reply in a conversation of one of the agent's sites; a retry is a no-op.

    Callable from any synchronous code (console socket, views, management commands, the shell).
    """
    clean_body = check_message_body(body=body)
    return post_agent_message(
        agent=agent, conversation_id=conversation_id, body=clean_body, client_id=client_id
    )


async def _post_visitor_messages_on_loop(
    *, sends: Sequence[VisitorSend]
) -> list[PostedMessage | ParleyError]:
    """do_post_visitor_messages with the batch's one statement on the loop's own connection (autocommit):
    its events leave as soon as it returns, committed; the sends it leaves go one by one on the database
    thread."""
    answers, checked = _checked_sends(sends=sends)
    aside: list[tuple[int, VisitorSend]] = []
    if checked:
        statement, params, created_at = message_batches.batch_statement(sends=checked)
        try:
            rows = await loop_db.fetch_all(statement, params)
        except psycopg.Error as error:
            # The statement is its own transaction: nothing of it was stored.
            stored, aside = _failed_batch(sends=checked, error=error)
        else:
            stored, aside = message_batches.batch_from_rows(sends=checked, rows=rows, created_at=created_at)
        stored_events = _answer_stored(answers=answers, stored=stored)
        if stored_events:
            await events.publish_committed(stored_events)
    if aside:
        answers.update(await database_sync_to_async(_post_one_by_one_together)(sends=aside))
    return [answers[index] for index in range(len(sends))]


def _checked_sends(*, sends: Sequence[VisitorSend]) -> tuple[Answers, list[tuple[int, VisitorSend]]]:
    """The error of each send whose body is refused, by index, and the other sends with their bodies
    cleaned, as (index, send) pairs."""
    refused: Answers = {}
    checked: list[tuple[int, VisitorSend]] = []
    for index, send in enumerate(sends):
        try:
            checked.append((index, replace(send, body=check_message_body(body=send.body))))
        except ParleyError as error:
            refused[index] = error
    return refused, checked


def _failed_batch(*, sends: list[tuple[int, VisitorSend]], error: Exception) -> message_batches.StoredBatch:
    """A batch that stored nothing: every send goes one by one."""
    logger.warning("a batch of %d visitor messages failed, posting one by one: %r", len(sends), error)
    return [], sends


def _answer_stored(*, answers: Answers, stored: list[tuple[int, BatchedMessage]]) -> list[events.Event]:
    """Answer each sender whose message the batch stored; the events announcing them all, in order."""
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
    return stored_events


def _post_one_by_one(*, sends: list[tuple[int, VisitorSend]]) -> Answers:
    """Post (index, send) pairs, bodies checked, each on its own; what each got, by index."""
    answers: Answers = {}
    for index, send in sends:
        try:
            answers[index] = post_visitor_send(send=send)
        except ParleyError as error:
            answers[index] = error
        except Exception:
            # One send's failure is its own: the others of the batch still get their answers.
            logger.exception("posting a visitor message failed")
            answers[index] = internal_error()
    return answers


def _post_one_by_one_together(*, sends: list[tuple[int, VisitorSend]]) -> Answers:
    """_post_one_by_one, its events leaving together."""
    with events.together():
        return _post_one_by_one(sends=sends)
