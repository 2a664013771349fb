"""The widget's HTTP API: per-site CORS, settings, visitor sessions and the scripts."""

import gzip
import hashlib
import hmac
import time
from typing import Any

import pytest
from django.core import signing
from django.core.exceptions import ImproperlyConfigured
from django.test import Client

from server.conversations.models import Visitor
from server.conversations.tokens import read_visitor_token
from server.sites.models import Site
from server.sites.selectors import embed_code, forget_cached_site
from server.sites.services import do_create_site
from server.widget_api.bundles import load_bundle
from tests.conftest import ACME_ORIGIN, GLOBEX_ORIGIN, VisitorIdentity

pytestmark = pytest.mark.django_db


def post_session(client: Client, site: Site, body: Any, *, origin: str = ACME_ORIGIN) -> Any:
    """POST to a site's session endpoint from a page on `origin`."""
    return client.post(
        f"/api/widget/sites/{site.public_key}/session",
        data=body,
        content_type="application/json",
        headers={"origin": origin},
    )


def test_config_answers_allowed_origin_with_cors(client, site_acme):
    """The config endpoint returns the widget settings and a CORS header naming the origin."""
    response = client.get(f"/api/widget/sites/{site_acme.public_key}/config", headers={"origin": ACME_ORIGIN})
    assert response.status_code == 200
    assert response["Access-Control-Allow-Origin"] == ACME_ORIGIN
    assert response.json() == {
        "site": {
            "name": "Acme",
            "color": "#4f46e5",
            "greeting": "Hi! How can we help?",
            "position": "right",
            "launcher_text": "",
            "away_message": "We're away right now. Leave your email and we'll reply here and by email.",
            "language": None,
            "ask_email": False,
            "within_hours": True,
        }
    }


def test_config_refuses_a_foreign_origin_without_cors(client, site_acme):
    """Another origin gets 403 origin_not_allowed and no CORS header."""
    response = client.get(
        f"/api/widget/sites/{site_acme.public_key}/config", headers={"origin": "https://evil.test"}
    )
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "origin_not_allowed"
    assert "Access-Control-Allow-Origin" not in response


def test_a_wildcard_origin_gets_cors_on_its_subdomains_only(client, db):
    """A site allowing https://*.initech.test answers a subdomain's page with CORS, not the domain itself."""
    site = do_create_site(name="Initech", allowed_origins=["https://*.initech.test"])
    path = f"/api/widget/sites/{site.public_key}/config"
    subdomain = client.get(path, headers={"origin": "https://eu.initech.test"})
    assert subdomain.status_code == 200
    assert subdomain["Access-Control-Allow-Origin"] == "https://eu.initech.test"
    apex = client.get(path, headers={"origin": "https://initech.test"})
    assert apex.status_code == 403
    assert "Access-Control-Allow-Origin" not in apex


def test_unknown_site_key_is_404(client, db):
    """A key no site has answers 404 site_not_found."""
    response = client.get("/api/widget/sites/nope/config", headers={"origin": ACME_ORIGIN})
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "site_not_found"


def test_preflight_is_answered_only_for_the_sites_origins(client, site_acme):
    """An OPTIONS preflight gets CORS headers for an allowed origin and none for another."""
    path = f"/api/widget/sites/{site_acme.public_key}/session"
    headers = {"access-control-request-method": "POST", "access-control-request-headers": "content-type"}
    allowed = client.options(path, headers={"origin": ACME_ORIGIN, **headers})
    assert allowed["Access-Control-Allow-Origin"] == ACME_ORIGIN
    assert "content-type" in allowed["Access-Control-Allow-Headers"]
    foreign = client.options(path, headers={"origin": GLOBEX_ORIGIN, **headers})
    assert "Access-Control-Allow-Origin" not in foreign


def test_session_without_token_creates_a_visitor(client, site_acme):
    """No token: a new visitor and a token bound to this site and visitor."""
    response = post_session(
        client, site_acme, {"visitor_token": None, "page_url": "https://shop.acme.test/cart"}
    )
    assert response.status_code == 200
    body = response.json()
    claim = read_visitor_token(token=body["visitor_token"], max_age=60)
    assert (claim.site_id, str(claim.visitor_id)) == (site_acme.pk, body["visitor_id"])
    assert body["socket_url"] == f"ws://testserver/ws/visitor/{site_acme.public_key}/"
    assert response["Cache-Control"] == "no-store"
    assert Visitor.objects.get().last_page_url == "https://shop.acme.test/cart"


