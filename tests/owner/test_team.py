"""The team page: inviting by email, accepting the emailed link, role changes and removals."""

import re

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth.models import User
from django.core import mail
from django.test import Client

from server.sites.models import Site, SiteMembership

pytestmark = pytest.mark.django_db(transaction=True)


def _link() -> str:
    found = re.search(r"https?://\S+/owner/invitations/\S+/", str(mail.outbox[-1].body))
    assert found
    return "/" + found.group(0).split("/", 3)[3]


def test_an_invited_agent_sets_a_password_and_joins(client: Client, site_acme: Site, owner_olga: User):
    """The owner invites by email; the link lets a new person set a password, and they land in the console."""
    client.force_login(owner_olga)
    page = client.post(
        f"/owner/sites/{site_acme.pk}/team/invite/", {"email": "dan@acme.test", "role": "agent"}
    )
    assert "dan@acme.test" in page.content.decode()
    link = _link()
    client.logout()
    assert "Set my password and join" in client.get(link).content.decode()
    weak = client.post(link, {"name": "Dan Brown", "password": "dan"})
    assert weak.status_code == 200
    assert "too short" in weak.content.decode()
    response = client.post(link, {"name": "Dan Brown", "password": "a-long-dan-password"})
    assert response["Location"] == "/console/"
    dan = User.objects.get(email="dan@acme.test")
    assert (dan.first_name, dan.last_name) == ("Dan", "Brown")
    assert SiteMembership.objects.get(site=site_acme, user=dan).role == "agent"
    assert EmailAddress.objects.filter(user=dan, email="dan@acme.test", verified=True, primary=True).exists()
    assert client.get("/console/").status_code == 200
    assert client.get(link).status_code == 404


def test_an_existing_account_logs_in_then_joins(
    client: Client, site_acme: Site, owner_olga: User, agent_eve: User
):
    """An address with an account is asked to log in; logged in, one click joins."""
    agent_eve.email = "eve@globex.test"
    agent_eve.save()
    client.force_login(owner_olga)
    client.post(f"/owner/sites/{site_acme.pk}/team/invite/", {"email": "eve@globex.test", "role": "owner"})
    link = _link()
    client.logout()
    page = client.get(link).content.decode()
    assert "already has a Parley account" in page
    assert "Set my password" not in page
    assert client.post(link, {"password": "x-long-password-1"}).status_code == 200
    assert not SiteMembership.objects.filter(site=site_acme, user=agent_eve).exists()
    client.force_login(agent_eve)
    response = client.post(link)
    assert response["Location"] == f"/owner/sites/{site_acme.pk}/"
    assert SiteMembership.objects.get(site=site_acme, user=agent_eve).role == "owner"


def test_a_bad_link_says_so(client: Client, db: None):
    """A forged link answers 404 with an explanation."""
    response = client.get("/owner/invitations/forged/")
    assert response.status_code == 404
    assert "cannot be used" in response.content.decode()


def test_the_owner_changes_a_role_and_removes_a_member(
    client: Client, site_acme: Site, owner_olga: User, agent_bob: User
):
    """With htmx the team section comes back alone; the last owner cannot demote herself."""
    client.force_login(owner_olga)
    bob = SiteMembership.objects.get(user=agent_bob)
    olga = SiteMembership.objects.get(user=owner_olga)
    htmx = {"HX-Request": "true"}
    section = client.post(
        f"/owner/sites/{site_acme.pk}/team/{olga.pk}/role/", {"role": "agent"}, headers=htmx
    )
    assert "at least one owner" in section.content.decode()
    assert not section.content.decode().lstrip().startswith("<!doctype")
    client.post(f"/owner/sites/{site_acme.pk}/team/{bob.pk}/role/", {"role": "owner"}, headers=htmx)
    assert SiteMembership.objects.get(pk=bob.pk).role == "owner"
    client.post(f"/owner/sites/{site_acme.pk}/team/{bob.pk}/remove/", headers=htmx)
    assert not SiteMembership.objects.filter(pk=bob.pk).exists()
