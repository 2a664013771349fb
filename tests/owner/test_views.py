"""The owner pages of a site: only its owners see them; settings, preview and installation."""

import json
import re

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.utils import timezone

from server.sites.models import OriginSighting, Site, SiteMembership

pytestmark = pytest.mark.django_db

SITE_PAGES = [
    "/owner/sites/{id}/",
    "/owner/sites/{id}/install/",
    "/owner/sites/{id}/team/",
    "/owner/sites/{id}/preview/",
]


def settings_form(**changes: str) -> dict[str, str]:
    """What the settings page posts."""
    return {
        "name": "Acme",
        "allowed_origins": "https://shop.acme.test",
        "widget_color": "#123456",
        "widget_position": "left",
        "widget_launcher_text": "Chat",
        "widget_greeting": "Hello!",
        "widget_away_message": "Back soon.",
        "widget_language": "fr",
        "business_timezone": "Europe/Paris",
        "hours_0": "09:00-17:00",
        **changes,
    }


@pytest.mark.parametrize("page", SITE_PAGES)
def test_a_sites_pages_are_for_its_owners(
    page: str, client: Client, site_acme: Site, agent_bob: User, agent_eve: User
):
    """Anonymous → log in; an agent of the site or someone of another site → 404."""
    url = page.format(id=site_acme.pk)
    assert client.get(url).status_code == 302
    for user in (agent_bob, agent_eve):
        client.force_login(user)
        assert client.get(url).status_code == 404


def test_a_new_owner_is_sent_to_create_a_site(client: Client, db: None):
    """Someone with no site lands on the create form; creating makes them its owner."""
    user = User.objects.create_user(username="nina", password="nina-password-1")
    client.force_login(user)
    response = client.get("/owner/")
    assert (response.status_code, response["Location"]) == (302, "/owner/sites/new/")
    assert "Create your first site" in client.get("/owner/sites/new/").content.decode()
    response = client.post(
        "/owner/sites/new/", {"name": "Nina's shop", "allowed_origins": "https://Nina.test/"}
    )
    site = Site.objects.get(name="Nina's shop")
    assert response["Location"] == f"/owner/sites/{site.pk}/install/"
    assert site.allowed_origins == "https://nina.test"
    assert SiteMembership.objects.get(site=site).role == "owner"


def test_a_bad_origin_is_refused_on_create(client: Client, db: None):
    """The create form holds origins to the same rules: nothing is saved."""
    client.force_login(User.objects.create_user(username="nina"))
    response = client.post("/owner/sites/new/", {"name": "X", "allowed_origins": "https://*.com"})
    assert response.status_code == 200
    assert "too wide" in response.content.decode()
    assert not Site.objects.exists()


def test_the_owner_saves_every_setting(client: Client, site_acme: Site, owner_olga: User):
    """The settings page stores style, words, language, hours and timezone."""
    client.force_login(owner_olga)
    response = client.post(f"/owner/sites/{site_acme.pk}/", settings_form())
    assert response.status_code == 302, response.content.decode()[:3000]
    site_acme.refresh_from_db()
    assert (site_acme.widget_color, site_acme.widget_position, site_acme.widget_launcher_text) == (
        "#123456",
        "left",
        "Chat",
    )
    assert (site_acme.widget_language, site_acme.business_timezone) == ("fr", "Europe/Paris")
    assert site_acme.business_hours == [{"day": 0, "start": "09:00", "end": "17:00"}]


