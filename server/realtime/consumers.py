"""WebSocket consumers: decode a frame, call a service or selector off the event loop, reply."""

import asyncio
import logging
import uuid
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from channels.consumer import get_handler_name
from channels.db import database_sync_to_async
from channels.exceptions import StopConsumer
from channels.generic.websocket import AsyncWebsocketConsumer
from django.conf import settings

from server.conversations.selectors.history import visitor_history
from server.conversations.selectors.inbox import agent_conversation, agent_history, agent_inbox
from server.conversations.services.conversations import do_open_conversation
from server.conversations.services.messages import do_post_agent_message
from server.conversations.services.read_marks import do_mark_read
from server.conversations.services.visitors import check_visitor_token, do_accept_visitor_hello
from server.errors import ParleyError
from server.realtime import batching, gateway, replies, sockets
from server.realtime.frames import AGENT_FRAMES, VISITOR_FRAMES, Frame, FrameSpec, frame_ref, parse_frame
from server.realtime.gateway import encode_frame
from server.realtime.groups import agent_group, site_agents_group, visitor_group
from server.realtime.limits import TokenBucket
from server.sites.selectors import agent_site_ids, is_site_cached
from server.sites.services import check_site_origin

logger = logging.getLogger(__name__)

SUBPROTOCOL = "parley.v1"


class ParleyConsumer(AsyncWebsocketConsumer):  # type: ignore[misc]
    """What both sockets share: frame validation, rate limiting, error frames and group bookkeeping."""

    frame_specs: Mapping[str, FrameSpec] = {}

    async def websocket_connect(self, message: dict[str, Any]) -> None:
        """Set up per-socket state before `connect` runs."""
        gateway.bind_event_loop(asyncio.get_running_loop())
        self.joined_groups: set[str] = set()
        self.rate_limit = TokenBucket(rate=settings.PARLEY_FRAME_RATE, burst=settings.PARLEY_FRAME_BURST)
        await super().websocket_connect(message)

    async def dispatch(self, message: dict[str, Any]) -> None:
        """Run the handler for an ASGI or layer event.

        Channels first sends a database-connection cleanup to the database thread before *every* event
        (a thread hop per frame and per group message); Parley's database calls already clean up around
        themselves with database_sync_to_async, so that hop is skipped.
        """
        handler = getattr(self, get_handler_name(message), None)
        if handler is None:
            raise ValueError(f"No handler for message type {message['type']}")
        await handler(message)

    async def accept_parley(self) -> None:
        """Accept the handshake, echoing our subprotocol when the client offered it."""
        offered = self.scope.get("subprotocols") or []
        await self.accept(subprotocol=SUBPROTOCOL if SUBPROTOCOL in offered else None)
        sockets.register(self)

    async def join(self, group: str) -> None:
        """Join a group once; it is left on disconnect."""
        if group not in self.joined_groups:
            await self.channel_layer.group_add(group, self.channel_name)
            self.joined_groups.add(group)

    async def leave(self, group: str) -> None:
        """Leave a group this socket joined."""
        if group in self.joined_groups:
            self.joined_groups.discard(group)
            await self.channel_layer.group_discard(group, self.channel_name)

    async def websocket_disconnect(self, message: dict[str, Any]) -> None:
        """Leave every group and stop, without Channels' database cleanup on the way out.

        Channels ends with a connection cleanup on the database thread: a thread hop per closed socket,
        queued behind everyone's database work (see dispatch for why Parley needs none).
        """
        await self.disconnect(message.get("code", 1000))
        raise StopConsumer

    async def disconnect(self, code: int) -> None:
        """Leave every group this socket joined."""
        sockets.unregister(self)
        for group in list(getattr(self, "joined_groups", ())):
            try:
                await self.leave(group)
            except Exception:
                logger.exception("group_discard %s failed", group)

    async def send_frame(self, frame: dict[str, Any]) -> None:
        """Send one frame."""
        await self.send(text_data=encode_frame(frame))

    async def fail(self, error: ParleyError, *, ref: str | None) -> None:
        """Report an error frame, then close when the error calls for it."""
        await self.send(text_data=error.as_frame(ref=ref))
        if error.close_code is not None:
            await self.close(code=error.close_code)

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        """Validate a frame and dispatch it to `on_<type>`."""
        frame: Frame | None = None
        allowed = self.rate_limit.allow()  # every frame counts, valid or not
        try:
            try:
                frame = parse_frame(
                    text_data=text_data,
                    bytes_data=bytes_data,
                    specs=self.frame_specs,
                    max_bytes=settings.PARLEY_FRAME_MAX_BYTES,
                )
            except ParleyError:
                if allowed:
                    raise
            if not allowed:
                # Parsed first only so the error can name the dropped frame (its client_id or type).
                raise ParleyError("rate_limited", "Too many frames; this one was dropped. Slow down.")
            assert frame is not None
            await self.handler_for(frame.type)(frame)
        except ParleyError as error:
            logger.info("%s refused a frame: %s", type(self).__name__, error.code)
            await self.fail(error, ref=error.ref if error.ref is not None else _error_ref(frame))
        except Exception:
            logger.exception("%s failed on a %s frame", type(self).__name__, frame.type if frame else "bad")
            await self.fail(
                ParleyError("internal_error", "The server failed; retry later."), ref=_error_ref(frame)
            )

    def handler_for(self, frame_type: str) -> Callable[[Frame], Awaitable[None]]:
        """The method handling a frame type (`message.send` → `on_message_send`)."""
        handler: Callable[[Frame], Awaitable[None]] = getattr(self, "on_" + frame_type.replace(".", "_"))
        return handler

    async def on_ping(self, frame: Frame) -> None:
        """Answer a keepalive."""
        await self.send_frame({"type": "pong"})

    async def forward(self, event: dict[str, Any]) -> None:
        """Relay a frame the gateway encoded to this socket."""
        await self.send(text_data=event["text"])

    conversation_message = forward


