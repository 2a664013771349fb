"""The owner pages as a door: who may reach them, forged requests, and what a page puts in HTML."""

import pytest
from django.contrib.auth.models import User
from django.test import Client

from server.sites.models import Invitation, Site, SiteMembership

pytestmark = pytest.mark.django_db


def _actions(site: Site, bob: SiteMembership) -> list[tuple[str, dict[str, str]]]:
    base = f"/owner/sites/{site.pk}"
    return [
        (f"{base}/", {"name": "Taken over"}),
        (f"{base}/install/allow-origin/", {"origin": "https://evil.test"}),
        (f"{base}/identity/rotate/", {}),
        (f"{base}/team/invite/", {"email": "mallory@evil.test", "role": "owner"}),
        (f"{base}/team/{bob.pk}/role/", {"role": "owner"}),
        (f"{base}/team/{bob.pk}/remove/", {}),
    ]


def _unchanged(site: Site, secret: str) -> None:
    site.refresh_from_db()
    assert site.name == "Acme"
    assert site.allowed_origin_list() == ["https://shop.acme.test"]
    assert site.identity_secret == secret
    assert SiteMembership.objects.get(user__username="bob").role == "agent"
    assert not Invitation.objects.exists()


def test_an_agent_of_the_site_posting_owner_actions_gets_404_and_nothing_changes(
    client: Client, site_acme: Site, agent_bob: User, owner_olga: User
):
    """Each owner action POSTed by an agent of the site → 404, nothing stored."""
    secret = site_acme.identity_secret
    client.force_login(agent_bob)
    for url, data in _actions(site_acme, SiteMembership.objects.get(user=agent_bob)):
        assert client.post(url, data).status_code == 404, url
    _unchanged(site_acme, secret)


def test_an_owner_of_another_site_gets_404_for_this_one(
    client: Client, site_acme: Site, site_globex: Site, agent_bob: User, agent_eve: User
):
    """Globex's owner POSTing to Acme's pages → 404, nothing stored."""
    SiteMembership.objects.filter(user=agent_eve).update(role="owner")
    secret = site_acme.identity_secret
    client.force_login(agent_eve)
    for url, data in _actions(site_acme, SiteMembership.objects.get(user=agent_bob)):
        assert client.post(url, data).status_code == 404, url
    _unchanged(site_acme, secret)


def test_owner_actions_without_the_csrf_token_are_refused(site_acme: Site, owner_olga: User, agent_bob: User):
    """A cross-site form POST with the owner's cookie but no CSRF token → 403, nothing stored."""
    client = Client(enforce_csrf_checks=True)
    client.force_login(owner_olga)
    secret = site_acme.identity_secret
    for url, data in _actions(site_acme, SiteMembership.objects.get(user=agent_bob)):
        assert client.post(url, data).status_code == 403, url
    _unchanged(site_acme, secret)


def test_a_membership_id_of_another_site_is_not_found(
    client: Client, site_acme: Site, owner_olga: User, agent_eve: User
):
    """Acme's owner removing Globex's member through Acme's page → membership untouched."""
    client.force_login(owner_olga)
    eve = SiteMembership.objects.get(user=agent_eve)
    client.post(f"/owner/sites/{site_acme.pk}/team/{eve.pk}/remove/")
    assert SiteMembership.objects.filter(pk=eve.pk).exists()


def test_markup_in_settings_is_text_on_every_page(client: Client, site_acme: Site, owner_olga: User):
    """A site name and greeting with markup → escaped in the pages and in the preview's JSON."""
    site_acme.name = '<img src=x onerror="alert(1)">'
    site_acme.save()
    client.force_login(owner_olga)
    for page in ("/owner/", f"/owner/sites/{site_acme.pk}/", f"/owner/sites/{site_acme.pk}/install/"):
        html = client.get(page).content.decode()
        assert '<img src=x onerror="alert(1)">' not in html, page
    preview = client.get(
        f"/owner/sites/{site_acme.pk}/preview/", {"widget_greeting": "</script><script>alert(1)</script>"}
    ).content.decode()
    assert "</script><script>alert(1)" not in preview
    assert "\\u003C/script\\u003E" in preview


def test_owner_pages_send_the_strict_csp(client: Client, site_acme: Site, owner_olga: User):
    """Every owner page → the console's CSP with no 'unsafe-inline'."""
    client.force_login(owner_olga)
    for page in ("/owner/", f"/owner/sites/{site_acme.pk}/install/", f"/owner/sites/{site_acme.pk}/team/"):
        policy = client.get(page)["Content-Security-Policy"]
        assert "script-src 'self'" in policy
        assert "unsafe-inline" not in policy
