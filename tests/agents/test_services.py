"""Agents' own settings: preferences stored and announced, push subscriptions checked and kept bounded."""

from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import override_settings

from server.agents.models import PushSubscription
from server.agents.selectors import agent_preferences
from server.agents.services import (
    check_subscription,
    do_drop_subscription,
    do_set_preferences,
    do_subscribe,
    do_unsubscribe,
)
from server.conversations import events
from server.errors import ParleyError
from tests.push_receiver import BrowserKeys

pytestmark = pytest.mark.django_db

PUSH_URL = "https://fcm.googleapis.com/fcm/send/abc"


def subscription(endpoint: str = PUSH_URL) -> dict[str, Any]:
    """A browser's PushSubscription JSON with real keys."""
    return BrowserKeys().subscription(endpoint)


def test_setting_preferences_stores_only_those_named_and_announces_all(agent_bob: User, monkeypatch):
    """do_set_preferences changes the named ones and publishes PreferencesChanged with the whole set."""
    published: list[events.Event] = []
    monkeypatch.setattr(events, "publish", lambda batch: published.extend(batch))
    stored = do_set_preferences(user_id=agent_bob.pk, changes={"sound": True})
    assert stored.as_dict() == {"desktop": True, "push": False, "sound": True, "title_count": True}
    do_set_preferences(user_id=agent_bob.pk, changes={"desktop": False})
    assert agent_preferences(user_id=agent_bob.pk).as_dict() == {
        "desktop": False,
        "push": False,
        "sound": True,
        "title_count": True,
    }
    assert published[-1] == events.PreferencesChanged(
        user_id=agent_bob.pk,
        preferences={"desktop": False, "push": False, "sound": True, "title_count": True},
    )


def test_an_unknown_preference_is_a_programming_error(agent_bob: User):
    """Only the four preferences exist."""
    with pytest.raises(ValueError, match="unknown preferences"):
        do_set_preferences(user_id=agent_bob.pk, changes={"volume": True})


def test_a_browser_subscription_is_accepted_with_its_keys():
    """An https endpoint, a P-256 key and a 16-byte secret pass, unpadded."""
    data = subscription()
    checked = check_subscription(data=data)
    assert checked.endpoint == PUSH_URL
    assert (checked.p256dh, checked.auth) == (data["keys"]["p256dh"], data["keys"]["auth"])


@pytest.mark.parametrize(
    "endpoint",
    [
        "http://fcm.googleapis.com/x",
        "http://127.0.0.1:9/x",
        "ftp://fcm.googleapis.com/x",
        "https://user:pass@fcm.googleapis.com/x",
        "https:///nohost",
        "https://fcm.googleapis.com/a b",
        "https://fcm.googleapis.com/\x00",
        "https://fcm.googleapis.com/" + "a" * 1100,
        "",
        None,
        42,
    ],
)
def test_an_endpoint_must_be_https_on_a_named_host(endpoint):
    """Plain http (even loopback, outside development), other schemes, userinfo, odd URLs: refused."""
    data = {**subscription(), "endpoint": endpoint}
    with pytest.raises(ParleyError) as refused:
        check_subscription(data=data)
    assert refused.value.code == "invalid_field"


@pytest.mark.parametrize(
    "endpoint",
    [
        "https://updates.push.services.mozilla.com/wpush/v2/x",
        "https://web.push.apple.com/x",
        "https://wns2-by3p.notify.windows.com/w/?token=x",
    ],
)
def test_the_big_push_services_and_their_subdomains_are_accepted(endpoint):
    """Firefox's, Safari's and Edge's push services pass PARLEY_PUSH_SERVICE_HOSTS' defaults."""
    assert check_subscription(data={**subscription(), "endpoint": endpoint}).endpoint == endpoint


@pytest.mark.parametrize(
    "endpoint",
    [
        "https://push.example.test/x",
        "https://evilfcm.googleapis.com/x",
        "https://fcm.googleapis.com.evil.test/x",
        "https://10.0.0.1/x",
        "https://localhost/x",
    ],
)
def test_other_hosts_are_refused_so_the_server_posts_only_to_push_services(endpoint):
    """An endpoint elsewhere (an internal address, a lookalike domain) is not stored: no request forgery."""
    with pytest.raises(ParleyError) as refused:
        check_subscription(data={**subscription(), "endpoint": endpoint})
    assert "push service" in refused.value.message


