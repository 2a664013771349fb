"""The event gateway: the only module that sends to channel-layer groups, with the events committed."""

import asyncio
import logging
import threading
import uuid
from collections.abc import Awaitable, Collection, Sequence
from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.conf import settings
from pydantic import BaseModel

from server.conversations.events import (
    ActivityStored,
    AgentAccessChanged,
    CannedReplyChanged,
    ConversationRated,
    ConversationState,
    Event,
    MessageStored,
    PreferencesChanged,
    ReadMarkMoved,
    VisitorAttributesChanged,
    VisitorEmailChanged,
    VisitorPageChanged,
)
from server.protocol import frames
from server.protocol.objects import construct
from server.protocol.wire import (
    activity_wire,
    agent_display_name,
    canned_wire,
    conversation_id_of,
    conversation_state,
    conversation_summary,
    message_wire,
    new_message_summary,
    started_conversation_wire,
)
from server.realtime import offline_replies, push
from server.realtime.access import access_close_code, session_fingerprint
from server.realtime.groups import (
    agent_group,
    conversation_agents_group,
    site_agents_group,
    site_visitors_group,
    visitor_group,
)
from server.realtime.replies import preferences_frame

logger = logging.getLogger(__name__)

# Layer message types (dotted; Channels dispatches `a.b` to the consumer method `a_b`).
CONVERSATION_MESSAGE = "conversation.message"
CONVERSATION_STARTED = "visitor.conversation_started"
INBOX_UPDATE = "inbox.update"
AGENT_NOTIFICATION = "agent.notification"
AGENT_ACCESS_CHANGED = "agent.access_changed"
VISITOR_PAGE = "visitor.page"
VISITOR_ATTRIBUTES = "visitor.attributes"
CANNED_CHANGED = "canned.changed"
CONVERSATION_ACTIVITY = "conversation.activity"
CONVERSATION_ASSIGNED = "agent.conversation_assigned"
AGENT_PREFERENCES = "agent.preferences"
# Typing and read marks to the agent sockets following a conversation.
CONVERSATION_SIGNAL = "conversation.signal"

# The server's event loop (set by the first socket), so database threads can hand sends to it.
_server_loop: asyncio.AbstractEventLoop | None = None


def bind_event_loop(loop: asyncio.AbstractEventLoop) -> None:
    """Remember the event loop the sockets of this process run on."""
    global _server_loop
    _server_loop = loop


def encode_frame(frame: BaseModel) -> str:
    """Encode a server frame once, so every socket in a group sends the same text."""
    return frame.model_dump_json()


# A layer event: the group it goes to and the layer message the group's sockets get.
LayerEvent = tuple[str, dict[str, Any]]


def layer_event(*, group: str, event_type: str, frame: BaseModel, **extra: Any) -> LayerEvent:
    """The layer event that sends `frame` to every socket in `group`."""
    return group, {"type": event_type, "text": encode_frame(frame), **extra}


def publish(events: Sequence[Event]) -> Awaitable[None] | None:
    """Send committed domain events to their groups, all in one hand-over (the events' publisher).

    From a database thread the send goes to the server's event loop (or runs before returning, with no
    server loop); on the event loop itself the caller awaits what this returns.
    """
    messages = layer_events(events)
    if _on_running_loop():
        return _send_then_push(messages, events)
    _send(messages)
    # The sends are on their way (on the loop); Web Push, for agents with no console, comes after them.
    push.schedule(events, loop=_server_loop)
    return None


async def _send_then_push(messages: list[LayerEvent], events: Sequence[Event]) -> None:
    await _send_logged(messages)
    push.schedule(events, loop=asyncio.get_running_loop())


