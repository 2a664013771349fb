"""Presence stores: the same answers in memory and in a real Redis, where entries expire unless refreshed."""

import asyncio
import uuid
from collections.abc import Iterator

import pytest

from server.realtime.presence_store import MemoryStore, PresenceStore, RedisStore
from tests.services import RedisServer


@pytest.fixture(params=["memory", "redis"])
def store_kind(request, settings, tmp_path) -> Iterator[str]:
    """Each test runs on both stores (Redis: a throwaway server named by the settings)."""
    if request.param == "memory":
        yield "memory"
        return
    server = RedisServer(tmp_path)
    server.start()
    settings.REDIS_URL = server.url
    settings.CHANNEL_LAYERS = {"default": {"CONFIG": {"hosts": [{"address": server.url}]}}}
    yield "redis"
    server.kill()


def new_store(kind: str) -> PresenceStore:
    """A store of that kind (a Redis one is one process among those sharing the server)."""
    return MemoryStore() if kind == "memory" else RedisStore()


async def test_first_console_and_last_console_are_told(store_kind):
    """connect says when the agent had no console; disconnect when it has none left; statuses follow."""
    store = new_store(store_kind)
    assert await store.connect(user_id=1, site_ids=[10]) is True
    assert await store.connect(user_id=1, site_ids=[10]) is False
    assert await store.statuses(user_ids=[1, 2]) == {1: "online"}
    assert await store.site_statuses(site_ids=[10]) == {1: "online"}
    assert await store.site_statuses(site_ids=[11]) == {}
    assert await store.disconnect(user_id=1, site_ids=[10]) is True
    assert await store.statuses(user_ids=[1]) == {}
    assert await store.site_statuses(site_ids=[10]) == {}


async def test_away_outlives_a_reload_but_not_the_ttl(store_kind, settings):
    """An away agent is offline once its last console closes, comes back away within the TTL (a reload),
    and online after it."""
    settings.PARLEY_PRESENCE_TTL_SECONDS = 0.3
    store = new_store(store_kind)
    await store.connect(user_id=1, site_ids=[10])
    await store.set_away(user_id=1, away=True)
    assert await store.statuses(user_ids=[1]) == {1: "away"}
    await store.disconnect(user_id=1, site_ids=[10])
    assert await store.statuses(user_ids=[1]) == {}
    await store.connect(user_id=1, site_ids=[10])
    assert await store.statuses(user_ids=[1]) == {1: "away"}
    await store.disconnect(user_id=1, site_ids=[10])
    await asyncio.sleep(0.4)
    await store.connect(user_id=1, site_ids=[10])
    assert await store.statuses(user_ids=[1]) == {1: "online"}


async def test_availability_is_announced_once_per_change(store_kind):
    """announce_availability says changed only when the site's availability differs from the last said."""
    store = new_store(store_kind)
    assert await store.announce_availability(site_id=10) == ("away", True)
    assert await store.announce_availability(site_id=10) == ("away", False)
    await store.connect(user_id=1, site_ids=[10])
    assert await store.availability(site_id=10) == "online"
    assert await store.announce_availability(site_id=10) == ("online", True)
    await store.set_away(user_id=1, away=True)
    assert await store.announce_availability(site_id=10) == ("away", True)


async def test_viewers_are_the_agents_viewing(store_kind):
    """view adds and removes an agent; the answer is who views the conversation after the change."""
    store = new_store(store_kind)
    conversation = uuid.uuid4()
    assert await store.view(conversation_id=conversation, user_id=1, viewing=True) == {1}
    assert await store.view(conversation_id=conversation, user_id=2, viewing=True) == {1, 2}
    assert await store.view(conversation_id=conversation, user_id=1, viewing=False) == {2}


async def test_processes_share_presence_through_redis(settings, redis_server):
    """Two processes: the agent stays connected until the last process holding a console lets go."""
    settings.CHANNEL_LAYERS = {"default": {"CONFIG": {"hosts": [{"address": redis_server.url}]}}}
    process_a, process_b = RedisStore(), RedisStore()
    assert await process_a.connect(user_id=1, site_ids=[10]) is True
    assert await process_b.connect(user_id=1, site_ids=[10]) is False
    await process_a.set_away(user_id=1, away=True)
    assert await process_b.statuses(user_ids=[1]) == {1: "away"}
    assert await process_a.disconnect(user_id=1, site_ids=[10]) is False
    assert await process_b.site_statuses(site_ids=[10]) == {1: "away"}
    assert await process_b.disconnect(user_id=1, site_ids=[10]) is True
    assert await process_a.statuses(user_ids=[1]) == {}


async def test_a_dead_process_expires_and_one_sweep_reports_it(settings, redis_server):
    """A process that stops its heartbeat loses its agents after the TTL; exactly one sweep reports them."""
    settings.CHANNEL_LAYERS = {"default": {"CONFIG": {"hosts": [{"address": redis_server.url}]}}}
    settings.PARLEY_PRESENCE_TTL_SECONDS = 0.3
    dead, alive, other = RedisStore(), RedisStore(), RedisStore()
    await dead.connect(user_id=1, site_ids=[10])
    await alive.connect(user_id=2, site_ids=[10])
    assert await other.announce_availability(site_id=10) == ("online", True)
    for _ in range(4):
        await asyncio.sleep(0.1)
        await alive.heartbeat(users={2: [10]}, viewing=[])
    assert await other.statuses(user_ids=[1, 2]) == {2: "online"}
    assert await other.sweep(site_ids=[10]) == {10: {1}}
    assert await alive.sweep(site_ids=[10]) == {}
    await asyncio.sleep(0.4)
    assert await other.sweep(site_ids=[10]) == {10: {2}}
    assert await other.announce_availability(site_id=10) == ("away", True)
