"""The event gateway: the only module that sends to channel-layer groups, always after commit."""

import asyncio
import json
import logging
import threading
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


def publish(*, group: str, event_type: str, frame: dict[str, Any], **extra: Any) -> None:
    """Send `frame` to every socket in `group` once the current transaction commits."""
    message = {"type": event_type, "text": encode_frame(frame), **extra}
    # Persist first, then broadcast: a rolled-back write is never announced.
    transaction.on_commit(lambda: _group_send(group, message))


def _group_send(group: str, message: dict[str, Any]) -> None:
    loop = _server_loop
    if loop is not None and loop.is_running() and threading.current_thread() is not threading.main_thread():
        # In a server process: don't hold the database thread while the layer sends. Sends are
        # scheduled in commit order, and each group's messages leave in that order.
        asyncio.run_coroutine_threadsafe(_send_logged(group, message), loop)
        return
    # Management commands, the shell, tests without a server loop: send before returning.
    try:
        async_to_sync(get_channel_layer().group_send)(group, message)
    except Exception as error:
        _log_failure(group, message, error)


async def _send_logged(group: str, message: dict[str, Any]) -> None:
    try:
        await get_channel_layer().group_send(group, message)
    except Exception as error:
        _log_failure(group, message, error)


def _log_failure(group: str, message: dict[str, Any], error: Exception) -> None:
    # The data is already stored; clients catch up by resuming from their last seq.
    logger.warning("group_send to %s failed (type %s): %r", group, message.get("type"), error)
