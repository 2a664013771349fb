"""How many conversations each of an agent's inbox views holds, per site (`ready.counts`)."""

from dataclasses import dataclass, field

from django.conf import settings

from server.conversations import rules
from server.conversations.models import Conversation
from server.conversations.selectors.inbox_views import VIEWS, view_filter


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


def inbox_counts(*, user_id: int) -> list[SiteCounts]:
    """The counts of every site of the agent (zeros included), by site id."""
    limit = settings.PARLEY_INBOX_COUNT_LIMIT
    site_ids = sorted(row["site"] for row in rules.agent_site_ids(user_id=user_id))
    counts = []
    for site_id in site_ids:
        # Each a walk of at most limit + 1 entries of one view's index (conversation_view or
        # conversation_view_assignee), never the whole site's history.
        sizes: dict[str, int] = {
            name: Conversation.objects.filter(view_filter(view=name, user_id=user_id), site_id=site_id)
            .values("pk")[: limit + 1]
            .count()
            for name in VIEWS
        }
        over = tuple(name for name in VIEWS if sizes[name] > limit)
        counts.append(
            SiteCounts(site_id=site_id, **{name: min(size, limit) for name, size in sizes.items()}, over=over)
        )
    return counts
