"""Django's cache on Redis for allauth's limits: shared through Redis, an empty cache while Redis is down."""

import logging

import pytest

from server.limits import cache as limits_cache
from server.limits.cache import FailOpenRedisCache
from server.limits.storage import FailOpen
from tests.processes import free_port
from tests.services import RedisServer


@pytest.fixture(autouse=True)
def no_outage_remembered(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each test starts as if Redis had never failed."""
    monkeypatch.setattr(limits_cache, "_outage", FailOpen())


def redis_cache(url: str) -> FailOpenRedisCache:
    """The cache as settings.CACHES configures it for `url`."""
    return FailOpenRedisCache(url, {"OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5}})


def test_two_processes_caches_on_one_redis_share_their_values(redis_server: RedisServer):
    """One cache sets, add and delete; another (as another process would) reads the same values."""
    one, other = redis_cache(redis_server.url), redis_cache(redis_server.url)
    one.set("history", [1, 2], 60)
    assert other.get("history") == [1, 2]
    assert one.add("code", "y", 60) is True
    assert other.add("code", "y", 60) is False
    assert other.get_many(["history", "code"]) == {"history": [1, 2], "code": "y"}
    assert one.delete("history") is True
    assert other.has_key("history") is False


def test_with_redis_down_the_cache_answers_empty_and_warns(caplog: pytest.LogCaptureFixture):
    """Nobody on the port → get gives the default, add says absent, set and delete do nothing; one warning."""
    cache = redis_cache(f"redis://127.0.0.1:{free_port()}/0")
    with caplog.at_level(logging.WARNING, logger="server.limits.storage"):
        assert cache.get("history", []) == []
        cache.set("history", [1], 60)
        assert cache.add("code", "y", 60) is True
        assert cache.get_many(["history"]) == {}
        assert (cache.has_key("history"), cache.delete("history")) == (False, False)
    assert len([r for r in caplog.records if "not enforced" in r.getMessage()]) == 1
