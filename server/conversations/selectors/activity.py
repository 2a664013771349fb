"""Reads of agent-only activity (assignments, notes) and of the agents who can be assigned."""

import uuid
from itertools import groupby

from django.conf import settings

from server.conversations import rules
from server.conversations.models import Activity
from server.conversations.records import SiteMember
from server.sites.models import SiteMembership


def conversation_activity(*, conversation_id: uuid.UUID) -> list[Activity]:
    """A conversation's agent-only lines, oldest first: the newest PARLEY_ACTIVITY_LIMIT of them."""
    newest = (
        Activity.objects.filter(conversation_id=conversation_id)
        .select_related("agent", "assignee")
        .order_by("-id")[: settings.PARLEY_ACTIVITY_LIMIT]
    )
    return list(reversed(newest))


def site_members(*, user_id: int) -> list[SiteMember]:
    """Every active member of the agent's sites (the agent included), by user id, with which of them."""
    rows = (
        SiteMembership.objects.filter(site__in=rules.agent_site_ids(user_id=user_id), user__is_active=True)
        .order_by("user_id", "site_id")
        .values_list("user_id", "user__first_name", "user__username", "site_id")
    )
    return [
        SiteMember(
            user_id=member_id,
            first_name=member_rows[0][1],
            username=member_rows[0][2],
            site_ids=tuple(row[3] for row in member_rows),
        )
        for member_id, grouped in groupby(rows, key=lambda row: row[0])
        for member_rows in [list(grouped)]
    ]