def _error_ref(frame: Frame | None) -> str | None:
    if frame is None:
        return None
    return frame_ref(frame_type=frame.type, client_id=frame.data.get("client_id"))


class VisitorConsumer(ParleyConsumer):
    """A visitor's socket: site from the URL, Origin checked at the handshake, token in the first frame."""

    frame_specs = VISITOR_FRAMES

    async def connect(self) -> None:
        """Refuse a foreign Origin or unknown site before accepting; then wait for `hello`."""
        self.site_id: int | None = None
        self.visitor_id: uuid.UUID | None = None
        site_key = str(self.scope["url_route"]["kwargs"]["site_key"])
        origin = _header(self.scope, b"origin")
        try:
            if is_site_cached(site_key=site_key):
                # Answered from this process's cache: no trip to the database thread.
                site = check_site_origin(site_key=site_key, origin=origin)
            else:
                site = await database_sync_to_async(check_site_origin)(site_key=site_key, origin=origin)
        except ParleyError as error:
            logger.info("visitor handshake refused: %s (origin %r)", error.code, (origin or "")[:100])
            await self.close()
            return
        self.site_id = site.pk
        await self.accept_parley()
        self.hello_deadline = asyncio.get_running_loop().call_later(
            settings.PARLEY_HELLO_TIMEOUT, lambda: asyncio.ensure_future(self.close(code=4408))
        )

    async def disconnect(self, code: int) -> None:
        """Cancel the hello deadline and leave every group."""
        deadline = getattr(self, "hello_deadline", None)
        if deadline is not None:
            deadline.cancel()
        await super().disconnect(code)

    def handler_for(self, frame_type: str) -> Callable[[Frame], Awaitable[None]]:
        """Until `hello` is accepted, no other frame is."""
        if self.visitor_id is None and frame_type != "hello":
            raise ParleyError("hello_required", "Send 'hello' with your token first.")
        return super().handler_for(frame_type)

    async def on_hello(self, frame: Frame) -> None:
        """Verify the token, join the visitor's groups, and send what it has not seen."""
        if self.visitor_id is not None:
            raise ParleyError("invalid_field", "Field 'type' hello was already accepted.")
        assert self.site_id is not None
        visitor_id = check_visitor_token(site_id=self.site_id, token=frame.data["token"])
        # Join before reading history, so nothing stored in between is missed.
        await self.join(visitor_group(visitor_id))
        ready = await database_sync_to_async(do_accept_visitor_hello)(
            site_id=self.site_id,
            visitor_id=visitor_id,
            page_url=frame.data["page_url"],
            last_seq=frame.data["last_seq"],
        )
        self.hello_deadline.cancel()
        self.visitor_id = visitor_id
        await self.send_frame(replies.visitor_ready_frame(ready))

    async def on_message_send(self, frame: Frame) -> None:
        """Store the message (with the process's other sends waiting, batching.py) and acknowledge it."""
        assert self.visitor_id is not None
        posted = await batching.post_visitor_message(
            visitor_id=self.visitor_id, client_id=frame.data["client_id"], body=frame.data["body"]
        )
        await self.send_frame(replies.message_ack_frame(client_id=frame.data["client_id"], posted=posted))

    async def on_sync(self, frame: Frame) -> None:
        """Send the messages after a seq in one of the visitor's conversations."""
        assert self.visitor_id is not None
        page = await database_sync_to_async(visitor_history)(
            visitor_id=self.visitor_id,
            conversation_id=frame.data["conversation_id"],
            after_seq=frame.data["after_seq"],
        )
        await self.send_frame(replies.history_frame(conversation_id=frame.data["conversation_id"], page=page))

    visitor_conversation_started = ParleyConsumer.forward


