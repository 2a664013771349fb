"""Ratings as the console shows them: per agent over the last days (docs/offline.md)."""

from dataclasses import dataclass
from datetime import timedelta

from django.db.models import Count, Q
from django.utils import timezone

from server.conversations.models import Rating
from server.conversations.rules import agent_site_ids


@dataclass(frozen=True)
class AgentRatingCounts:
    """How an agent was rated over the period."""

    agent_id: int
    first_name: str
    username: str
    good: int
    okay: int
    bad: int


def agent_ratings(*, user_id: int, days: int) -> list[AgentRatingCounts]:
    """The ratings of the agent's sites over the last `days`, counted per rated agent, most rated first.

    One grouped query over the index (site, rated_at): it reads only the period's ratings.
    """
    since = timezone.now() - timedelta(days=days)
    rows = (
        Rating.objects.filter(
            site__in=agent_site_ids(user_id=user_id), rated_at__gte=since, agent__isnull=False
        )
        .values("agent_id", "agent__first_name", "agent__username")
        .annotate(
            good=Count("pk", filter=Q(score=Rating.Score.GOOD)),
            okay=Count("pk", filter=Q(score=Rating.Score.OKAY)),
            bad=Count("pk", filter=Q(score=Rating.Score.BAD)),
            total=Count("pk"),
        )
        .order_by("-total", "agent_id")
    )
    return [
        AgentRatingCounts(
            agent_id=row["agent_id"],
            first_name=row["agent__first_name"],
            username=row["agent__username"],
            good=row["good"],
            okay=row["okay"],
            bad=row["bad"],
        )
        for row in rows
    ]
