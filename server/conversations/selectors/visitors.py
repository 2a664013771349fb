"""Reads of a visitor for the console's sidebar, with the permission rule (rules.py)."""

import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from django.conf import settings
from django.db.models import F

from server.conversations import rules
from server.conversations.models import Conversation, Visitor
from server.conversations.user_agents import browser_and_os
from server.errors import ParleyError


@dataclass(frozen=True)
class VisitorDetail:
    """A visitor with its browser and OS read from its User-Agent, and its latest conversations."""

    visitor: Visitor
    browser: str
    os: str
    # Each annotated with `rating_score`, the visitor's rating of it or None (wire.past_conversation_wire).
    conversations: Sequence[Conversation]


def agent_visitor_detail(*, user_id: int, visitor_id: uuid.UUID) -> VisitorDetail:
    """A visitor of one of the agent's sites, else `not_found` (whether or not it exists)."""
    visitor = Visitor.objects.filter(site__in=rules.agent_site_ids(user_id=user_id), pk=visitor_id).first()
    if visitor is None:
        raise ParleyError("not_found", "No such visitor.")
    conversations = list(
        Conversation.objects.filter(visitor=visitor)
        .only("id", "status", "last_seq", "created_at", "updated_at")
        .annotate(rating_score=F("rating__score"))
        .order_by("-created_at")[: settings.PARLEY_VISITOR_CONVERSATIONS_LIMIT]
    )
    browser, system = browser_and_os(visitor.user_agent)
    return VisitorDetail(visitor=visitor, browser=browser, os=system, conversations=conversations)
