"""The agent's socket: the console's one connection to the server."""

import asyncio
import logging
import time
import uuid
from collections.abc import Awaitable, Callable
from typing import Any, NamedTuple

from channels.db import database_sync_to_async
from django.conf import settings

from server.agents.selectors import PREFERENCE_NAMES, agent_preferences
from server.agents.services import do_set_preferences
from server.conversations.models import CannedReply
from server.conversations.records import SiteMember
from server.conversations.selectors.activity import site_members
from server.conversations.selectors.canned import agent_canned_replies
from server.conversations.selectors.inbox import AgentInbox, agent_conversation, agent_history, agent_inbox
from server.conversations.selectors.inbox_views import InboxQuery, inbox_page
from server.conversations.selectors.ratings import agent_ratings
from server.conversations.selectors.visitors import agent_visitor_detail
from server.conversations.services.canned import do_delete_canned_reply, do_save_canned_reply
from server.conversations.services.conversations import do_open_conversation
from server.conversations.services.messages import do_post_agent_message
from server.conversations.services.notes import do_add_note
from server.conversations.services.read_marks import do_mark_read
from server.conversations.services.workflow import (
    WorkflowChange,
    do_assign_conversation,
    do_reopen_conversation,
    do_resolve_conversation,
)
from server.errors import CLOSE_ACCESS_CHANGED, CLOSE_NOT_AUTHENTICATED, ParleyError
from server.protocol import frames, offline_frames, validation
from server.protocol.wire import agent_display_name
from server.realtime import gateway, offline_replies, presence, replies
from server.realtime.access import current_access, session_fingerprint
from server.realtime.consumers.base import ParleyConsumer
from server.realtime.groups import agent_group, conversation_agents_group, site_agents_group
from server.realtime.limits import TokenBucket
from server.realtime.typing import TypingThrottle

logger = logging.getLogger(__name__)


