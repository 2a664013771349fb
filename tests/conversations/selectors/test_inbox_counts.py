"""Inbox counts, each view counted up to PARLEY_INBOX_COUNT_LIMIT (SQLite and, in `make test-postgres`,
PostgreSQL)."""

import pytest

from server.conversations.models import Conversation
from server.conversations.selectors.inbox_counts import SiteCounts, inbox_counts
from tests.conversations.selectors.test_inbox_views import conversations

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_view_over_the_limit_is_counted_to_the_limit_and_named_in_over(agent_bob, site_acme, settings):
    """Three resolved with a limit of two: resolved 2 and over ('resolved'); the views under it are exact."""
    settings.PARLEY_INBOX_COUNT_LIMIT = 2
    made = conversations(site_acme, 4)
    Conversation.objects.filter(pk__in=made[:3]).update(status="resolved")
    Conversation.objects.filter(pk=made[3]).update(assignee=agent_bob)
    assert inbox_counts(user_id=agent_bob.pk) == [
        SiteCounts(site_id=site_acme.pk, open=1, unassigned=0, resolved=2, mine=1, over=("resolved",))
    ]


def test_a_view_at_the_limit_is_exact(agent_bob, site_acme, settings):
    """Exactly the limit is not over."""
    settings.PARLEY_INBOX_COUNT_LIMIT = 2
    conversations(site_acme, 2)
    assert inbox_counts(user_id=agent_bob.pk) == [
        SiteCounts(site_id=site_acme.pk, open=2, unassigned=2, resolved=0, mine=0, over=())
    ]