def test_session_with_a_valid_token_resumes_the_same_visitor(client, visitor_alice):
    """A valid token returns the same visitor with a fresh token."""
    response = post_session(client, visitor_alice.site, {"visitor_token": visitor_alice.token})
    assert response.json()["visitor_id"] == visitor_alice.visitor_id
    assert Visitor.objects.count() == 1


def test_a_verified_identity_is_one_visitor_across_browsers(client, site_acme):
    """Two browsers (no token) identifying with the user's hash → the same visitor, marked verified."""
    secret = site_acme.identity_secret.encode()
    identity = {"user_id": "u-42", "user_hash": hmac.new(secret, b"u-42", hashlib.sha256).hexdigest()}
    first = post_session(client, site_acme, {"identity": {**identity, "name": "Ann"}})
    second = post_session(Client(), site_acme, {"identity": identity})
    assert first.json()["identity"] == {"verified": True, "error": None}
    assert second.json()["visitor_id"] == first.json()["visitor_id"]
    assert Visitor.objects.get().name == "Ann"


def test_a_required_identity_that_fails_is_reported_and_the_session_stays_anonymous(client, site_acme):
    """identity_required, a wrong hash → 200 with identity_unverified in `identity`, an unnamed visitor."""
    Site.objects.filter(pk=site_acme.pk).update(identity_required=True)
    forget_cached_site(site_key=site_acme.public_key)
    response = post_session(
        client, site_acme, {"identity": {"user_id": "u-42", "user_hash": "0" * 64, "name": "X"}}
    )
    assert response.status_code == 200
    identity = response.json()["identity"]
    assert identity["verified"] is False
    assert identity["error"]["code"] == "identity_unverified"
    assert Visitor.objects.get(pk=response.json()["visitor_id"]).name == ""


@pytest.mark.parametrize(
    "identity", [{"user_id": "u" * 256}, {"user_id": 42}, {"token": "t" * 4097}, "u-42", {"name": ["Ann"]}]
)
def test_a_malformed_identity_is_invalid_field(client, site_acme, identity):
    """Over-long or mistyped identity fields → 400 invalid_field, no visitor."""
    response = post_session(client, site_acme, {"identity": identity})
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid_field"
    assert not Visitor.objects.exists()


@pytest.mark.parametrize("mangle", ["tampered", "garbage", "expired", "foreign"])
def test_a_bad_token_yields_a_fresh_visitor_never_someone_elses(
    client, visitor_alice: VisitorIdentity, visitor_gina: VisitorIdentity, monkeypatch, mangle
):
    """Tampered, malformed, expired or other-site tokens start a new visitor."""
    if mangle == "tampered":
        token = visitor_alice.token[:-3] + "abc"
    elif mangle == "garbage":
        token = "not-a-token"
    elif mangle == "expired":
        real_time = time.time
        monkeypatch.setattr("django.core.signing.time.time", lambda: real_time() - 40 * 24 * 3600)
        token = signing.TimestampSigner(salt="parley.visitor-token", sep=".").sign_object(
            {"s": visitor_alice.site.pk, "v": visitor_alice.visitor_id.replace("-", "")}
        )
        monkeypatch.setattr("django.core.signing.time.time", real_time)
    else:
        token = visitor_gina.token  # issued by Globex, presented to Acme
    response = post_session(client, visitor_alice.site, {"visitor_token": token})
    assert response.status_code == 200
    assert response.json()["visitor_id"] not in {visitor_alice.visitor_id, visitor_gina.visitor_id}


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ("not json", 400, "invalid_json"),
        ("[1]", 400, "invalid_json"),
        ('{"visitor_token": 12}', 400, "invalid_field"),
        ('{"page_url": "' + "x" * 9000 + '"}', 413, "payload_too_large"),
    ],
)
def test_bad_session_bodies_get_a_clear_4xx(client, site_acme, body, status, code):
    """Malformed bodies are answered with a 4xx JSON error and create nothing."""
    response = client.post(
        f"/api/widget/sites/{site_acme.public_key}/session",
        data=body,
        content_type="application/json",
        headers={"origin": ACME_ORIGIN},
    )
    assert response.status_code == status
    assert response.json()["error"]["code"] == code
    assert Visitor.objects.count() == 0


