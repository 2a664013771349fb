"""The widget API's limits: requests per IP, new visitors per IP and per site; 429 JSON with Retry-After."""

from typing import Any

import pytest
from django.test import Client

from server.conversations.models import Visitor
from server.sites.models import Site
from tests.conftest import ACME_ORIGIN

pytestmark = pytest.mark.django_db


def session_from(client: Client, site: Site, ip: str, body: dict[str, Any] | None = None) -> Any:
    """POST a session request from a client at `ip`."""
    return client.post(
        f"/api/widget/sites/{site.public_key}/session",
        data=body or {},
        content_type="application/json",
        headers={"origin": ACME_ORIGIN},
        REMOTE_ADDR=ip,
    )


def config_from(client: Client, site: Site, ip: str, *, forwarded_for: str | None = None) -> Any:
    """GET a site's widget config from a client at `ip` (a proxy, when it adds X-Forwarded-For)."""
    headers = {"origin": ACME_ORIGIN}
    if forwarded_for is not None:
        headers["x-forwarded-for"] = forwarded_for
    return client.get(f"/api/widget/sites/{site.public_key}/config", headers=headers, REMOTE_ADDR=ip)


def test_requests_over_the_ip_limit_get_429_json_with_retry_after(client, settings, site_acme):
    """3/minute per IP, a 4th request → 429, code rate_limited, retry_after in the body and Retry-After."""
    settings.PARLEY_LIMIT_WIDGET_REQUESTS_PER_IP = "3/minute"
    for _ in range(3):
        assert config_from(client, site_acme, "198.51.100.1").status_code == 200
    refused = config_from(client, site_acme, "198.51.100.1")
    assert refused.status_code == 429
    body = refused.json()["error"]
    assert body["code"] == "rate_limited"
    assert 1 <= body["retry_after"] <= 60
    assert refused["Retry-After"] == str(body["retry_after"])
    assert config_from(client, site_acme, "198.51.100.2").status_code == 200


def test_the_widget_scripts_are_not_counted(client, settings, site_acme):
    """1/minute per IP: widget.js and panel.js any number of times → never 429 (cached public files)."""
    settings.PARLEY_LIMIT_WIDGET_REQUESTS_PER_IP = "1/minute"
    for path in ("/widget.js", "/widget/panel.js") * 3:
        assert client.get(path, REMOTE_ADDR="198.51.100.1").status_code == 200


def test_the_ip_is_read_behind_a_trusted_proxy(client, settings, site_acme):
    """1 trusted proxy: two clients behind it (X-Forwarded-For) → counted apart; a spoofed left entry is
    ignored."""
    settings.PARLEY_TRUSTED_PROXY_COUNT = 1
    settings.PARLEY_LIMIT_WIDGET_REQUESTS_PER_IP = "1/minute"
    proxy = "10.0.0.2"
    first = config_from(client, site_acme, proxy, forwarded_for="198.51.100.1")
    assert first.status_code == 200
    spoofed = config_from(client, site_acme, proxy, forwarded_for="6.6.6.6, 198.51.100.1")
    assert spoofed.status_code == 429
    assert config_from(client, site_acme, proxy, forwarded_for="198.51.100.2").status_code == 200


def test_new_visitors_are_limited_per_ip_but_resuming_is_not(client, settings, site_acme):
    """2 new visitors/minute per IP: a 3rd without a token → 429, no visitor created; a valid token
    resumes its visitor any number of times."""
    settings.PARLEY_LIMIT_NEW_VISITORS_PER_IP = "2/minute"
    first = session_from(client, site_acme, "198.51.100.1").json()
    assert session_from(client, site_acme, "198.51.100.1").status_code == 200
    refused = session_from(client, site_acme, "198.51.100.1")
    assert (refused.status_code, refused.json()["error"]["code"]) == (429, "rate_limited")
    assert Visitor.objects.count() == 2
    for _ in range(3):
        resumed = session_from(client, site_acme, "198.51.100.1", {"visitor_token": first["visitor_token"]})
        assert resumed.json()["visitor_id"] == first["visitor_id"]


def test_new_visitors_are_limited_per_site(client, settings, site_acme, site_globex):
    """2 new visitors/minute per site, from different IPs: a 3rd → 429; another site is unaffected."""
    settings.PARLEY_LIMIT_NEW_VISITORS_PER_SITE = "2/minute"
    for ip in ("198.51.100.1", "198.51.100.2"):
        assert session_from(client, site_acme, ip).status_code == 200
    assert session_from(client, site_acme, "198.51.100.3").status_code == 429
    globex = client.post(
        f"/api/widget/sites/{site_globex.public_key}/session",
        data={},
        content_type="application/json",
        headers={"origin": "https://globex.test"},
        REMOTE_ADDR="198.51.100.3",
    )
    assert globex.status_code == 200
