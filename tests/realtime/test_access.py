"""Django's signals about agents become AgentAccessChanged events after commit; access is read again."""

from collections.abc import Sequence

import pytest
from django.contrib.auth.models import User
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext

from server.conversations import events
from server.realtime import access, gateway
from server.realtime.groups import agent_group
from server.sites.models import SiteMembership

pytestmark = pytest.mark.django_db(transaction=True)

handed_over: list[events.Event] = []


def collect(published: Sequence[events.Event]) -> None:
    """A publisher that keeps what it is handed."""
    handed_over.extend(published)


@pytest.fixture
def collected(settings) -> list[events.Event]:
    """The events handed over while the test runs."""
    handed_over.clear()
    settings.PARLEY_EVENT_PUBLISHER = "tests.realtime.test_access.collect"
    return handed_over


def changed(user: User, reason: str, session_key: str | None = None) -> events.AgentAccessChanged:
    """The event expected for a user."""
    return events.AgentAccessChanged(user_id=user.pk, reason=reason, session_key=session_key)  # type: ignore[arg-type]


def test_deactivation_is_announced_after_commit_and_not_on_rollback(collected, agent_bob):
    """is_active → False: one event once committed; a rolled-back deactivation, none."""

    def deactivate_then_fail() -> None:
        with transaction.atomic():
            agent_bob.is_active = False
            agent_bob.save()
            raise RuntimeError

    with pytest.raises(RuntimeError):
        deactivate_then_fail()
    assert collected == []
    with transaction.atomic():
        agent_bob.save()
        assert collected == []
    assert collected == [changed(agent_bob, "deactivated")]


def test_a_new_password_is_announced(collected, agent_bob):
    """set_password then save → password_changed."""
    agent_bob.set_password("another-password-3")
    agent_bob.save()
    assert collected == [changed(agent_bob, "password_changed")]


def test_a_login_saves_last_login_without_a_read_or_an_event(collected, agent_bob):
    """save(update_fields=["last_login"]) is neither read again nor announced."""
    with CaptureQueriesContext(connection) as captured:
        agent_bob.save(update_fields=["last_login"])
    assert len(captured.captured_queries) == 1
    agent_bob.first_name = "Robert"
    agent_bob.save()
    assert collected == []


def test_logout_names_the_session_that_ended(collected, agent_bob):
    """A console logout → signed_out carrying that session's key."""
    client = Client()
    client.force_login(agent_bob)
    session_key = client.cookies["sessionid"].value
    client.post("/console/logout/")
    assert collected == [changed(agent_bob, "signed_out", session_key)]


def test_memberships_removed_or_moved_are_announced(collected, agent_bob, agent_eve, site_acme, site_globex):
    """A membership deleted, or moved to another user, is site_removed for its (former) user."""
    membership = SiteMembership.objects.get(user=agent_eve)
    membership.user = agent_bob
    membership.save()
    SiteMembership.objects.filter(site=site_acme).delete()
    assert collected == [changed(agent_eve, "site_removed"), changed(agent_bob, "site_removed")]


def test_a_deleted_user_is_announced_as_deleted_even_through_its_memberships(collected, agent_bob):
    """Deleting the user cascades to its memberships: every event says deleted (4401), none site_removed."""
    User.objects.filter(pk=agent_bob.pk).delete()
    assert collected
    assert set(collected) == {changed(agent_bob, "deleted")}


def test_the_gateway_sends_a_close_code_and_a_session_fingerprint(agent_bob):
    """signed_out → 4401 to the agent's group with a fingerprint, never the key; site_removed → 4003."""
    [(group, message)] = gateway.layer_events([changed(agent_bob, "signed_out", "secret-key")])
    assert group == agent_group(agent_bob.pk)
    assert message["close_code"] == 4401
    assert message["session"] == access.session_fingerprint("secret-key")
    assert "secret-key" not in str(message)
    [(_, removed)] = gateway.layer_events([changed(agent_bob, "site_removed")])
    assert (removed["close_code"], removed["session"]) == (4003, None)


def test_current_access_reads_the_session_the_user_and_the_sites(agent_bob, site_acme):
    """A live session of an active member → signed in with its sites; logged out or inactive → not."""
    client = Client()
    client.force_login(agent_bob)
    key = client.cookies["sessionid"].value
    assert access.current_access(user_id=agent_bob.pk, session_key=key) == access.AgentAccess(
        signed_in=True, site_ids=frozenset({site_acme.pk})
    )
    assert not access.current_access(user_id=agent_bob.pk + 1, session_key=key).signed_in
    User.objects.filter(pk=agent_bob.pk).update(is_active=False)
    assert access.current_access(user_id=agent_bob.pk, session_key=key) == access.AgentAccess(
        signed_in=False, site_ids=frozenset()
    )
    User.objects.filter(pk=agent_bob.pk).update(is_active=True)
    client.post("/console/logout/")
    assert not access.current_access(user_id=agent_bob.pk, session_key=key).signed_in
    assert not access.current_access(user_id=agent_bob.pk, session_key=None).signed_in
