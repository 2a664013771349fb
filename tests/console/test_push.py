"""The console's Web Push endpoints: login and CSRF required, https only, small bodies; the worker."""

import json
import re
from typing import Any

import pytest
from django.test import Client, override_settings

from server.agents.models import PushSubscription
from tests.push_receiver import BrowserKeys

pytestmark = pytest.mark.django_db

URL = "/console/push/subscriptions"
PUSH_URL = "https://fcm.googleapis.com/fcm/send/abc"


def body(endpoint: str = PUSH_URL) -> str:
    """A browser's subscription as the console posts it."""
    return json.dumps(BrowserKeys().subscription(endpoint))


def csrf_client(user) -> tuple[Client, str]:
    """A logged-in client that enforces CSRF, and the token the console page carries."""
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    page = client.get("/console/").content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    assert token is not None
    return client, token.group(1)


def test_an_agent_subscribes_and_unsubscribes_a_browser(agent_bob):
    """POST stores the subscription for the logged-in agent; DELETE removes it; both answer 204."""
    client, token = csrf_client(agent_bob)
    stored = client.post(URL, body(), content_type="application/json", headers={"X-CSRFToken": token})
    assert stored.status_code == 204
    assert PushSubscription.objects.get().user_id == agent_bob.pk
    removed = client.delete(
        URL,
        json.dumps({"endpoint": PUSH_URL}),
        content_type="application/json",
        headers={"X-CSRFToken": token},
    )
    assert removed.status_code == 204
    assert not PushSubscription.objects.exists()


def test_without_the_csrf_token_nothing_is_stored(agent_bob):
    """A page elsewhere riding the agent's cookie is refused 403 by Django's CSRF check."""
    client, _ = csrf_client(agent_bob)
    assert client.post(URL, body(), content_type="application/json").status_code == 403
    assert client.delete(URL, body(), content_type="application/json").status_code == 403
    assert not PushSubscription.objects.exists()


def test_an_anonymous_request_is_not_authenticated(client: Client):
    """No session: 401 not_authenticated as JSON, not a login redirect."""
    response = client.post(URL, body(), content_type="application/json")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "not_authenticated"


@pytest.mark.parametrize(
    ("payload", "content_type", "status", "code"),
    [
        (body("http://push.example.test/x"), "application/json", 400, "invalid_field"),
        (body("http://127.0.0.1:9/x"), "application/json", 400, "invalid_field"),
        ("{not json", "application/json", 400, "invalid_json"),
        ("[1]", "application/json", 400, "invalid_json"),
        (body(), "text/plain", 415, "unsupported_media_type"),
        (json.dumps({"endpoint": PUSH_URL, "pad": "x" * 5000}), "application/json", 413, "payload_too_large"),
    ],
)
def test_a_bad_subscription_is_refused_with_its_code(
    client: Client, agent_bob, payload, content_type, status, code
):
    """Plain http, bad JSON, another media type or a body over PARLEY_PUSH_SUBSCRIPTION_MAX_BYTES: refused."""
    client.force_login(agent_bob)
    response = client.post(URL, payload, content_type=content_type)
    assert (response.status_code, response.json()["error"]["code"]) == (status, code)
    assert not PushSubscription.objects.exists()


@override_settings(PARLEY_PUSH_ALLOW_LOOPBACK_HTTP=True)
def test_a_loopback_push_service_is_accepted_in_development(client: Client, agent_bob):
    """With PARLEY_PUSH_ALLOW_LOOPBACK_HTTP (DEBUG's default) a local push service may be plain http."""
    client.force_login(agent_bob)
    assert client.post(URL, body("http://127.0.0.1:9/x"), content_type="application/json").status_code == 204


def test_other_methods_are_refused(client: Client, agent_bob):
    """GET lists nothing: 405 with Allow."""
    client.force_login(agent_bob)
    response = client.get(URL)
    assert response.status_code == 405
    assert response["Allow"] == "POST, DELETE"


def test_the_service_worker_is_served_for_the_console_scope(client: Client, tmp_path, settings):
    """/console/sw.js is the built worker, revalidated on each visit; the console page allows workers."""
    settings.PARLEY_FRONTEND_DIST = tmp_path
    assert client.get("/console/sw.js").status_code == 404
    (tmp_path / "console-sw.js").write_text("self.addEventListener('push', () => {});")
    response = client.get("/console/sw.js")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/javascript")
    assert response["Cache-Control"] == "no-cache"
    assert "worker-src 'self'" in client.get("/console/login/")["Content-Security-Policy"]


def test_the_console_config_names_the_push_key_only_when_web_push_is_on(client: Client, agent_bob, settings):
    """Without both VAPID keys the console gets an empty key and offers no Web Push."""
    client.force_login(agent_bob)

    def config() -> dict[str, Any]:
        page = client.get("/console/").content.decode()
        found = re.search(r'<script id="console-config" type="application/json">(.*?)</script>', page, re.S)
        assert found is not None
        loaded: dict[str, Any] = json.loads(found.group(1))
        return loaded

    settings.PARLEY_VAPID_PRIVATE_KEY, settings.PARLEY_VAPID_PUBLIC_KEY = "", ""
    assert config()["push_public_key"] == ""
    settings.PARLEY_VAPID_PRIVATE_KEY, settings.PARLEY_VAPID_PUBLIC_KEY = "private", "BPublic"
    current = config()
    assert current["push_public_key"] == "BPublic"
    assert (current["push_subscriptions_url"], current["service_worker_url"]) == (URL, "/console/sw.js")
