"""Ratings per agent over the last days: counted per score, newest period only, the agent's sites only."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from server.conversations.models import Conversation, Rating, Visitor
from server.conversations.selectors.ratings import agent_ratings

pytestmark = pytest.mark.django_db


def rate(site, agent, score: str, *, days_ago: int = 0) -> None:
    """A rated conversation of a fresh visitor."""
    visitor = Visitor.objects.create(site=site)
    conversation = Conversation.objects.create(site=site, visitor=visitor, status="resolved")
    Rating.objects.create(
        conversation=conversation,
        site=site,
        agent=agent,
        score=score,
        rated_at=timezone.now() - timedelta(days=days_ago),
    )


def test_ratings_are_counted_per_agent_within_the_period(site_acme, site_globex, agent_bob, agent_eve):
    """Bob: 2 good, 1 bad in 30 days (an older one left out); Eve's Globex rating is not Bob's to see."""
    rate(site_acme, agent_bob, "good")
    rate(site_acme, agent_bob, "good", days_ago=3)
    rate(site_acme, agent_bob, "bad", days_ago=29)
    rate(site_acme, agent_bob, "bad", days_ago=31)
    rate(site_acme, None, "okay")
    rate(site_globex, agent_eve, "okay")
    with CaptureQueriesContext(connection) as queries:
        (bob,) = agent_ratings(user_id=agent_bob.pk, days=30)
    assert len(queries) == 1
    assert (bob.agent_id, bob.good, bob.okay, bob.bad) == (agent_bob.pk, 2, 0, 1)
