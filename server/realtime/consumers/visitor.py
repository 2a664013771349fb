"""The visitor's socket: the widget's one connection to the server."""

import asyncio
import logging
import time
import uuid
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from channels.db import database_sync_to_async
from django.conf import settings

from server.conversations.selectors.history import visitor_history
from server.conversations.services.visitors import check_visitor_token, do_accept_visitor_hello
from server.errors import CLOSE_HELLO_TIMEOUT, ParleyError
from server.limits import checks as limits
from server.limits.client_ip import scope_client_ip
from server.protocol import frames, validation
from server.realtime import batching, replies
from server.realtime.consumers.base import ParleyConsumer
from server.realtime.groups import visitor_group
from server.sites.selectors import is_site_cached
from server.sites.services import check_site_origin

logger = logging.getLogger(__name__)


class VisitorConsumer(ParleyConsumer):
    """A visitor's socket: site from the URL, Origin checked at the handshake, token in the first frame."""

    client_frames = validation.VISITOR

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
        self.client_ip = scope_client_ip(self.scope)
        self.messages_refused_until = 0.0
        # Whether the visitor has an open conversation: a message without one starts one (limited apart).
        self.conversation_open = False
        try:
            await limits.check_handshake(ip=self.client_ip)
        except ParleyError as error:
            # Accepted only to say why: a refused handshake reaches the browser as 1006, with no code.
            logger.info("visitor handshake refused: %s", error.code)
            await self.accept_parley()
            await self.fail(error, ref=None)
            return
        await self.accept_parley()
        self.hello_deadline = asyncio.get_running_loop().call_later(
            settings.PARLEY_HELLO_TIMEOUT, lambda: asyncio.ensure_future(self.close(code=CLOSE_HELLO_TIMEOUT))
        )

    async def disconnect(self, code: int) -> None:
        """Cancel the hello deadline and leave every group."""
        deadline = getattr(self, "hello_deadline", None)
        if deadline is not None:
            deadline.cancel()
        await super().disconnect(code)

    def handler_for(self, frame_type: str) -> Callable[[Any], Awaitable[None]]:
        """Until `hello` is accepted, no other frame is."""
        if self.visitor_id is None and frame_type != "hello":
            raise ParleyError("hello_required", "Send 'hello' with your token first.")
        return super().handler_for(frame_type)

    async def on_hello(self, frame: frames.Hello) -> None:
        """Verify the token, join the visitor's groups, and send what it has not seen."""
        if self.visitor_id is not None:
            raise ParleyError("invalid_field", "Field 'type' hello was already accepted.")
        assert self.site_id is not None
        visitor_id = check_visitor_token(site_id=self.site_id, token=frame.token)
        await limits.check_hello(visitor_id=visitor_id)
        # Join before reading history, so nothing stored in between is missed.
        await self.join(visitor_group(visitor_id))
        ready = await database_sync_to_async(do_accept_visitor_hello)(
            site_id=self.site_id,
            visitor_id=visitor_id,
            page_url=frame.page_url,
            last_seq=frame.last_seq,
            conversation_id=frame.conversation_id,
        )
        self.hello_deadline.cancel()
        self.visitor_id = visitor_id
        self.conversation_open = ready.conversation_id is not None and ready.status == "open"
        await self.send_frame(replies.visitor_ready_frame(ready))

    async def on_message_send(self, frame: frames.VisitorMessageSend) -> None:
        """Store the message (with the process's other sends waiting, batching.py) and acknowledge it."""
        assert self.visitor_id is not None
        assert self.site_id is not None
        # Counted before storing: a refused message is not stored, and the widget sends it again later.
        # Until the refusal's retry_after, this socket refuses by itself: no hit, so its IP's room is spared.
        if time.time() < self.messages_refused_until:
            raise limits.message_refusal(reset_time=self.messages_refused_until)
        try:
            await limits.check_visitor_message(visitor_id=self.visitor_id, ip=self.client_ip)
        except ParleyError as refused:
            self.messages_refused_until = time.time() + (refused.retry_after or 0)
            raise
        if not self.conversation_open:
            await limits.check_new_conversation(ip=self.client_ip, site_id=self.site_id)
        posted = await batching.post_visitor_message(
            visitor_id=self.visitor_id, client_id=frame.client_id, body=frame.body
        )
        self.conversation_open = True
        await self.send_frame(replies.message_ack_frame(client_id=frame.client_id, posted=posted))

    async def on_sync(self, frame: frames.Sync) -> None:
        """Send the messages after a seq in one of the visitor's conversations."""
        assert self.visitor_id is not None
        page = await database_sync_to_async(visitor_history)(
            visitor_id=self.visitor_id,
            conversation_id=frame.conversation_id,
            after_seq=frame.after_seq,
        )
        await self.send_frame(replies.history_frame(conversation_id=frame.conversation_id, page=page))

    async def conversation_message(self, event: dict[str, Any]) -> None:
        """Relay a message of the visitor's; a resolve or reopen line also says whether one is open."""
        if "status" in event:
            self.conversation_open = event["status"] == "open"
        await self.forward(event)

    async def visitor_conversation_started(self, event: dict[str, Any]) -> None:
        """Relay a conversation started (from any of the visitor's sockets): later messages go into it."""
        self.conversation_open = True
        await self.forward(event)


def _header(scope: Mapping[str, Any], name: bytes) -> str | None:
    for key, value in scope.get("headers", []):
        if key == name:
            return bytes(value).decode("latin-1")
    return None