class AgentConsumer(ParleyConsumer):
    """An agent's console socket, authenticated by the Django session cookie."""

    client_frames = validation.AGENT

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
        self.relayed_presence: dict[int, str] = {}  # agent id → the last `presence` frame relayed
        # Conversation → the colleagues last said to view it; nobody else viewing is what a console assumes.
        self.relayed_viewers: dict[str, frozenset[int]] = {}
        # The visitor of each conversation this socket follows (read when it was opened): an agent's typing
        # in it goes to that visitor without a query.
        self.followed_visitors: dict[uuid.UUID, uuid.UUID] = {}
        self.typing = TypingThrottle()
        self.display_name = agent_display_name(user)
        self.inbox_queries = TokenBucket(
            rate=settings.PARLEY_INBOX_QUERY_RATE, burst=settings.PARLEY_INBOX_QUERY_BURST
        )
        session = self.scope.get("session")
        self.session_key: str | None = getattr(session, "session_key", None)
        self.session_ref = session_fingerprint(self.session_key or "")
        self.access_revoked = False
        self.background_check: asyncio.Future[None] | None = None
        # The personal group first: an access change committed from here on reaches this socket, and what
        # was committed before (after the session was read for the handshake) is read here.
        await self.join(agent_group(self.user_id))
        access = await database_sync_to_async(current_access)(
            user_id=self.user_id, session_key=self.session_key
        )
        self.site_ids = access.site_ids
        self.access_checked_at = time.monotonic()
        if not access.signed_in:
            await self.revoke(CLOSE_NOT_AUTHENTICATED)
            return
        for site_id in sorted(access.site_ids):
            await self.join(site_agents_group(site_id))
        announcement = await presence.console_connected(
            channel_name=self.channel_name, user_id=self.user_id, site_ids=access.site_ids
        )
        data = await database_sync_to_async(ready_data)(user=user)
        statuses = await presence.site_statuses(site_ids=access.site_ids)
        ready = replies.agent_ready_frame(
            data.inbox,
            agents=data.agents,
            presence=statuses,
            preferences=data.preferences,
            canned=data.canned,
        )
        # This socket knows its agent's status from `ready`: the same news as a `presence` is not relayed.
        own = gateway.presence_text(agent_id=self.user_id, status=statuses.get(self.user_id, "online"))
        self.relayed_presence[self.user_id] = own
        await self.send_frame(ready)
        await presence.announce(announcement)

    def handler_for(self, frame_type: str) -> Callable[[Any], Awaitable[None]]:
        """An anonymous or revoked socket is closed before any frame reaches a handler; others are checked."""
        if not hasattr(self, "user_id") or self.access_revoked:
            raise ParleyError("not_authenticated", "Log in to the console first.")
        handler = super().handler_for(frame_type)

        async def checked(frame: Any) -> None:
            """Run the handler while the agent's access holds (each handler also applies rules.py)."""
            if await self.access_holds():
                await handler(frame)

        return checked

    async def access_holds(self) -> bool:
        """Whether the session still signs the agent in with the sites it joined; else close the socket.

        The signals of access.py close a socket at once; this reads access again, at most every
        PARLEY_AGENT_ACCESS_RECHECK_SECONDS, for what no signal announces (a queryset update, a session
        row deleted by hand, a signal lost with the layer). A frame waits for that read when it is due.
        """
        if self.access_revoked:
            return False
        if self.access_check_due():
            await self.recheck_access()
        return not self.access_revoked

    def relay_allowed(self) -> bool:
        """Whether a relay may go out: never waits, but starts the due read of access in the background.

        Relays are the hot path of every message and the read is a backstop to the signals, so a relay
        does not queue behind the database; a socket found revoked is closed by the read itself.
        """
        if self.access_revoked:
            return False
        if self.access_check_due() and self.background_check is None:
            self.background_check = asyncio.ensure_future(self.recheck_access())
            self.background_check.add_done_callback(self.background_check_done)
        return True

    def access_check_due(self) -> bool:
        """Whether PARLEY_AGENT_ACCESS_RECHECK_SECONDS have passed since access was last read."""
        return time.monotonic() - self.access_checked_at >= settings.PARLEY_AGENT_ACCESS_RECHECK_SECONDS

    async def recheck_access(self) -> None:
        """Read the agent's access again; close the socket (4401 or 4003) when it no longer holds."""
        self.access_checked_at = time.monotonic()
        access = await database_sync_to_async(current_access)(
            user_id=self.user_id, session_key=self.session_key
        )
        if not access.signed_in:
            await self.revoke(CLOSE_NOT_AUTHENTICATED)
        elif not self.site_ids <= access.site_ids:
            await self.revoke(CLOSE_ACCESS_CHANGED)

    def background_check_done(self, task: "asyncio.Future[None]") -> None:
        """Forget the finished background read; log its failure (the next due relay tries again)."""
        self.background_check = None
        if not task.cancelled() and task.exception() is not None:
            logger.error("reading agent %s's access failed", self.user_id, exc_info=task.exception())

    async def disconnect(self, code: int) -> None:
        """Stop a background read of access, then leave every group."""
        check = getattr(self, "background_check", None)
        if check is not None:
            check.cancel()
        await presence.console_closed(channel_name=self.channel_name)
        await super().disconnect(code)

    async def revoke(self, close_code: int) -> None:
        """Stop every relay and frame of this socket, then close it: 4401 (log in) or 4003 (reconnect)."""
        if self.access_revoked:
            return
        self.access_revoked = True
        self.open_conversations.clear()
        await presence.console_closed(channel_name=self.channel_name)
        self.followed_visitors.clear()
        await self.leave_all()
        if close_code == CLOSE_NOT_AUTHENTICATED:
            await self.fail(ParleyError("not_authenticated", "Your session ended; log in again."), ref=None)
        else:
            await self.close(code=close_code)

    async def agent_access_changed(self, event: dict[str, Any]) -> None:
        """Close this socket when the agent lost access (for a logout, only the sockets of that session)."""
        if event["session"] is None or event["session"] == self.session_ref:
            await self.revoke(int(event["close_code"]))

    async def on_conversation_open(self, frame: frames.ConversationOpen) -> None:
        """Follow a conversation of the agent's sites and send its history."""
        conversation_id = frame.conversation_id
        conversation = await database_sync_to_async(agent_conversation)(
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
        # Likewise for typing and the visitor's read marks (left on leave, revoke or disconnect).
        await self.join(conversation_agents_group(conversation_id))
        opened = await database_sync_to_async(do_open_conversation)(
            user_id=self.user_id, conversation_id=conversation_id, after_seq=frame.after_seq
        )
        self.followed_visitors[conversation_id] = opened.conversation.visitor_id
        await self.send_frame(replies.conversation_opened_frame(opened))
        await presence.start_viewing(
            channel_name=self.channel_name, conversation_id=conversation_id, site_id=conversation.site_id
        )

    async def on_conversation_leave(self, frame: frames.ConversationLeave) -> None:
        """Stop following a conversation."""
        self.open_conversations.discard(frame.conversation_id)
        await presence.stop_viewing(channel_name=self.channel_name, conversation_id=frame.conversation_id)
        self.followed_visitors.pop(frame.conversation_id, None)
        await self.leave(conversation_agents_group(frame.conversation_id))

    async def on_typing(self, frame: frames.AgentTyping) -> None:
        """Relay the agent typing to the conversation's visitor and the other agents following it; no reply.

        A conversation this socket follows was checked against rules.py when opened (and access is read
        again as for every frame); another one is checked now (`not_found` outside the agent's sites).
        Over the throttle (typing.py) it is dropped silently.
        """
        conversation_id = frame.conversation_id
        visitor_id = self.followed_visitors.get(conversation_id)
        if visitor_id is None:
            conversation = await database_sync_to_async(agent_conversation)(
                user_id=self.user_id, conversation_id=conversation_id
            )
            visitor_id = conversation.visitor_id
        if not self.typing.allow(conversation_id=conversation_id, state=frame.state):
            return
        await gateway.relay_typing(
            conversation_id=conversation_id,
            visitor_id=visitor_id,
            agent_id=self.user_id,
            author_name=self.display_name,
            state=frame.state,
        )

    async def on_conversation_read(self, frame: frames.ConversationRead) -> None:
        """Store the agent's read mark."""
        await database_sync_to_async(do_mark_read)(
            user_id=self.user_id, conversation_id=frame.conversation_id, seq=frame.seq
        )

    async def on_message_send(self, frame: frames.AgentMessageSend) -> None:
        """Store the agent's reply and acknowledge it."""
        posted = await database_sync_to_async(do_post_agent_message)(
            agent=self.user,
            conversation_id=frame.conversation_id,
            client_id=frame.client_id,
            body=frame.body,
        )
        await self.send_frame(replies.message_ack_frame(client_id=frame.client_id, posted=posted))

    async def on_sync(self, frame: frames.Sync) -> None:
        """Send the messages after a seq in a conversation of the agent's sites."""
        page = await database_sync_to_async(agent_history)(
            user_id=self.user_id,
            conversation_id=frame.conversation_id,
            after_seq=frame.after_seq,
        )
        await self.send_frame(replies.history_frame(conversation_id=frame.conversation_id, page=page))

    async def on_inbox_query(self, frame: frames.InboxQuery) -> None:
        """Send a page of an inbox view of the agent's sites (searched when asked)."""
        if not self.inbox_queries.allow():
            raise ParleyError("rate_limited", "Too many inbox queries; this one was dropped.", retry_after=1)
        query = InboxQuery(view=frame.view, site_id=frame.site_id, before=frame.before, search=frame.search)
        page = await database_sync_to_async(inbox_page)(user_id=self.user_id, query=query)
        await self.send_frame(replies.inbox_page_frame(page))

    async def on_conversation_assign(self, frame: frames.ConversationAssign) -> None:
        """Assign or unassign a conversation; the inbox.update it causes acknowledges it."""
        change = await database_sync_to_async(do_assign_conversation)(
            agent=self.user, conversation_id=frame.conversation_id, assignee_id=frame.assignee_id
        )
        await self.acknowledge_change(change)

    async def on_conversation_resolve(self, frame: frames.ConversationResolve) -> None:
        """Resolve a conversation; the inbox.update it causes acknowledges it."""
        change = await database_sync_to_async(do_resolve_conversation)(
            agent=self.user, conversation_id=frame.conversation_id
        )
        await self.acknowledge_change(change)

    async def on_conversation_reopen(self, frame: frames.ConversationReopen) -> None:
        """Reopen a conversation; the inbox.update it causes acknowledges it."""
        change = await database_sync_to_async(do_reopen_conversation)(
            agent=self.user, conversation_id=frame.conversation_id
        )
        await self.acknowledge_change(change)

    async def acknowledge_change(self, change: WorkflowChange) -> None:
        """A change is acknowledged by its broadcast (this socket is in the site's group); a no-op, which
        broadcasts nothing, by the row sent to this socket alone."""
        if not change.changed:
            await self.send_frame(replies.inbox_row_frame(change.conversation))

    async def inbox_update(self, event: dict[str, Any]) -> None:
        """Relay the message or activity line an inbox row carries when this socket follows that
        conversation, then the row."""
        if not self.relay_allowed():
            return
        # The open thread is what the agent looks at, and the console takes message.new first.
        if uuid.UUID(event["conversation_id"]) in self.open_conversations:
            await self.send(text_data=event.get("message_text") or event["activity_text"])
        await self.send(text_data=event["text"])

    async def conversation_activity(self, event: dict[str, Any]) -> None:
        """Relay an agent-only line (a note) when this socket follows its conversation."""
        if self.relay_allowed() and uuid.UUID(event["conversation_id"]) in self.open_conversations:
            await self.send(text_data=event["text"])

    async def agent_conversation_assigned(self, event: dict[str, Any]) -> None:
        """Relay a colleague's assignment to this agent while its access holds."""
        if self.relay_allowed():
            await self.forward(event)

    async def conversation_signal(self, event: dict[str, Any]) -> None:
        """Relay typing or the visitor's read mark in a followed conversation (not the agent's own typing)."""
        if not self.relay_allowed() or event["agent_id"] == self.user_id:
            return
        if uuid.UUID(event["conversation_id"]) in self.open_conversations:
            await self.send(text_data=event["text"])

    async def agent_notification(self, event: dict[str, Any]) -> None:
        """Relay a notification while the agent's access holds."""
        if self.relay_allowed():
            await self.forward(event)

    # --- Agent tools: the visitor sidebar and canned replies (docs/console.md, "Agent tools") ---

    async def on_visitor_get(self, frame: frames.VisitorGet) -> None:
        """Send a visitor of the agent's sites with its conversations."""
        detail = await database_sync_to_async(agent_visitor_detail)(
            user_id=self.user_id, visitor_id=frame.visitor_id
        )
        await self.send_frame(replies.visitor_detail_frame(detail))

    async def on_canned_save(self, frame: frames.CannedSave) -> None:
        """Store a canned reply; the `canned.changed` broadcast to the site's agents answers it."""
        await database_sync_to_async(do_save_canned_reply)(
            user_id=self.user_id,
            canned_id=frame.id,
            site_id=frame.site_id,
            shortcut=frame.shortcut,
            title=frame.title,
            body=frame.body,
        )

    async def on_canned_delete(self, frame: frames.CannedDelete) -> None:
        """Delete a canned reply; the `canned.changed` broadcast to the site's agents answers it."""
        await database_sync_to_async(do_delete_canned_reply)(user_id=self.user_id, canned_id=frame.id)

    async def on_note_add(self, frame: frames.NoteAdd) -> None:
        """Store a private note; the consoles following the conversation get it as `activity.new`."""
        added = await database_sync_to_async(do_add_note)(
            agent=self.user, conversation_id=frame.conversation_id, client_id=frame.client_id, body=frame.body
        )
        # A retry is announced to no one, and a socket not following the conversation hears no broadcast.
        if not added.created or frame.conversation_id not in self.open_conversations:
            await self.send_frame(replies.activity_new_frame(added.activity))

    async def site_tools_relay(self, event: dict[str, Any]) -> None:
        """Relay a visitor's page or attributes change, or a canned reply change, while the agent's access
        holds."""
        if self.relay_allowed():
            await self.forward(event)

    visitor_page = site_tools_relay
    visitor_attributes = site_tools_relay
    canned_changed = site_tools_relay
    visitor_email = site_tools_relay
    conversation_rated = site_tools_relay

    async def on_ratings_get(self, frame: offline_frames.RatingsGet) -> None:
        """Answer with the ratings of the agent's sites per agent (docs/offline.md)."""
        days = settings.PARLEY_RATINGS_DAYS
        counts = await database_sync_to_async(agent_ratings)(user_id=self.user_id, days=days)
        await self.send_frame(offline_replies.ratings_frame(counts=counts, days=days))

    async def on_presence_set(self, frame: frames.PresenceSet) -> None:
        """Set the agent online or away; the `presence` broadcast to its sites acknowledges it."""
        await presence.set_status(channel_name=self.channel_name, status=frame.status)

    async def agent_presence(self, event: dict[str, Any]) -> None:
        """Relay a colleague's status, once though each site shared with it carries the same change."""
        if not self.relay_allowed() or self.relayed_presence.get(event["agent_id"]) == event["text"]:
            return
        self.relayed_presence[event["agent_id"]] = event["text"]
        await self.forward(event)

    async def agent_viewers(self, event: dict[str, Any]) -> None:
        """Relay who views a conversation when the colleagues among them changed for this socket."""
        others = frozenset(event["agent_ids"]) - {self.user_id}
        if (
            not self.relay_allowed()
            or self.relayed_viewers.get(event["conversation_id"], frozenset()) == others
        ):
            return
        if others:
            self.relayed_viewers[event["conversation_id"]] = others
        else:
            self.relayed_viewers.pop(event["conversation_id"], None)
        await self.forward(event)

    # The agent's preferences changed (on any of its consoles): relayed like a notification.
    agent_preferences = agent_notification

    async def on_preferences_set(self, frame: frames.PreferencesSet) -> None:
        """Store the preferences the frame names; every console of the agent gets `preferences`."""
        changes = {name: value for name in PREFERENCE_NAMES if (value := getattr(frame, name)) is not None}
        if changes:
            await database_sync_to_async(do_set_preferences)(user_id=self.user_id, changes=changes)
            return
        # Nothing to change: the answer is what is stored, to this socket only.
        current = await database_sync_to_async(agent_preferences)(user_id=self.user_id)
        await self.send_frame(replies.preferences_frame(current.as_dict()))


class ReadyData(NamedTuple):
    """What an agent socket's `ready` carries from the database."""

    inbox: AgentInbox
    agents: list[SiteMember]
    canned: list[CannedReply]
    preferences: dict[str, bool]


def ready_data(*, user: Any) -> ReadyData:
    """What `ready` carries, read in one trip to the database thread."""
    user_id = int(user.pk)
    return ReadyData(
        inbox=agent_inbox(user=user),
        agents=site_members(user_id=user_id),
        canned=agent_canned_replies(user_id=user_id),
        preferences=agent_preferences(user_id=user_id).as_dict(),
    )
