"""How many conversations each of an agent's inbox views holds, per site (`ready.counts`)."""

from dataclasses import dataclass

from django.db.models import Count

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
    # One row per (site, status, assignee): an index-only walk of conversation_view_assignee, summed here.
    rows = (
        Conversation.objects.filter(site_id__in=site_ids)
        .values_list("site_id", "status", "assignee_id")
        .annotate(n=Count("*"))
        .order_by()
    )
    by_site = {site_id: dict.fromkeys(("open", "unassigned", "resolved", "mine"), 0) for site_id in site_ids}
    for site_id, status, assignee_id, n in rows:
        counts = by_site[site_id]
        if status == Conversation.Status.RESOLVED:
            counts["resolved"] += n
            continue
        counts["open"] += n
        if assignee_id is None:
            counts["unassigned"] += n
        elif assignee_id == user_id:
            counts["mine"] += n
    return [SiteCounts(site_id=site_id, **counts) for site_id, counts in by_site.items()]
