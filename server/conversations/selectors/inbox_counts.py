"""How many conversations each of an agent's inbox views holds, per site (`ready.counts`)."""

from dataclasses import dataclass

from django.db.models import Count, Q

from server.conversations import rules
from server.conversations.models import Conversation


@dataclass(frozen=True)
class SiteCounts:
    """The size of each view on one site; `mine` is open and assigned to the agent who asked."""

    site_id: int
    open: int
    unassigned: int
    resolved: int
    mine: int


def inbox_counts(*, user_id: int) -> list[SiteCounts]:
    """The counts of every site of the agent (zeros included), by site id."""
    site_ids = sorted(row["site"] for row in rules.agent_site_ids(user_id=user_id))
    is_open = Q(status=Conversation.Status.OPEN)
    rows = (
        Conversation.objects.filter(site_id__in=site_ids)
        .values("site_id")
        .annotate(
            open=Count("id", filter=is_open),
            unassigned=Count("id", filter=is_open & Q(assignee__isnull=True)),
            resolved=Count("id", filter=Q(status=Conversation.Status.RESOLVED)),
            mine=Count("id", filter=is_open & Q(assignee_id=user_id)),
        )
        .order_by()
    )
    by_site = {row["site_id"]: row for row in rows}
    return [
        SiteCounts(
            site_id=site_id,
            open=by_site.get(site_id, {}).get("open", 0),
            unassigned=by_site.get(site_id, {}).get("unassigned", 0),
            resolved=by_site.get(site_id, {}).get("resolved", 0),
            mine=by_site.get(site_id, {}).get("mine", 0),
        )
        for site_id in site_ids
    ]
