"""Private notes: agent-only lines of a conversation (Activity kind "note"), never sent to a visitor."""

import uuid
from dataclasses import dataclass

from django.contrib.auth.models import User
from django.db import IntegrityError, transaction

from server.conversations import events
from server.conversations.models import Activity
from server.conversations.selectors.inbox import agent_conversation
from server.conversations.services.messages import check_message_body


@dataclass(frozen=True)
class AddedNote:
    """A stored note (its agent loaded), and whether this request stored it (False: a retry)."""

    activity: Activity
    created: bool


def _stored_note(*, conversation_id: uuid.UUID, client_id: str) -> Activity | None:
    return (
        Activity.objects.select_related("agent", "assignee")
        .filter(conversation_id=conversation_id, client_id=client_id, kind=Activity.Kind.NOTE)
        .first()
    )


@transaction.atomic
def do_add_note(*, agent: User, conversation_id: uuid.UUID, client_id: str, body: str) -> AddedNote:
    """Store a note in a conversation of the agent's sites and tell the consoles following it.

    Idempotent by `client_id` per conversation: a retry returns the stored note and announces nothing.
    """
    conversation = agent_conversation(user_id=int(agent.pk), conversation_id=conversation_id)
    clean_body = check_message_body(body=body)
    stored = _stored_note(conversation_id=conversation.pk, client_id=client_id)
    if stored is not None:
        return AddedNote(activity=stored, created=False)
    try:
        with transaction.atomic():
            activity = Activity.objects.create(
                conversation=conversation,
                kind=Activity.Kind.NOTE,
                agent=agent,
                body=clean_body,
                client_id=client_id,
            )
    except IntegrityError:
        # The same note sent twice at once (two tabs of one outbox): the other request stored it.
        raced = _stored_note(conversation_id=conversation.pk, client_id=client_id)
        if raced is None:
            raise
        return AddedNote(activity=raced, created=False)
    events.publish([events.ActivityStored(conversation=conversation, activity=activity, before=None)])
    return AddedNote(activity=activity, created=True)
