"""Agents opening conversations, and notifications to agents."""

import uuid
from dataclasses import dataclass
from typing import Any

from django.db import transaction

from server.conversations import events
from server.conversations.models import Activity, Conversation
from server.conversations.records import MessagePage
from server.conversations.selectors.activity import conversation_activity
from server.conversations.selectors.history import messages_after
from server.conversations.selectors.inbox import agent_conversation
from server.conversations.services.read_marks import raise_read_mark


@dataclass(frozen=True)
class OpenedConversation:
    """A conversation an agent opened (site, visitor and last message loaded), its mark, history and
    agent-only activity."""

    conversation: Conversation
    last_read_seq: int
    page: MessagePage
    activity: list[Activity]


@transaction.atomic
def do_open_conversation(*, user_id: int, conversation_id: uuid.UUID, after_seq: int) -> OpenedConversation:
    """A conversation of the agent's sites with the messages after `after_seq`; opening it marks it read."""
    conversation = agent_conversation(user_id=user_id, conversation_id=conversation_id)
    last_read_seq = raise_read_mark(
        user_id=user_id, conversation_id=conversation_id, seq=conversation.last_seq
    )
    return OpenedConversation(
        conversation=conversation,
        last_read_seq=last_read_seq,
        page=messages_after(conversation_id=conversation_id, after_seq=after_seq),
        activity=conversation_activity(conversation_id=conversation_id),
    )


def send_notification(*, user_id: int, payload: dict[str, Any]) -> None:
    """Push a notification to every open console of one agent; callable from synchronous code."""
    events.publish([events.AgentNotified(user_id=user_id, payload=payload)])
