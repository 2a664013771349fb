"""The limits' storage: Redis shared by the blocking and the asyncio client, and failing open without it."""

import logging
import uuid

import pytest

from server.errors import ParleyError
from server.limits import checks, storage
from server.limits.storage import limits_uri
from tests.processes import free_port


def test_limits_uri_follows_redis_url():
    """One URL, shards, Sentinel → the limits storage URI of the (first) Redis, async or not."""
    assert limits_uri("redis://r:6379/0", asynchronous=False) == "redis://r:6379/0"
    assert limits_uri("redis://a:1/0,redis://b:2/0", asynchronous=True) == "async+redis://a:1/0"
    assert limits_uri("sentinel://s1:26379,s2:26379/main", asynchronous=False) == (
        "redis+sentinel://s1:26379,s2:26379/main"
    )


async def test_http_and_sockets_share_counters_in_redis(settings, redis_server):
    """A limit reached through the blocking client (views) → refused on the asyncio one (sockets) too."""
    settings.REDIS_URL = redis_server.url
    settings.PARLEY_LIMIT_MESSAGES_PER_IP = "2/minute"
    item = checks.MESSAGES_PER_IP.item()
    assert item is not None
    storage.reset()
    assert storage.hit(item, "messages-ip", "198.51.100.9") is None
    assert await storage.ahit(item, "messages-ip", "198.51.100.9") is None
    refused = await storage.ahit(item, "messages-ip", "198.51.100.9")
    assert refused is not None
    assert refused.remaining == 0


async def test_redis_down_fails_open_and_warns_once(settings, caplog):
    """REDIS_URL unreachable → every check allows, with one warning per retry interval."""
    settings.REDIS_URL = f"redis://127.0.0.1:{free_port()}/0"
    settings.PARLEY_LIMIT_WIDGET_REQUESTS_PER_IP = "1/minute"
    settings.PARLEY_LIMIT_MESSAGES_PER_IP = "1/minute"
    settings.PARLEY_LIMITS_RETRY_SECONDS = 60
    storage.reset()
    with caplog.at_level(logging.WARNING, logger="server.limits.storage"):
        for _ in range(5):
            checks.check_widget_request(ip="198.51.100.1")
            await checks.check_visitor_message(visitor_id=uuid.uuid4(), ip="198.51.100.1")
    warnings = [record for record in caplog.records if record.name == "server.limits.storage"]
    assert len(warnings) == 1
    assert "not enforced" in warnings[0].getMessage()


def test_limits_count_again_once_redis_is_back(settings, redis_server):
    """Redis killed → requests allowed; Redis back and the retry interval over → the limit holds again."""
    settings.REDIS_URL = redis_server.url
    settings.PARLEY_LIMIT_WIDGET_REQUESTS_PER_IP = "1/minute"
    settings.PARLEY_LIMITS_RETRY_SECONDS = 0
    storage.reset()
    checks.check_widget_request(ip="198.51.100.1")
    redis_server.kill()
    for _ in range(3):
        checks.check_widget_request(ip="198.51.100.1")
    redis_server.start()
    checks.check_widget_request(ip="198.51.100.2")
    with pytest.raises(ParleyError):
        checks.check_widget_request(ip="198.51.100.2")
