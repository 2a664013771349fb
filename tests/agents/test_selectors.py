"""Reads of agents' own settings: preferences with their defaults, and whom to push to."""

import pytest
from django.contrib.auth.models import User

from server.agents.selectors import agent_preferences, default_preferences, push_targets, site_member_ids
from server.agents.services import check_subscription, do_set_preferences, do_subscribe
from server.conversations import events
from tests.agents.test_services import PUSH_URL, subscription

pytestmark = pytest.mark.django_db


def test_an_agent_without_a_row_has_the_defaults(agent_bob: User):
    """Desktop notifications and the title count on, Web Push and sound off, until the agent changes them."""
    assert agent_preferences(user_id=agent_bob.pk) == default_preferences()
    assert default_preferences().as_dict() == {
        "desktop": True,
        "push": False,
        "sound": False,
        "title_count": True,
    }


def test_push_targets_are_the_subscriptions_of_agents_with_push_on(agent_bob, agent_eve, monkeypatch):
    """Push off (the default), an inactive agent, or no subscription: nothing to push to."""
    monkeypatch.setattr(events, "publish", lambda batch: None)
    do_subscribe(user_id=agent_bob.pk, subscription=check_subscription(data=subscription()))
    assert push_targets(user_ids=[agent_bob.pk]) == []
    do_set_preferences(user_id=agent_bob.pk, changes={"push": True})
    do_set_preferences(user_id=agent_eve.pk, changes={"push": True})
    [target] = push_targets(user_ids=[agent_bob.pk, agent_eve.pk])
    assert (target.user_id, target.endpoint) == (agent_bob.pk, PUSH_URL)
    User.objects.filter(pk=agent_bob.pk).update(is_active=False)
    assert push_targets(user_ids=[agent_bob.pk]) == []


def test_site_members_are_its_active_agents(agent_bob, agent_eve, site_acme):
    """An agent of another site, or deactivated, is not a member to notify."""
    assert site_member_ids(site_id=site_acme.pk) == [agent_bob.pk]
    User.objects.filter(pk=agent_bob.pk).update(is_active=False)
    assert site_member_ids(site_id=site_acme.pk) == []