@override_settings(PARLEY_PUSH_SERVICE_HOSTS=[])
def test_an_empty_list_of_push_services_accepts_any_https_host():
    """With PARLEY_PUSH_SERVICE_HOSTS empty, any https endpoint passes (a self-hosted push service)."""
    assert check_subscription(data={**subscription(), "endpoint": "https://push.example.test/x"})


@override_settings(PARLEY_PUSH_ALLOW_LOOPBACK_HTTP=True)
@pytest.mark.parametrize("endpoint", ["http://127.0.0.1:9/x", "http://localhost/x", "http://[::1]:8/x"])
def test_loopback_http_endpoints_are_accepted_in_development(endpoint):
    """With PARLEY_PUSH_ALLOW_LOOPBACK_HTTP (DEBUG's default), a local push service may be plain http."""
    assert check_subscription(data={**subscription(), "endpoint": endpoint}).endpoint == endpoint


@override_settings(PARLEY_PUSH_ALLOW_LOOPBACK_HTTP=True)
def test_only_loopback_hosts_may_use_http_in_development():
    """Even then, http elsewhere is refused."""
    with pytest.raises(ParleyError):
        check_subscription(data={**subscription(), "endpoint": "http://10.0.0.1/x"})


@pytest.mark.parametrize(
    "keys",
    [
        None,
        {"auth": "AAAAAAAAAAAAAAAAAAAAAA"},
        {"p256dh": "not base64!", "auth": "AAAAAAAAAAAAAAAAAAAAAA"},
        {"p256dh": "BA" + "A" * 85, "auth": "AAAAAAAAAAAAAAAAAAAAAA"},  # 65 bytes, not on the curve
        {"p256dh": "valid", "auth": "AAAA"},
        {"p256dh": "valid", "auth": 7},
    ],
)
def test_keys_must_be_a_p256_point_and_a_16_byte_secret(keys):
    """A subscription whose keys could not encrypt a push is refused."""
    data = subscription()
    if keys is not None and keys.get("p256dh") == "valid":
        keys = {**keys, "p256dh": data["keys"]["p256dh"]}
    with pytest.raises(ParleyError) as refused:
        check_subscription(data={**data, "keys": keys})
    assert refused.value.code == "invalid_field"


def test_a_body_that_is_not_an_object_is_invalid_json():
    """A JSON array or scalar is not a subscription."""
    with pytest.raises(ParleyError) as refused:
        check_subscription(data=[1, 2])
    assert refused.value.code == "invalid_json"


def test_subscribing_again_updates_and_an_endpoint_moves_to_the_agent_now_signed_in(agent_bob, agent_eve):
    """One row per endpoint: the same browser signed in as another agent pushes to that agent."""
    first = check_subscription(data=subscription())
    do_subscribe(user_id=agent_bob.pk, subscription=first)
    do_subscribe(user_id=agent_bob.pk, subscription=first)
    assert PushSubscription.objects.filter(user=agent_bob).count() == 1
    do_subscribe(user_id=agent_eve.pk, subscription=first)
    assert list(PushSubscription.objects.values_list("user_id", flat=True)) == [agent_eve.pk]


@override_settings(PARLEY_PUSH_SUBSCRIPTIONS_PER_AGENT=2)
def test_an_agent_keeps_its_newest_subscriptions_only(agent_bob):
    """Past PARLEY_PUSH_SUBSCRIPTIONS_PER_AGENT the oldest browser is forgotten."""
    for name in ("a", "b", "c"):
        do_subscribe(
            user_id=agent_bob.pk, subscription=check_subscription(data=subscription(f"{PUSH_URL}/{name}"))
        )
    kept = sorted(PushSubscription.objects.values_list("endpoint", flat=True))
    assert kept == [f"{PUSH_URL}/b", f"{PUSH_URL}/c"]


def test_unsubscribing_removes_only_the_agents_own(agent_bob, agent_eve):
    """An agent cannot remove another agent's subscription by its endpoint."""
    do_subscribe(user_id=agent_bob.pk, subscription=check_subscription(data=subscription()))
    assert not do_unsubscribe(user_id=agent_eve.pk, endpoint=PUSH_URL)
    assert do_unsubscribe(user_id=agent_bob.pk, endpoint=PUSH_URL)
    assert not PushSubscription.objects.exists()


def test_a_dropped_subscription_is_gone(agent_bob):
    """do_drop_subscription deletes the row a push service answered 404 or 410 for."""
    do_subscribe(user_id=agent_bob.pk, subscription=check_subscription(data=subscription()))
    do_drop_subscription(subscription_id=PushSubscription.objects.get().pk)
    assert not PushSubscription.objects.exists()