class AgentConsumer(ParleyConsumer):
    """An agent's console socket, authenticated by the Django session cookie."""

    frame_specs = AGENT_FRAMES

    async def connect(self) -> None:
        """Join the agent's site and personal groups, then send the inbox."""
        user = self.scope.get("user")
        await self.accept_parley()
        if user is None or not user.is_authenticated:
            await self.fail(ParleyError("not_authenticated", "Log in to the console first."), ref=None)
            return
        self.user = user
        self.user_id = int(user.pk)
        self.open_conversations: set[uuid.UUID] = set()
        site_ids = await database_sync_to_async(agent_site_ids)(user_id=self.user_id)
        for site_id in site_ids:
            await self.join(site_agents_group(site_id))
        await self.join(agent_group(self.user_id))
        inbox = await database_sync_to_async(agent_inbox)(user=user)
        await self.send_frame(replies.agent_ready_frame(inbox))

    def handler_for(self, frame_type: str) -> Callable[[Frame], Awaitable[None]]:
        """An anonymous socket is closed before any frame reaches a handler."""
        if not hasattr(self, "user_id"):
            raise ParleyError("not_authenticated", "Log in to the console first.")
        return super().handler_for(frame_type)

    async def on_conversation_open(self, frame: Frame) -> None:
        """Follow a conversation of the agent's sites and send its history."""
        conversation_id: uuid.UUID = frame.data["conversation_id"]
        await database_sync_to_async(agent_conversation)(
            user_id=self.user_id, conversation_id=conversation_id
        )
        if (
            conversation_id not in self.open_conversations
            and len(self.open_conversations) >= settings.PARLEY_AGENT_OPEN_CONVERSATIONS_MAX
        ):
            raise ParleyError("limit_reached", "Too many open conversations on this socket; leave one first.")
        # Followed before the history is read: inbox events for it (already queued behind this handler)
        # then carry every message stored after the read.
        self.open_conversations.add(conversation_id)
        opened = await database_sync_to_async(do_open_conversation)(
            user_id=self.user_id, conversation_id=conversation_id, after_seq=frame.data["after_seq"]
        )
        await self.send_frame(replies.conversation_opened_frame(opened))

    async def on_conversation_leave(self, frame: Frame) -> None:
        """Stop following a conversation."""
        conversation_id: uuid.UUID = frame.data["conversation_id"]
        self.open_conversations.discard(conversation_id)

    async def on_conversation_read(self, frame: Frame) -> None:
        """Store the agent's read mark."""
        await database_sync_to_async(do_mark_read)(
            user_id=self.user_id, conversation_id=frame.data["conversation_id"], seq=frame.data["seq"]
        )

    async def on_message_send(self, frame: Frame) -> None:
        """Store the agent's reply and acknowledge it."""
        posted = await database_sync_to_async(do_post_agent_message)(
            agent=self.user,
            conversation_id=frame.data["conversation_id"],
            client_id=frame.data["client_id"],
            body=frame.data["body"],
        )
        await self.send_frame(replies.message_ack_frame(client_id=frame.data["client_id"], posted=posted))

    async def on_sync(self, frame: Frame) -> None:
        """Send the messages after a seq in a conversation of the agent's sites."""
        page = await database_sync_to_async(agent_history)(
            user_id=self.user_id,
            conversation_id=frame.data["conversation_id"],
            after_seq=frame.data["after_seq"],
        )
        await self.send_frame(replies.history_frame(conversation_id=frame.data["conversation_id"], page=page))

    async def inbox_update(self, event: dict[str, Any]) -> None:
        """Relay the message an inbox row carries when this socket follows that conversation, then the row."""
        # The open thread is what the agent looks at, and the console takes message.new first.
        if uuid.UUID(event["conversation_id"]) in self.open_conversations:
            await self.send(text_data=event["message_text"])
        await self.send(text_data=event["text"])

    agent_notification = ParleyConsumer.forward


def _header(scope: Mapping[str, Any], name: bytes) -> str | None:
    for key, value in scope.get("headers", []):
        if key == name:
            return bytes(value).decode("latin-1")
    return None
