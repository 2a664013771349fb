"""Read marks: each agent's own (AgentReadMark), and the conversation's receipts (the visitor's mark, and
the highest of its agents' marks, which the visitor sees as "Seen")."""

import uuid

from django.db import transaction

from server.conversations import events
from server.conversations.models import AgentReadMark, Conversation
from server.conversations.selectors.inbox import agent_conversation
from server.errors import ParleyError


def raise_read_mark(*, user_id: int, conversation_id: uuid.UUID, seq: int) -> int:
    """Raise a read mark to `seq` (never lower it) and return the mark; one UPDATE when it exists."""
    marks = AgentReadMark.objects.filter(user_id=user_id, conversation_id=conversation_id)
    if marks.filter(last_read_seq__lt=seq).update(last_read_seq=seq):
        return seq
    mark, _ = AgentReadMark.objects.get_or_create(
        user_id=user_id, conversation_id=conversation_id, defaults={"last_read_seq": seq}
    )
    return mark.last_read_seq


def raise_agents_read_mark(*, conversation: Conversation, seq: int) -> None:
    """Raise the conversation's agents' mark to `seq` (its last seq at most) and tell the visitor when it
    moved; one UPDATE that changes nothing when another agent already read that far."""
    seq = min(seq, conversation.last_seq)
    moved = Conversation.objects.filter(pk=conversation.pk, agent_last_read_seq__lt=seq).update(
        agent_last_read_seq=seq
    )
    if moved:
        conversation.agent_last_read_seq = seq
        events.publish(
            [
                events.ReadMarkMoved(
                    conversation_id=conversation.pk,
                    visitor_id=conversation.visitor_id,
                    reader="agent",
                    seq=seq,
                )
            ]
        )


@transaction.atomic
def do_mark_read(*, user_id: int, conversation_id: uuid.UUID, seq: int) -> int:
    """Raise an agent's read mark in a conversation of its sites (never past the last message)."""
    conversation = agent_conversation(user_id=user_id, conversation_id=conversation_id)
    mark = raise_read_mark(
        user_id=user_id, conversation_id=conversation_id, seq=min(seq, conversation.last_seq)
    )
    raise_agents_read_mark(conversation=conversation, seq=mark)
    return mark


@transaction.atomic
def do_mark_visitor_read(*, visitor_id: uuid.UUID, conversation_id: uuid.UUID, seq: int) -> int | None:
    """Raise the visitor's read mark in one of its own conversations (never lower, never past the last
    message, else `not_found`); the new mark, or None when it did not move (then nothing is announced)."""
    row = (
        Conversation.objects.filter(pk=conversation_id, visitor_id=visitor_id)
        .values_list("last_seq", "visitor_last_read_seq")
        .first()
    )
    if row is None:
        raise ParleyError("not_found", "No such conversation.")
    last_seq, current = row
    seq = min(seq, last_seq)
    if seq <= current:
        return None
    # Conditional: of two tabs reading at once, only the one that moves the mark announces it.
    if not Conversation.objects.filter(pk=conversation_id, visitor_last_read_seq__lt=seq).update(
        visitor_last_read_seq=seq
    ):
        return None
    events.publish(
        [
            events.ReadMarkMoved(
                conversation_id=conversation_id, visitor_id=visitor_id, reader="visitor", seq=seq
            )
        ]
    )
    return seq