def test_session_refuses_get(client, site_acme):
    """The session endpoint only takes POST."""
    response = client.get(
        f"/api/widget/sites/{site_acme.public_key}/session", headers={"origin": ACME_ORIGIN}
    )
    assert response.status_code == 405
    assert response.json()["error"]["code"] == "method_not_allowed"


def test_session_refuses_a_foreign_origin(client, site_acme):
    """A page elsewhere cannot create visitors for a site."""
    response = post_session(client, site_acme, {}, origin="https://evil.test")
    assert response.status_code == 403
    assert Visitor.objects.count() == 0


@pytest.mark.parametrize(
    ("path", "vary"),
    [
        ("/widget.js", "Accept-Encoding"),
        # One address for every language's panel, by the browser's languages when the page names none.
        ("/widget/panel.js", "Accept-Encoding, Accept-Language"),
    ],
)
def test_widget_scripts_are_served_gzipped_with_an_etag(client, path, vary):
    """The scripts are JavaScript, gzip when asked, cacheable, and revalidate with 304."""
    response = client.get(path, headers={"accept-encoding": "gzip"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/javascript")
    assert response["Content-Encoding"] == "gzip"
    assert gzip.decompress(response.content)
    assert response["Vary"] == vary
    again = client.get(path, headers={"if-none-match": response["ETag"]})
    assert again.status_code == 304


def test_the_served_loader_keeps_the_budget_byte_for_byte(client):
    """What a browser downloads before the panel opens is at most 3 KB, every time (no random padding)."""
    sizes = {len(client.get("/widget.js", headers={"accept-encoding": "gzip, br"}).content) for _ in range(5)}
    assert len(sizes) == 1
    assert sizes.pop() <= 3 * 1024


@pytest.mark.parametrize("panel", ["panel.js", "panel-en.js", "panel-fr.js", "panel-es.js", "panel-ar.js"])
def test_widget_budget_is_kept(panel):
    """The loader is at most 3 KB gzip and loader plus panel (with its one locale) at most 15 KB gzip."""
    sizes = {name: len(gzip.compress(load_bundle(name), 9)) for name in ("widget.js", panel)}
    assert sizes["widget.js"] <= 3 * 1024, sizes
    assert sum(sizes.values()) <= 15 * 1024, sizes


def test_a_missing_build_says_how_to_make_it(settings, tmp_path):
    """Without `make frontend` the server names the missing file and the command to make it."""
    settings.PARLEY_FRONTEND_DIST = tmp_path
    with pytest.raises(ImproperlyConfigured, match=r"make frontend") as raised:
        load_bundle("widget.js")
    assert str(tmp_path / "widget.js") in str(raised.value)


def test_a_site_edited_here_is_seen_at_once_despite_the_cache(client, site_acme):
    """Saving a site (admin, shell) drops it from this process's cache: a new origin works at once."""
    path = f"/api/widget/sites/{site_acme.public_key}/config"
    assert client.get(path, headers={"origin": "https://new.acme.test"}).status_code == 403
    site_acme.allowed_origins += "\nhttps://new.acme.test"
    site_acme.save()
    assert client.get(path, headers={"origin": "https://new.acme.test"}).status_code == 200


def test_embed_code_preloads_the_config_its_script_fetches(client, site_acme):
    """The embed code's preload hint names the site's config URL, which answers, before the script tag."""
    code = embed_code(site=site_acme, server_url="https://chat.example.com/")
    hint, script = code.splitlines()
    config_path = f"/api/widget/sites/{site_acme.public_key}/config"
    assert hint == f'<link rel="preload" href="https://chat.example.com{config_path}" as="fetch" crossorigin>'
    assert script == (
        f'<script async src="https://chat.example.com/widget.js" data-site="{site_acme.public_key}"></script>'
    )
    assert client.get(config_path, headers={"origin": ACME_ORIGIN}).status_code == 200
