"""What both sockets share: frame validation, rate limiting, error frames and group bookkeeping."""

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from channels.consumer import get_handler_name
from channels.exceptions import StopConsumer
from channels.generic.websocket import AsyncWebsocketConsumer
from django.conf import settings
from pydantic import BaseModel

from server.errors import ParleyError, internal_error
from server.protocol import frames
from server.protocol.bases import ClientFrame
from server.protocol.errors import error_frame
from server.protocol.objects import construct
from server.protocol.validation import ClientFrames, frame_ref, parse
from server.realtime import gateway, sockets
from server.realtime.gateway import encode_frame
from server.realtime.limits import TokenBucket

logger = logging.getLogger(__name__)

SUBPROTOCOL = "parley.v1"


class ParleyConsumer(AsyncWebsocketConsumer):  # type: ignore[misc]
    """What both sockets share: frame validation, rate limiting, error frames and group bookkeeping."""

    client_frames: ClientFrames[Any]

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
        await self.leave_all()

    async def leave_all(self) -> None:
        """Leave every group this socket joined, whatever the layer answers."""
        for group in list(getattr(self, "joined_groups", ())):
            try:
                await self.leave(group)
            except Exception:
                logger.exception("group_discard %s failed", group)

    async def send_frame(self, frame: BaseModel) -> None:
        """Send one frame."""
        await self.send(text_data=encode_frame(frame))

    async def fail(self, error: ParleyError, *, ref: str | None) -> None:
        """Report an error frame, then close when the error calls for it."""
        await self.send(text_data=error_frame(error, ref=ref))
        if error.close_code is not None:
            await self.close(code=error.close_code)

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        """Validate a frame and dispatch it to `on_<type>`."""
        frame: ClientFrame | None = None
        allowed = self.rate_limit.allow()  # every frame counts, valid or not
        try:
            try:
                frame = parse(
                    text_data=text_data,
                    bytes_data=bytes_data,
                    frames=self.client_frames,
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
            await self.fail(internal_error(), ref=_error_ref(frame))

    def handler_for(self, frame_type: str) -> Callable[[Any], Awaitable[None]]:
        """The method handling a frame type (`message.send` → `on_message_send`), which takes its model."""
        handler: Callable[[Any], Awaitable[None]] = getattr(self, "on_" + frame_type.replace(".", "_"))
        return handler

    async def on_ping(self, frame: frames.Ping) -> None:
        """Answer a keepalive."""
        await self.send_frame(construct(frames.Pong, type="pong"))

    async def forward(self, event: dict[str, Any]) -> None:
        """Relay a frame the gateway encoded to this socket."""
        await self.send(text_data=event["text"])

    conversation_message = forward


def _error_ref(frame: ClientFrame | None) -> str | None:
    if frame is None:
        return None
    return frame_ref(frame_type=frame.type, client_id=getattr(frame, "client_id", None))
