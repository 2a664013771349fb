"""Reads of an agent's inbox, with the permission rule (rules.py): a conversation outside your sites is
`not_found`."""

import uuid
from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser

from server.conversations import rules
from server.conversations.models import Conversation
from server.conversations.records import MessagePage
from server.conversations.selectors.history import messages_after
from server.conversations.selectors.inbox_counts import SiteCounts, inbox_counts
from server.conversations.selectors.inbox_views import InboxPage, InboxQuery, inbox_page
from server.conversations.selectors.summaries import summary_query as summary_query
from server.errors import ParleyError
from server.sites.models import Site


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
    """What an agent's socket starts with: the agent's sites, the first page of "open" and the counts."""

    user: AbstractBaseUser
    sites: list[Site]
    first_page: InboxPage
    counts: list[SiteCounts]


def agent_inbox(*, user: AbstractBaseUser) -> AgentInbox:
    """The agent's sites by name, the first page of its "open" view and every view's count per site."""
    user_id = int(user.pk)
    sites = list(Site.objects.filter(pk__in=rules.agent_site_ids(user_id=user_id)).order_by("name"))
    return AgentInbox(
        user=user,
        sites=sites,
        first_page=inbox_page(user_id=user_id, query=InboxQuery(view="open")),
        counts=inbox_counts(user_id=user_id),
    )


def agent_history(*, user_id: int, conversation_id: uuid.UUID, after_seq: int) -> MessagePage:
    """The messages after a seq in a conversation of the agent's sites, else `not_found`."""
    agent_conversation(user_id=user_id, conversation_id=conversation_id)
    return messages_after(conversation_id=conversation_id, after_seq=after_seq)