def layer_events(events: Sequence[Event]) -> list[LayerEvent]:
    """The layer events that tell the sockets about domain events, in order, each frame encoded once."""
    messages: list[LayerEvent] = []
    for event in events:
        if isinstance(event, MessageStored):
            messages.extend(_message_stored(event))
        elif isinstance(event, AgentAccessChanged):
            messages.append(_access_changed(event))
        elif isinstance(event, (VisitorPageChanged, VisitorAttributesChanged, CannedReplyChanged)):
            messages.append(_site_tools_event(event))
        elif isinstance(event, ActivityStored):
            messages.extend(_activity_stored(event))
        elif isinstance(event, PreferencesChanged):
            frame = preferences_frame(event.preferences)
            messages.append(
                layer_event(group=agent_group(event.user_id), event_type=AGENT_PREFERENCES, frame=frame)
            )
        elif isinstance(event, ReadMarkMoved):
            messages.extend(_read_mark_moved(event))
        elif isinstance(event, VisitorEmailChanged):
            group = site_agents_group(event.site_id)
            email = offline_replies.visitor_email_frame(event)
            messages.append(layer_event(group=group, event_type=offline_replies.VISITOR_EMAIL, frame=email))
        elif isinstance(event, ConversationRated):
            group = site_agents_group(event.site_id)
            rated = offline_replies.rated_frame(
                conversation_id=event.conversation_id,
                visitor_id=event.visitor_id,
                score=event.score,
                comment=event.comment,
                agent_id=event.agent_id,
                rated_at=event.rated_at,
            )
            messages.append(
                layer_event(group=group, event_type=offline_replies.CONVERSATION_RATED, frame=rated)
            )
        else:
            messages.append(
                layer_event(
                    group=agent_group(event.user_id),
                    event_type=AGENT_NOTIFICATION,
                    frame=construct(frames.Notification, type="notification", payload=event.payload),
                )
            )
    return messages


def _message_stored(event: MessageStored) -> list[LayerEvent]:
    """The layer events announcing a conversation's new latest message to its visitor and agents."""
    conversation, message = event.conversation, event.message
    wire = message_wire(message)
    new_message = construct(frames.MessageNew, type="message.new", message=wire)
    visitor = visitor_group(conversation.visitor_id)
    messages: list[LayerEvent] = []
    previous = None
    if event.started:
        messages.append(
            layer_event(
                group=visitor,
                event_type=CONVERSATION_STARTED,
                frame=construct(
                    frames.ConversationStarted,
                    type="conversation.started",
                    conversation=started_conversation_wire(conversation, previous_id=event.previous_id),
                ),
                conversation_id=str(conversation_id_of(conversation)),
            )
        )
    else:
        before = event.before or ConversationState(conversation.status, conversation.assignee_id)
        previous = conversation_state(status=before.status, assignee_id=before.assignee_id)
    # Agents get one event per message: the inbox row, carrying the message.new frame that the sockets
    # following this conversation also send (one layer message, not two, per agent and message). It goes
    # first: the other party is who waits for the message; the visitor's own sockets already have it.
    messages.append(
        layer_event(
            group=site_agents_group(conversation.site_id),
            event_type=INBOX_UPDATE,
            frame=construct(
                frames.InboxUpdate,
                type="inbox.update",
                conversation=new_message_summary(conversation, message, wire),
                previous=previous,
            ),
            conversation_id=str(conversation_id_of(conversation)),
            message_text=encode_frame(new_message),
        )
    )
    # The visitor's sockets hear everything of theirs through the visitor group, joined at hello before
    # the history is read, so no message can fall in between. A line that changed the status tells them
    # the new one (a resolved conversation's next message may start another).
    extra = {} if event.before is None else {"status": conversation.status}
    messages.append(layer_event(group=visitor, event_type=CONVERSATION_MESSAGE, frame=new_message, **extra))
    return messages