def test_bad_settings_are_shown_and_nothing_is_saved(client: Client, site_acme: Site, owner_olga: User):
    """A bad colour and impossible hours come back as field errors."""
    client.force_login(owner_olga)
    response = client.post(
        f"/owner/sites/{site_acme.pk}/", settings_form(widget_color="red;}", hours_3="18:00-09:00")
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "must look like #4f46e5" in page
    assert "opening time must come before the closing time" in page
    site_acme.refresh_from_db()
    assert site_acme.widget_color == "#4f46e5"


def test_the_settings_page_may_frame_its_preview(client: Client, site_acme: Site, owner_olga: User):
    """The page's CSP lets it frame the preview, and only the preview lets itself be framed by the server."""
    client.force_login(owner_olga)
    page = client.get(f"/owner/sites/{site_acme.pk}/")
    assert "frame-src 'self'" in page["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in page["Content-Security-Policy"]
    preview = client.get(f"/owner/sites/{site_acme.pk}/preview/")
    assert "frame-ancestors 'self'" in preview["Content-Security-Policy"]
    assert preview["X-Frame-Options"] == "SAMEORIGIN"


def _preview_config(html: str) -> dict[str, object]:
    found = re.search(r'<script id="preview-config" type="application/json">(.*?)</script>', html, re.S)
    assert found
    return dict(json.loads(found.group(1))["site"])


def test_the_preview_shows_unsaved_settings(client: Client, site_acme: Site, owner_olga: User):
    """The preview's widget config is the unsaved form's, in the widget's config shape; nothing is saved."""
    client.force_login(owner_olga)
    query = settings_form(widget_color="#ff0000", widget_greeting="Unsaved <b>hi</b>", widget_language="ar")
    config = _preview_config(client.get(f"/owner/sites/{site_acme.pk}/preview/", query).content.decode())
    assert (config["color"], config["greeting"], config["language"], config["position"]) == (
        "#ff0000",
        "Unsaved <b>hi</b>",
        "ar",
        "left",
    )
    site_acme.refresh_from_db()
    assert site_acme.widget_greeting == "Hi! How can we help?"


def test_the_preview_keeps_saved_values_for_bad_fields(client: Client, site_acme: Site, owner_olga: User):
    """A colour that does not validate (it would go into CSS) previews as the saved one."""
    client.force_login(owner_olga)
    query = settings_form(widget_color="red;}", hours_1="nonsense")
    config = _preview_config(client.get(f"/owner/sites/{site_acme.pk}/preview/", query).content.decode())
    assert config["color"] == "#4f46e5"
    assert config["greeting"] == "Hello!"


def test_the_install_page_shows_the_embed_code_and_the_check(
    client: Client, site_acme: Site, owner_olga: User
):
    """The embed code, its copy button, the identity secret, and where the widget was seen or refused."""
    now = timezone.now()
    OriginSighting.objects.create(
        site=site_acme, origin="https://shop.acme.test", allowed=True, first_seen_at=now, last_seen_at=now
    )
    OriginSighting.objects.create(
        site=site_acme, origin="https://staging.acme.test", allowed=False, first_seen_at=now, last_seen_at=now
    )
    client.force_login(owner_olga)
    page = client.get(f"/owner/sites/{site_acme.pk}/install/").content.decode()
    assert f"data-site=&quot;{site_acme.public_key}&quot;" in page
    assert "Copy the embed code" in page
    assert "Last seen on <strong>https://shop.acme.test</strong> (" in page
    assert 'value="https://staging.acme.test"' in page
    assert site_acme.identity_secret in page
    fragment = client.get(f"/owner/sites/{site_acme.pk}/install/check/").content.decode()
    assert fragment.lstrip().startswith('<div id="installation-check"')


def test_add_this_origin_allows_a_refused_page(client: Client, site_acme: Site, owner_olga: User):
    """The check's button adds the refused origin to the site."""
    client.force_login(owner_olga)
    response = client.post(
        f"/owner/sites/{site_acme.pk}/install/allow-origin/", {"origin": "https://staging.acme.test"}
    )
    assert response.status_code == 302
    site_acme.refresh_from_db()
    assert site_acme.allowed_origin_list() == ["https://shop.acme.test", "https://staging.acme.test"]


def test_rotating_the_identity_secret_keeps_the_previous_one(
    client: Client, site_acme: Site, owner_olga: User
):
    """Rotate gives a new secret and shows until when the previous one is accepted."""
    client.force_login(owner_olga)
    before = site_acme.identity_secret
    client.post(f"/owner/sites/{site_acme.pk}/identity/rotate/")
    site_acme.refresh_from_db()
    assert site_acme.identity_secret != before
    assert site_acme.identity_secret_previous == before
    assert (
        "The previous secret is still accepted until"
        in client.get(f"/owner/sites/{site_acme.pk}/install/").content.decode()
    )


def test_owner_actions_need_post(client: Client, site_acme: Site, owner_olga: User):
    """A GET on an action changes nothing."""
    client.force_login(owner_olga)
    assert client.get(f"/owner/sites/{site_acme.pk}/identity/rotate/").status_code == 405
    assert client.get(f"/owner/sites/{site_acme.pk}/install/allow-origin/").status_code == 405
