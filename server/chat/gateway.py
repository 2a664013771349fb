"""The event gateway: the only module that sends to channel-layer groups, always after commit."""

import asyncio
import json
import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction

logger = logging.getLogger(__name__)

# Layer message types (dotted; Channels dispatches `a.b` to the consumer method `a_b`).
CONVERSATION_MESSAGE = "conversation.message"
CONVERSATION_STARTED = "visitor.conversation_started"
INBOX_UPDATE = "inbox.update"
AGENT_NOTIFICATION = "agent.notification"

# The server's event loop (set by the first socket), so database threads can hand sends to it.
_server_loop: asyncio.AbstractEventLoop | None = None


def bind_event_loop(loop: asyncio.AbstractEventLoop) -> None:
    """Remember the event loop the sockets of this process run on."""
    global _server_loop
    _server_loop = loop


def encode_frame(frame: dict[str, Any]) -> str:
    """Encode a wire frame once, so every socket in a group sends the same text."""
    return json.dumps(frame, separators=(",", ":"), ensure_ascii=False)


# An event: the group it goes to and the layer message the group's sockets get.
Event = tuple[str, dict[str, Any]]


def event(*, group: str, event_type: str, frame: dict[str, Any], **extra: Any) -> Event:
    """The event that sends `frame` to every socket in `group`."""
    return group, {"type": event_type, "text": encode_frame(frame), **extra}


def publish(*, group: str, event_type: str, frame: dict[str, Any], **extra: Any) -> None:
    """Send `frame` to every socket in `group` once the current transaction commits."""
    publish_event(event(group=group, event_type=event_type, frame=frame, **extra))


def publish_event(event: Event) -> None:
    """Send an event once the current transaction commits."""
    # Persist first, then broadcast: a rolled-back write is never announced.
    transaction.on_commit(lambda: _send_or_hold(*event))


async def send_committed(events: list[Event]) -> None:
    """On the event loop, send events whose data is already committed, at once and in order.

    For actions that write on the event loop itself (loop_db.py), where no Django transaction runs.
    """
    await _send_logged(events)


class _Outbox(threading.local):
    """Per thread: the events held by sending_together, or None outside it."""

    held: list[Event] | None = None


_outbox = _Outbox()


@contextmanager
def sending_together() -> Iterator[None]:
    """Hold the events committed inside the block, then hand them to the layer at once, in order.

    On Redis pub/sub that is one round trip for them all, not one each (layers.group_send_many); an
    action storing several messages, or a message with two events, wraps its work in it. Nested blocks
    send with the outermost.
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
            _send(held)


def _send_or_hold(group: str, message: dict[str, Any]) -> None:
    if _outbox.held is not None:
        _outbox.held.append((group, message))
    else:
        _send([(group, message)])


def _send(messages: list[Event]) -> None:
    loop = _server_loop
    if loop is not None and loop.is_running() and threading.current_thread() is not threading.main_thread():
        # In a server process: don't hold the database thread while the layer sends. Sends are
        # scheduled in commit order, and each group's messages leave in that order.
        asyncio.run_coroutine_threadsafe(_send_logged(messages), loop)
        return
    # Management commands, the shell, tests without a server loop: send before returning.
    async_to_sync(_send_logged)(messages)


async def _send_logged(messages: list[Event]) -> None:
    # The data is already stored: what fan-out misses, clients catch up on by resuming from their seq.
    layer = get_channel_layer()
    send_many = getattr(layer, "group_send_many", None)
    if send_many is not None:
        try:
            await send_many(messages)
        except Exception as error:
            _log_failure(messages[0][0], messages[0][1], error, count=len(messages))
        return
    for group, message in messages:
        try:
            await layer.group_send(group, message)
        except Exception as error:
            _log_failure(group, message, error, count=1)


def _log_failure(group: str, message: dict[str, Any], error: Exception, *, count: int) -> None:
    logger.warning(
        "group_send of %d events failed (first to %s, type %s): %r", count, group, message.get("type"), error
    )
