"""The visitor's socket: the widget's one connection to the server."""

import asyncio
import logging
import time
import uuid
from collections.abc import Awaitable, Callable, Mapping
from typing import Any, NamedTuple

from channels.db import database_sync_to_async
from django.conf import settings

from server.conversations.selectors.history import visitor_history
from server.conversations.services.read_marks import do_mark_visitor_read
from server.conversations.services.visitor_attributes import (
    check_visitor_attributes,
    do_set_visitor_attributes,
)
from server.conversations.services.visitor_context import (
    VisitorContext,
    check_visitor_context,
    do_record_page,
)
from server.conversations.services.visitors import check_visitor_token, do_accept_visitor_hello
from server.errors import CLOSE_HELLO_TIMEOUT, ParleyError
from server.limits import checks as limits
from server.limits.client_ip import scope_client_ip
from server.protocol import frames, validation
from server.realtime import batching, gateway, presence, replies
from server.realtime.consumers.base import ParleyConsumer
from server.realtime.consumers.offline import OfflineVisitorFrames
from server.realtime.groups import site_visitors_group, visitor_group
from server.realtime.typing import TypingThrottle
from server.sites.selectors import is_site_cached
from server.sites.services import check_site_origin

logger = logging.getLogger(__name__)


class PendingPage(NamedTuple):
    """A `page` frame waiting for its socket's interval to end."""

    url: str
    title: str
    context: VisitorContext


