"""The conversation lifecycle an agent drives: assign (to themself or a colleague of the site), unassign,
resolve and reopen. Resolve and reopen are system lines in the seq stream (the visitor sees them);
assignments are agent-only activity lines."""

import uuid
from dataclasses import dataclass

from django.contrib.auth.models import User
from django.db import transaction

from server.conversations import events, rules
from server.conversations.models import Activity, Conversation
from server.conversations.selectors.inbox import summary_query
from server.conversations.services.message_rows import change_status, check_not_superseded
from server.errors import ParleyError
from server.sites.models import SiteMembership


@dataclass(frozen=True)
class WorkflowChange:
    """A conversation after an agent's request (site, visitor, assignee and last message loaded), and
    whether anything changed (a no-op stores nothing: the requester is sent its row instead)."""

    conversation: Conversation
    changed: bool


def check_assignee(*, site_id: int, assignee_id: int | None) -> User | None:
    """The active member of the site an assignment names (None unassigns), else `invalid_field`."""
    if assignee_id is None:
        return None
    membership = (
        SiteMembership.objects.select_related("user")
        .filter(site_id=site_id, user_id=assignee_id, user__is_active=True)
        .first()
    )
    if membership is None:
        raise ParleyError("invalid_field", "Field 'assignee_id' must be an active agent of the site.")
    return membership.user


@transaction.atomic
def do_assign_conversation(
    *, agent: User, conversation_id: uuid.UUID, assignee_id: int | None
) -> WorkflowChange:
    """Assign a conversation of the agent's sites to an active agent of its site, or unassign it (None)."""
    conversation = _lock_conversation(user_id=int(agent.pk), conversation_id=conversation_id)
    assignee = check_assignee(site_id=conversation.site_id, assignee_id=assignee_id)
    if conversation.assignee_id == assignee_id:
        return WorkflowChange(conversation=conversation, changed=False)
    before = events.ConversationState(conversation.status, conversation.assignee_id)
    conversation.assignee = assignee
    Conversation.objects.filter(pk=conversation.pk).update(assignee=assignee)
    kind = Activity.Kind.ASSIGNED if assignee is not None else Activity.Kind.UNASSIGNED
    activity = Activity.objects.create(conversation=conversation, kind=kind, agent=agent, assignee=assignee)
    events.publish([events.ActivityStored(conversation=conversation, activity=activity, before=before)])
    return WorkflowChange(conversation=conversation, changed=True)


@transaction.atomic
def do_resolve_conversation(*, agent: User, conversation_id: uuid.UUID) -> WorkflowChange:
    """Resolve a conversation of the agent's sites (a system line the visitor sees too)."""
    conversation = _lock_conversation(user_id=int(agent.pk), conversation_id=conversation_id)
    if conversation.status == Conversation.Status.RESOLVED:
        return WorkflowChange(conversation=conversation, changed=False)
    change_status(conversation=conversation, agent=agent, status=Conversation.Status.RESOLVED)
    return WorkflowChange(conversation=conversation, changed=True)


@transaction.atomic
def do_reopen_conversation(*, agent: User, conversation_id: uuid.UUID) -> WorkflowChange:
    """Reopen a resolved conversation of the agent's sites, unless its visitor has started a newer one
    (`conversation_superseded`)."""
    conversation = _lock_conversation(user_id=int(agent.pk), conversation_id=conversation_id)
    if conversation.status == Conversation.Status.OPEN:
        return WorkflowChange(conversation=conversation, changed=False)
    check_not_superseded(conversation=conversation)
    change_status(conversation=conversation, agent=agent, status=Conversation.Status.OPEN)
    return WorkflowChange(conversation=conversation, changed=True)


def _lock_conversation(*, user_id: int, conversation_id: uuid.UUID) -> Conversation:
    """Lock a conversation of the agent's sites (rules.py) with what its inbox row shows, else `not_found`."""
    conversation = (
        summary_query()
        .select_for_update(of=("self",))
        .filter(rules.agent_conversations(user_id=user_id), pk=conversation_id)
        .first()
    )
    if conversation is None:
        raise ParleyError("not_found", "No such conversation.")
    return conversation
