"""Agents' read marks: the highest seq an agent has read in a conversation."""

import uuid

from django.db import transaction

from server.conversations.models import AgentReadMark
from server.conversations.selectors.inbox import agent_conversation


def raise_read_mark(*, user_id: int, conversation_id: uuid.UUID, seq: int) -> int:
    """Raise a read mark to `seq` (never lower it) and return the mark; one UPDATE when it exists."""
    marks = AgentReadMark.objects.filter(user_id=user_id, conversation_id=conversation_id)
    if marks.filter(last_read_seq__lt=seq).update(last_read_seq=seq):
        return seq
    mark, _ = AgentReadMark.objects.get_or_create(
        user_id=user_id, conversation_id=conversation_id, defaults={"last_read_seq": seq}
    )
    return mark.last_read_seq


@transaction.atomic
def do_mark_read(*, user_id: int, conversation_id: uuid.UUID, seq: int) -> int:
    """Raise an agent's read mark in a conversation of its sites (never past the last message)."""
    conversation = agent_conversation(user_id=user_id, conversation_id=conversation_id)
    return raise_read_mark(
        user_id=user_id, conversation_id=conversation_id, seq=min(seq, conversation.last_seq)
    )