def _activity_stored(event: ActivityStored) -> list[LayerEvent]:
    """The layer events announcing an agent-only line to the site's agents (never to the visitor)."""
    conversation, activity = event.conversation, event.activity
    activity_text = encode_frame(
        construct(frames.ActivityNew, type="activity.new", activity=activity_wire(activity))
    )
    conversation_id = str(conversation.pk)
    agents = site_agents_group(conversation.site_id)
    if event.before is None:
        # Nothing of the row changed (a note): only the sockets following the conversation relay it.
        return [
            (
                agents,
                {"type": CONVERSATION_ACTIVITY, "conversation_id": conversation_id, "text": activity_text},
            )
        ]
    summary = conversation_summary(conversation, last_read_seq=None)
    messages = [
        layer_event(
            group=agents,
            event_type=INBOX_UPDATE,
            frame=construct(
                frames.InboxUpdate,
                type="inbox.update",
                conversation=summary,
                previous=conversation_state(status=event.before.status, assignee_id=event.before.assignee_id),
            ),
            conversation_id=conversation_id,
            activity_text=activity_text,
        )
    ]
    assignee_id, agent_id = activity.assignee_id, activity.agent_id
    if (
        activity.kind == activity.Kind.ASSIGNED
        and assignee_id is not None
        and agent_id not in (None, assignee_id)
    ):
        # The assignee's every console, whatever it has open; not when agents assign themselves.
        by = construct(frames.AgentInfo, id=activity.agent_id, name=agent_display_name(activity.agent))
        messages.append(
            layer_event(
                group=agent_group(assignee_id),
                event_type=CONVERSATION_ASSIGNED,
                frame=construct(
                    frames.ConversationAssigned, type="conversation.assigned", conversation=summary, by=by
                ),
            )
        )
    return messages


def _site_tools_event(
    event: VisitorPageChanged | VisitorAttributesChanged | CannedReplyChanged,
) -> LayerEvent:
    """The layer event telling a site's agents that a visitor changed page or attributes, or a canned
    reply changed (each layer event type is its frame's type)."""
    frame: frames.VisitorAttributesFrame | frames.VisitorPage | frames.CannedChanged
    if isinstance(event, VisitorAttributesChanged):
        frame = construct(
            frames.VisitorAttributesFrame,
            type=VISITOR_ATTRIBUTES,
            visitor_id=event.visitor_id,
            attributes=event.attributes,
        )
    elif isinstance(event, VisitorPageChanged):
        frame = construct(
            frames.VisitorPage,
            type=VISITOR_PAGE,
            visitor_id=event.visitor_id,
            url=event.url,
            title=event.title,
        )
    else:
        frame = construct(
            frames.CannedChanged,
            type=CANNED_CHANGED,
            site_id=event.site_id,
            canned=canned_wire(event.canned) if event.canned is not None else None,
            deleted_id=event.deleted_id,
        )
    return layer_event(group=site_agents_group(event.site_id), event_type=frame.type, frame=frame)


def _access_changed(event: AgentAccessChanged) -> LayerEvent:
    """The layer event closing the agent's sockets (those of one session, when it names one)."""
    # A fingerprint, not the key: a session key is a credential and the layer may be a shared Redis.
    session = None if event.session_key is None else session_fingerprint(event.session_key)
    return agent_group(event.user_id), {
        "type": AGENT_ACCESS_CHANGED,
        "close_code": access_close_code(event.reason),
        "session": session,
    }


def _on_running_loop() -> bool:
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return False
    return True


def _send(messages: list[LayerEvent]) -> None:
    loop = _server_loop
    if loop is not None and loop.is_running() and threading.current_thread() is not threading.main_thread():
        # In a server process: don't hold the database thread while the layer sends. Sends are
        # scheduled in commit order, and each group's messages leave in that order.
        asyncio.run_coroutine_threadsafe(_send_logged(messages), loop)
        return
    # Management commands, the shell, tests without a server loop: send before returning.
    async_to_sync(_send_logged)(messages)


async def _send_logged(messages: list[LayerEvent]) -> None:
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


