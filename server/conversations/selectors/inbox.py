"""Reads of an agent's inbox, with the permission rule (rules.py): a conversation outside your sites is
`not_found`."""

import uuid
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.db.models import QuerySet

from server.conversations import rules
from server.conversations.models import AgentReadMark, Conversation
from server.conversations.records import MessagePage
from server.conversations.selectors.history import messages_after
from server.errors import ParleyError
from server.sites.models import Site


def summary_query() -> QuerySet[Conversation]:
    """Conversations with everything an inbox row shows, in one query."""
    return Conversation.objects.select_related(
        "site", "visitor", "assignee", "last_message", "last_message__agent"
    )


def agent_conversation(*, user_id: int, conversation_id: uuid.UUID) -> Conversation:
    """A conversation of one of the agent's sites, else `not_found` (whether or not it exists)."""
    conversation = (
        summary_query().filter(rules.agent_conversations(user_id=user_id), pk=conversation_id).first()
    )
    if conversation is None:
        raise ParleyError("not_found", "No such conversation.")
    return conversation


@dataclass(frozen=True)
class AgentInbox:
    """What an agent's socket starts with: the agent's sites, its latest conversations and its marks."""

    user: AbstractBaseUser
    sites: list[Site]
    conversations: list[Conversation]
    last_read_seqs: dict[uuid.UUID, int]


def agent_inbox(*, user: AbstractBaseUser) -> AgentInbox:
    """The agent's sites by name and inbox, latest activity first (at most PARLEY_INBOX_LIMIT)."""
    user_id = int(user.pk)
    sites = list(Site.objects.filter(pk__in=rules.agent_site_ids(user_id=user_id)).order_by("name"))
    conversations = list(
        summary_query()
        .filter(rules.agent_conversations(user_id=user_id))
        .order_by("-updated_at")[: settings.PARLEY_INBOX_LIMIT]
    )
    marks = dict(
        AgentReadMark.objects.filter(user_id=user_id, conversation__in=conversations).values_list(
            "conversation_id", "last_read_seq"
        )
    )
    return AgentInbox(user=user, sites=sites, conversations=conversations, last_read_seqs=marks)


def agent_history(*, user_id: int, conversation_id: uuid.UUID, after_seq: int) -> MessagePage:
    """The messages after a seq in a conversation of the agent's sites, else `not_found`."""
    agent_conversation(user_id=user_id, conversation_id=conversation_id)
    return messages_after(conversation_id=conversation_id, after_seq=after_seq)
