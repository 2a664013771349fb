"""Reads of agent-only activity and of the agents an agent can assign to."""

import uuid

import pytest
from django.contrib.auth.models import User

from server.conversations.models import Activity
from server.conversations.selectors.activity import conversation_activity, site_members
from server.conversations.services.messages import do_post_visitor_message
from server.sites.models import SiteMembership
from server.sites.services import do_add_site_member

pytestmark = pytest.mark.django_db


def test_a_conversation_sends_its_newest_activity_oldest_first(visitor_alice, agent_bob, settings):
    """At most PARLEY_ACTIVITY_LIMIT lines, the newest, in the order they happened."""
    settings.PARLEY_ACTIVITY_LIMIT = 3
    posted = do_post_visitor_message(
        visitor_id=uuid.UUID(visitor_alice.visitor_id), client_id="c1", body="hi"
    )
    for index in range(5):
        Activity.objects.create(
            conversation_id=posted.conversation_id, kind="note", agent=agent_bob, body=f"note {index}"
        )
    lines = conversation_activity(conversation_id=posted.conversation_id)
    assert [line.body for line in lines] == ["note 2", "note 3", "note 4"]


def test_the_agents_of_an_agents_sites_name_their_shared_sites(site_acme, site_globex, agent_bob, agent_eve):
    """Every active member of the agent's sites, once, with which of those sites; no one from elsewhere."""
    both = User.objects.create_user(username="max", first_name="Max", password="max-password-1")
    for site in (site_acme, site_globex):
        do_add_site_member(site=site, user=both, role=SiteMembership.Role.AGENT)
    gone = User.objects.create_user(username="old", is_active=False, password="old-password-1")
    do_add_site_member(site=site_acme, user=gone, role=SiteMembership.Role.AGENT)
    members = {member.user_id: member for member in site_members(user_id=agent_bob.pk)}
    assert set(members) == {agent_bob.pk, both.pk}
    assert members[both.pk].site_ids == (site_acme.pk,)
    assert (members[agent_bob.pk].first_name, members[agent_bob.pk].username) == ("Bob", "bob")
    as_max = {member.user_id: member.site_ids for member in site_members(user_id=both.pk)}
    assert as_max == {
        agent_bob.pk: (site_acme.pk,),
        agent_eve.pk: (site_globex.pk,),
        both.pk: tuple(sorted((site_acme.pk, site_globex.pk))),
    }
