"""How many conversations each of an agent's inbox views holds, per site (`ready.counts`)."""

from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import QuerySet

from server.conversations import rules
from server.conversations.models import Conversation

VIEW_NAMES = ("open", "unassigned", "resolved", "mine")


@dataclass(frozen=True)
class SiteCounts:
    """The size of each view on one site; `mine` is open and assigned to the agent who asked.

    A view named in `over` holds more than its count: each view is counted up to
    PARLEY_INBOX_COUNT_LIMIT, so reading the counts costs the same however many conversations are stored.
    """

    site_id: int
    open: int
    unassigned: int
    resolved: int
    mine: int
    over: tuple[str, ...] = field(default=())


def _view(*, site_id: int, user_id: int, name: str) -> "QuerySet[Conversation]":
    rows = Conversation.objects.filter(site_id=site_id)
    if name == "resolved":
        return rows.filter(status=Conversation.Status.RESOLVED)
    rows = rows.filter(status=Conversation.Status.OPEN)
    if name == "unassigned":
        return rows.filter(assignee__isnull=True)
    if name == "mine":
        return rows.filter(assignee_id=user_id)
    return rows


def inbox_counts(*, user_id: int) -> list[SiteCounts]:
    """The counts of every site of the agent (zeros included), by site id."""
    limit = settings.PARLEY_INBOX_COUNT_LIMIT
    site_ids = sorted(row["site"] for row in rules.agent_site_ids(user_id=user_id))
    counts = []
    for site_id in site_ids:
        # Each a walk of at most limit + 1 entries of one view's index (conversation_view or
        # conversation_view_assignee), never the whole site's history.
        sizes = {
            name: _view(site_id=site_id, user_id=user_id, name=name).values("pk")[: limit + 1].count()
            for name in VIEW_NAMES
        }
        over = tuple(name for name in VIEW_NAMES if sizes[name] > limit)
        counts.append(
            SiteCounts(site_id=site_id, **{name: min(size, limit) for name, size in sizes.items()}, over=over)
        )
    return counts
