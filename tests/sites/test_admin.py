"""The sites admin: the key it shows, and origins held to the same rules as every other way in."""

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.utils.html import escape

from server.sites.models import Site
from server.sites.selectors import embed_code

pytestmark = pytest.mark.django_db


def site_form(**changes: str) -> dict[str, str]:
    """What the admin's site form posts."""
    return {
        "name": "Initech",
        "allowed_origins": "https://initech.test",
        "widget_color": "#123456",
        "widget_greeting": "Hi",
        "widget_away_message": "Away",
        "widget_position": "right",
        "business_timezone": "UTC",
        "memberships-TOTAL_FORMS": "0",
        "memberships-INITIAL_FORMS": "0",
        **changes,
    }


def test_the_add_form_shows_no_key_until_the_site_is_saved(client: Client, admin_ada: User, settings):
    """The add page shows no key (a default there is never the key saved); the saved site shows its own and
    its embed code."""
    client.force_login(admin_ada)
    page = client.get("/admin/sites/site/add/").content.decode()
    assert "Made when the site is saved." in page
    response = client.post("/admin/sites/site/add/", site_form())
    assert response.status_code == 302, response.content.decode()[:2000]
    site = Site.objects.get(name="Initech")
    assert site.public_key not in page
    saved = client.get(f"/admin/sites/site/{site.pk}/change/").content.decode()
    assert site.public_key in saved
    assert escape(embed_code(site=site, server_url=settings.PARLEY_PUBLIC_URL)) + "</textarea>" in saved


def test_the_admin_stores_a_wildcard_origin_normalised(client: Client, admin_ada: User):
    """A subdomain wildcard is accepted and stored as the sockets and CORS read it."""
    client.force_login(admin_ada)
    posted = site_form(allowed_origins="https://*.Initech.test\nhttps://initech.test:443/")
    assert client.post("/admin/sites/site/add/", posted).status_code == 302
    assert Site.objects.get(name="Initech").allowed_origins == "https://*.initech.test\nhttps://initech.test"


def test_the_admin_refuses_a_too_wide_wildcard(client: Client, admin_ada: User):
    """`https://*.com` is refused with the rule's message, and nothing is saved."""
    client.force_login(admin_ada)
    response = client.post("/admin/sites/site/add/", site_form(allowed_origins="https://*.com"))
    assert response.status_code == 200
    assert "is too wide" in response.content.decode()
    assert not Site.objects.filter(name="Initech").exists()


def test_the_identity_secret_is_shown_and_rotates_with_an_overlap(client: Client, admin_ada: User, site_acme):
    """The site's page shows its secret; Rotate gives a new one and says until when the old one holds."""
    client.force_login(admin_ada)
    old = site_acme.identity_secret
    assert f'value="{old}"' in client.get(f"/admin/sites/site/{site_acme.pk}/change/").content.decode()
    response = client.post(f"/admin/sites/site/{site_acme.pk}/rotate-identity-secret/", {"rotate": "1"})
    assert response.status_code == 302
    site_acme.refresh_from_db()
    assert (site_acme.identity_secret_previous, site_acme.identity_secret != old) == (old, True)
    page = client.get(f"/admin/sites/site/{site_acme.pk}/change/").content.decode()
    assert f'value="{site_acme.identity_secret}"' in page
    assert "The previous secret is accepted until" in page


def test_rotating_the_secret_is_a_post_by_staff_only(client: Client, agent_bob: User, site_acme):
    """A GET, or an agent who is not staff, changes nothing."""
    old = site_acme.identity_secret
    client.force_login(agent_bob)
    assert client.post(f"/admin/sites/site/{site_acme.pk}/rotate-identity-secret/").status_code == 302
    site_acme.refresh_from_db()
    assert site_acme.identity_secret == old


def test_the_admin_can_require_verified_identities(client: Client, admin_ada: User):
    """The site form's checkbox stores identity_required."""
    client.force_login(admin_ada)
    assert client.post("/admin/sites/site/add/", site_form(identity_required="on")).status_code == 302
    assert Site.objects.get(name="Initech").identity_required