class VisitorConsumer(OfflineVisitorFrames, ParleyConsumer):
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
        # The visitor's latest conversation as this socket knows it (hello, its sends, conversation.started):
        # where its typing goes, so a typing frame costs no database query.
        self.conversation_id: uuid.UUID | None = None
        self.typing = TypingThrottle()
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
        for timer in (getattr(self, "hello_deadline", None), getattr(self, "page_timer", None)):
            if timer is not None:
                timer.cancel()
        if getattr(self, "listens_to_availability", False) and self.site_id is not None:
            self.listens_to_availability = False
            presence.visitor_left(site_id=self.site_id)
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
        self.page_allowed_at = 0.0
        self.page_pending: PendingPage | None = None
        self.page_timer: asyncio.TimerHandle | None = None
        self.page_announced = False
        # The page last recorded by a `page` or a ping on this socket: a ping naming another one records it.
        # Empty at first, so the first ping announces the page this socket opened on (hello stores it
        # silently), which agents then see with the chat closed too.
        self.page_seen = ""
        self.visitor_id = visitor_id
        self.conversation_open = ready.conversation_id is not None and ready.status == "open"
        self.conversation_id = ready.conversation_id
        # Joined before availability is read, so a change announced in between still arrives.
        await self.join(site_visitors_group(self.site_id))
        presence.visitor_joined(site_id=self.site_id)
        self.listens_to_availability = True
        availability = await presence.site_availability(site_id=self.site_id)
        await self.send_frame(replies.visitor_ready_frame(ready, availability=availability))

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
        self.conversation_id = posted.conversation_id
        await self.send_frame(replies.message_ack_frame(client_id=frame.client_id, posted=posted))

    async def on_sync(self, frame: frames.Sync) -> None:
        """Send the messages after a seq in one of the visitor's conversations."""
        assert self.visitor_id is not None
        history = await database_sync_to_async(visitor_history)(
            visitor_id=self.visitor_id,
            conversation_id=frame.conversation_id,
            after_seq=frame.after_seq,
        )
        await self.send_frame(
            replies.history_frame(
                conversation_id=frame.conversation_id, page=history.page, previous_id=history.previous_id
            )
        )

    async def on_ping(self, frame: frames.Ping) -> None:
        """Answer the keepalive; a page it names that differs from the last one is recorded as by `page`."""
        await super().on_ping(frame)
        if frame.page_url and frame.page_url != self.page_seen:
            await self.on_page(
                frames.Page.model_construct(type="page", url=frame.page_url, title=frame.page_title)
            )

    async def on_page(self, frame: frames.Page) -> None:
        """Record the visitor's page for the site's agents: at most one per interval, the latest wins."""
        if not frame.url:
            return
        self.page_seen = frame.url
        earlier = self.page_pending
        context = check_visitor_context(
            page_title=None, referrer=frame.referrer, timezone=frame.timezone, language=frame.language
        )
        if earlier is not None:
            # A frame not yet applied is superseded, but what it told of the context is kept.
            context = VisitorContext(
                referrer=context.referrer or earlier.context.referrer,
                timezone=context.timezone or earlier.context.timezone,
                language=context.language or earlier.context.language,
            )
        self.page_pending = PendingPage(url=frame.url, title=frame.title, context=context)
        if self.page_timer is not None:
            return
        wait = self.page_allowed_at - time.monotonic()
        if wait > 0:
            self.page_timer = asyncio.get_running_loop().call_later(
                wait, lambda: asyncio.ensure_future(self.apply_page())
            )
            return
        await self.apply_page()

    async def on_attributes(self, frame: frames.VisitorAttributes) -> None:
        """Store the page's custom attributes of its visitor for the site's agents; no reply."""
        assert self.visitor_id is not None
        assert self.site_id is not None
        attributes = check_visitor_attributes(attributes=frame.attributes)
        await database_sync_to_async(do_set_visitor_attributes)(
            site_id=self.site_id, visitor_id=self.visitor_id, attributes=attributes
        )

    async def apply_page(self) -> None:
        """Store the latest page frame (do_record_page writes only what changed)."""
        pending, self.page_pending, self.page_timer = self.page_pending, None, None
        if pending is None or self.visitor_id is None or self.site_id is None:
            return
        self.page_allowed_at = time.monotonic() + settings.PARLEY_PAGE_MIN_INTERVAL_SECONDS
        try:
            await database_sync_to_async(do_record_page)(
                site_id=self.site_id,
                visitor_id=self.visitor_id,
                url=pending.url,
                title=pending.title,
                context=pending.context,
                announce=not self.page_announced,
            )
            self.page_announced = True
        except Exception:
            # Also run from a timer, where nothing else would report it; the next page tries again.
            logger.exception("recording visitor %s's page failed", self.visitor_id)

    async def conversation_message(self, event: dict[str, Any]) -> None:
        """Relay a message of the visitor's; a resolve or reopen line also says whether one is open."""
        if "status" in event:
            self.conversation_open = event["status"] == "open"
        await self.forward(event)

    visitor_availability = ParleyConsumer.forward

    async def on_typing(self, frame: frames.VisitorTyping) -> None:
        """Relay the visitor typing in its latest conversation to the agents following it; no reply.

        Dropped silently without a conversation yet, or over the throttle (typing.py).
        """
        conversation_id = self.conversation_id
        if conversation_id is None or not self.typing.allow(
            conversation_id=conversation_id, state=frame.state
        ):
            return
        await gateway.relay_typing(
            conversation_id=conversation_id,
            visitor_id=None,
            agent_id=None,
            author_name=None,
            state=frame.state,
        )

    async def on_conversation_read(self, frame: frames.ConversationRead) -> None:
        """Raise the visitor's read mark in one of its conversations; `read` goes to all its tabs."""
        assert self.visitor_id is not None
        await database_sync_to_async(do_mark_visitor_read)(
            visitor_id=self.visitor_id, conversation_id=frame.conversation_id, seq=frame.seq
        )

    async def visitor_conversation_started(self, event: dict[str, Any]) -> None:
        """Relay a conversation started (from any of the visitor's sockets): later messages go into it."""
        self.conversation_open = True
        self.conversation_id = uuid.UUID(event["conversation_id"])
        await self.forward(event)


def _header(scope: Mapping[str, Any], name: bytes) -> str | None:
    for key, value in scope.get("headers", []):
        if key == name:
            return bytes(value).decode("latin-1")
    return None
