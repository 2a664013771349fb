"""The installation check: the widget's settings request notes where it loads, allowed or refused."""

from collections.abc import Iterator

import pytest
from django.contrib.auth.models import User
from django.test import Client

from server.errors import ParleyError
from server.sites import installation
from server.sites.installation import do_allow_site_origin, installation_check
from server.sites.models import OriginSighting, Site
from tests.conftest import ACME_ORIGIN

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def nothing_noted_yet() -> Iterator[None]:
    """Each test starts with this process having noted nothing."""
    installation._noted_at.clear()
    yield
    installation._noted_at.clear()


def load_widget(client: Client, site: Site, origin: str | None) -> int:
    """The widget's settings request from a page on `origin`; its status."""
    headers = {} if origin is None else {"origin": origin}
    return client.get(f"/api/widget/sites/{site.public_key}/config", headers=headers).status_code


def test_an_allowed_page_is_the_last_seen_and_a_refused_one_is_listed(client: Client, site_acme: Site):
    """A page on the allowed origin → "last seen there"; a page on another → refused, listed."""
    assert installation_check(site=site_acme).last_seen is None
    assert load_widget(client, site_acme, ACME_ORIGIN) == 200
    assert load_widget(client, site_acme, "https://staging.acme.test") == 403
    check = installation_check(site=site_acme)
    assert check.last_seen is not None
    assert check.last_seen.origin == ACME_ORIGIN
    assert [sighting.origin for sighting in check.refused] == ["https://staging.acme.test"]


def test_a_process_notes_an_origin_once_per_interval(client: Client, site_acme: Site, settings):
    """Within PARLEY_ORIGIN_SIGHTING_SECONDS the same page costs no write; after it, the time moves on."""
    load_widget(client, site_acme, ACME_ORIGIN)
    first = OriginSighting.objects.get(site=site_acme).last_seen_at
    load_widget(client, site_acme, ACME_ORIGIN)
    assert OriginSighting.objects.get(site=site_acme).last_seen_at == first
    settings.PARLEY_ORIGIN_SIGHTING_SECONDS = 0
    load_widget(client, site_acme, ACME_ORIGIN)
    assert OriginSighting.objects.get(site=site_acme).last_seen_at > first


@pytest.mark.parametrize(
    "origin",
    [None, "null", "https://shop.acme.test/", "HTTPS://SHOP.ACME.TEST", "https://" + "a" * 300 + ".test"],
)
def test_an_origin_no_browser_sends_is_not_noted(client: Client, site_acme: Site, origin: str | None):
    """A missing Origin, `null`, a path, another case or a host longer than DNS allows: refused, not noted."""
    assert load_widget(client, site_acme, origin) == 403
    assert not OriginSighting.objects.exists()


def test_an_unknown_site_is_not_noted(client: Client, db):
    """A key no site has → 404, and nothing is stored."""
    assert client.get("/api/widget/sites/nope/config", headers={"origin": ACME_ORIGIN}).status_code == 404
    assert not OriginSighting.objects.exists()


def test_a_site_keeps_its_most_recent_refused_origins_only(client: Client, site_acme: Site, settings):
    """Forged origins cannot grow the list: PARLEY_REFUSED_ORIGINS_KEPT, the most recent, stay."""
    settings.PARLEY_REFUSED_ORIGINS_KEPT = 3
    for index in range(6):
        load_widget(client, site_acme, f"https://spam{index}.test")
    assert OriginSighting.objects.filter(site=site_acme, allowed=False).count() == 3
    refused = [sighting.origin for sighting in installation_check(site=site_acme).refused]
    assert refused == ["https://spam5.test", "https://spam4.test", "https://spam3.test"]


def test_adding_a_refused_origin_lets_its_pages_in(client: Client, site_acme: Site):
    """Adding it stores it normalised; the check no longer lists it, and its pages get the settings."""
    load_widget(client, site_acme, "https://staging.acme.test")
    site = do_allow_site_origin(site=site_acme, origin="https://staging.acme.test")
    assert site.allowed_origin_list() == [ACME_ORIGIN, "https://staging.acme.test"]
    assert installation_check(site=site).refused == []
    assert load_widget(client, site, "https://staging.acme.test") == 200
    assert do_allow_site_origin(site=site, origin="https://Staging.acme.test/").allowed_origin_list() == [
        ACME_ORIGIN,
        "https://staging.acme.test",
    ]


def test_adding_an_origin_keeps_the_sites_limit(site_acme: Site, settings):
    """At PARLEY_SITE_ORIGINS_MAX origins, one more is refused and nothing changes."""
    settings.PARLEY_SITE_ORIGINS_MAX = 1
    with pytest.raises(ParleyError) as raised:
        do_allow_site_origin(site=site_acme, origin="https://staging.acme.test")
    assert raised.value.code == "invalid_field"
    site_acme.refresh_from_db()
    assert site_acme.allowed_origin_list() == [ACME_ORIGIN]


def test_the_admin_shows_the_check_and_adds_a_refused_origin(
    client: Client, site_acme: Site, admin_ada: User
):
    """The site's admin page says where the widget was last seen and offers each refused origin's button."""
    load_widget(client, site_acme, ACME_ORIGIN)
    load_widget(client, site_acme, "https://staging.acme.test")
    client.force_login(admin_ada)
    page = client.get(f"/admin/sites/site/{site_acme.pk}/change/").content.decode()
    assert f"Last seen on <strong>{ACME_ORIGIN}</strong> (" in page
    assert 'name="allow_origin" value="https://staging.acme.test"' in page
    response = client.post(
        f"/admin/sites/site/{site_acme.pk}/allow-origin/", {"allow_origin": "https://staging.acme.test"}
    )
    assert response.status_code == 302
    site_acme.refresh_from_db()
    assert "https://staging.acme.test" in site_acme.allowed_origin_list()


def test_only_staff_who_may_change_the_site_can_add_an_origin(
    client: Client, site_acme: Site, agent_bob: User
):
    """An agent (not staff) posting "add this origin" is sent to the admin's login; nothing changes."""
    client.force_login(agent_bob)
    response = client.post(
        f"/admin/sites/site/{site_acme.pk}/allow-origin/", {"allow_origin": "https://x.test"}
    )
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")
    site_acme.refresh_from_db()
    assert site_acme.allowed_origin_list() == [ACME_ORIGIN]
