"""allauth's caps per client address, and the cache they count in (Redis when REDIS_URL is set)."""

import pytest
from django.contrib.auth.models import User
from django.test import Client

from tests.security.test_console_pages import settings_in_a_fresh_process

pytestmark = pytest.mark.django_db


def test_failures_over_many_usernames_from_one_address_hit_allauths_cap(client: Client, owner_olga: User):
    """PARLEY_ACCOUNT_LOGIN_FAILED_RATE (10 a minute) failures, each for another username (never an axes
    lockout) → the right password from that address is refused too, with the form's error."""
    for index in range(10):
        client.post("/console/login/", {"login": f"guess-{index}", "password": "wrong"})
    refused = client.post("/console/login/", {"login": "olga", "password": "olga-password-1"})
    assert refused.status_code == 200
    assert "Too many failed login attempts" in refused.content.decode()
    assert "_auth_user_id" not in client.session
    assert (
        Client().post(
            "/console/login/", {"login": "olga", "password": "olga-password-1"}, REMOTE_ADDR="10.0.0.9"
        )["Location"]
        == "/console/"
    )


def test_the_cache_is_redis_when_redis_url_is_set_and_memory_otherwise():
    """REDIS_URL=redis://… (the first of several) → Django's RedisCache there; unset or Sentinel → memory."""
    shared = settings_in_a_fresh_process(
        "s.CACHES['default']", REDIS_URL="redis://10.0.0.5:6379/2,redis://10.0.0.6:6379/2"
    )
    assert (shared["BACKEND"], shared["LOCATION"]) == (
        "server.limits.cache.FailOpenRedisCache",
        "redis://10.0.0.5:6379/2",
    )
    for redis_url in ("", "sentinel://10.0.0.5:26379/main"):
        alone = settings_in_a_fresh_process("s.CACHES['default']", REDIS_URL=redis_url)
        assert alone["BACKEND"] == "django.core.cache.backends.locmem.LocMemCache"