# --- Presence (server/realtime/presence.py): not domain events, nothing is stored ---------------------------

AGENT_PRESENCE = "agent.presence"
SITE_AVAILABILITY = "visitor.availability"
CONVERSATION_VIEWERS = "agent.viewers"


def presence_events(*, agent_id: int, status: str, site_ids: Collection[int]) -> list[LayerEvent]:
    """The layer events telling the agents of these sites an agent's status (online, away, offline)."""
    text = presence_text(agent_id=agent_id, status=status)
    return [
        (site_agents_group(site_id), {"type": AGENT_PRESENCE, "text": text, "agent_id": agent_id})
        for site_id in sorted(site_ids)
    ]


def presence_text(*, agent_id: int, status: str) -> str:
    """The encoded `presence` frame of an agent's status."""
    return encode_frame(construct(frames.Presence, type="presence", agent_id=agent_id, status=status))


def availability_event(*, site_id: int, status: str) -> LayerEvent:
    """The layer event telling a site's visitor sockets whether an agent is there to answer."""
    frame = construct(frames.Availability, type="availability", status=status)
    return layer_event(group=site_visitors_group(site_id), event_type=SITE_AVAILABILITY, frame=frame)


def viewers_event(*, site_id: int, conversation_id: uuid.UUID, agent_ids: Collection[int]) -> LayerEvent:
    """The layer event telling a site's agents who views one of its conversations."""
    frame = construct(
        frames.ConversationViewers,
        type="conversation.viewers",
        conversation_id=conversation_id,
        agent_ids=sorted(agent_ids),
    )
    return layer_event(
        group=site_agents_group(site_id),
        event_type=CONVERSATION_VIEWERS,
        frame=frame,
        conversation_id=str(conversation_id),
        agent_ids=sorted(agent_ids),
    )


async def send_events(messages: list[LayerEvent]) -> None:
    """Send layer events from the event loop (presence changes), logging a failure."""
    await _send_logged(messages)


def _read_mark_moved(event: ReadMarkMoved) -> list[LayerEvent]:
    """`read` to every tab of the visitor and, for the visitor's own mark, to the agents following."""
    frame = construct(
        frames.Read, type="read", conversation_id=event.conversation_id, reader=event.reader, seq=event.seq
    )
    messages = [
        layer_event(group=visitor_group(event.visitor_id), event_type=CONVERSATION_MESSAGE, frame=frame)
    ]
    if event.reader == "visitor":
        messages.append(
            layer_event(
                group=conversation_agents_group(event.conversation_id),
                event_type=CONVERSATION_SIGNAL,
                frame=frame,
                conversation_id=str(event.conversation_id),
                agent_id=None,
            )
        )
    return messages


async def relay_typing(
    *,
    conversation_id: uuid.UUID,
    visitor_id: uuid.UUID | None,
    agent_id: int | None,
    author_name: str | None,
    state: str,
) -> None:
    """Relay a typing frame (stored nowhere): an agent's to the visitor's tabs and the other agents
    following the conversation, the visitor's (`agent_id` None) to those agents only."""
    frame = construct(
        frames.Typing,
        type="typing",
        conversation_id=conversation_id,
        author="visitor" if agent_id is None else "agent",
        agent_id=agent_id,
        author_name=author_name,
        state=state,
        ttl_seconds=settings.PARLEY_TYPING_TTL_SECONDS,
    )
    messages = [
        # agent_id lets the typing agent's own sockets skip their own frame.
        layer_event(
            group=conversation_agents_group(conversation_id),
            event_type=CONVERSATION_SIGNAL,
            frame=frame,
            conversation_id=str(conversation_id),
            agent_id=agent_id,
        )
    ]
    if agent_id is not None and visitor_id is not None:
        messages.append(
            layer_event(group=visitor_group(visitor_id), event_type=CONVERSATION_MESSAGE, frame=frame)
        )
    await _send_logged(messages)
