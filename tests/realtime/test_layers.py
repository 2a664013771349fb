"""The channel layer and the gateway: outages degrade fan-out, idle timeouts are not outages, events
committed together leave together; the in-memory layer sweeps expired messages once per interval."""

import asyncio
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from channels.exceptions import ChannelFull
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

from server.conversations import events
from server.realtime.groups import agent_group
from server.realtime.layers import ProcessChannelLayer, ResilientChannelLayer
from tests.services import RedisServer


class FlakyLayer:
    """An inner layer whose receive fails with the given errors, then answers."""

    def __init__(self, **config: Any) -> None:
        self.failures: list[Exception] = []

    async def receive(self, channel: str) -> dict[str, Any]:
        if self.failures:
            raise self.failures.pop(0)
        return {"type": "ok"}

    async def group_add(self, group: str, channel: str) -> None:
        raise RedisConnectionError("redis is away")


def make_layer() -> ResilientChannelLayer:
    """A wrapper around FlakyLayer whose probe never runs during the test."""
    return ResilientChannelLayer(
        inner_backend="tests.realtime.test_layers.FlakyLayer",
        probe_interval=3600,
        hosts=["redis://127.0.0.1:1/0"],
    )


async def test_an_idle_read_timeout_is_not_an_outage():
    """A blocking read that times out is retried without marking the layer down (no 4012 storm)."""
    layer = make_layer()
    layer.inner.failures = [RedisTimeoutError("Timeout reading from socket")]
    assert await layer.receive("c") == {"type": "ok"}
    assert not layer.down


async def test_a_connection_error_marks_the_layer_down_and_receive_waits_it_out():
    """A lost connection marks the layer down; receive keeps trying instead of failing the consumer."""
    layer = make_layer()
    layer.inner.failures = [RedisConnectionError("gone")]
    assert await asyncio.wait_for(layer.receive("c"), 5) == {"type": "ok"}
    assert layer.down


async def test_a_failed_group_add_does_not_fail_the_socket():
    """group_add during an outage is reported, not raised."""
    layer = make_layer()
    await layer.group_add("g", "c")
    assert layer.down


@pytest.fixture
def redis_server(tmp_path: Path) -> Iterator[RedisServer]:
    """A throwaway redis-server for this test."""
    server = RedisServer(tmp_path)
    server.start()
    yield server
    server.kill()


async def test_several_events_go_out_in_one_pipeline_in_order(redis_server):
    """group_send_many on Redis pub/sub delivers each event to its group's members, in order."""
    layer = ResilientChannelLayer(
        inner_backend="channels_redis.pubsub.RedisPubSubChannelLayer",
        probe_interval=3600,
        hosts=[redis_server.url],
    )
    first, second = await layer.new_channel(), await layer.new_channel()
    await layer.group_add("visitor", first)
    await layer.group_add("agents", second)
    await layer.group_send_many(
        [
            ("visitor", {"type": "m", "n": 1}),
            ("agents", {"type": "m", "n": 2}),
            ("visitor", {"type": "m", "n": 3}),
        ]
    )
    assert [(await asyncio.wait_for(layer.receive(first), 5))["n"] for _ in range(2)] == [1, 3]
    assert (await asyncio.wait_for(layer.receive(second), 5))["n"] == 2
    assert not layer.down
    await layer.flush()


async def test_on_redis_channel_layer_groups_go_side_by_side_each_in_order(redis_server):
    """group_send_many on RedisChannelLayer delivers each group's events in order, the groups at once."""
    layer = ResilientChannelLayer(
        inner_backend="channels_redis.core.RedisChannelLayer", probe_interval=3600, hosts=[redis_server.url]
    )
    first, second = await layer.new_channel(), await layer.new_channel()
    await layer.group_add("visitor", first)
    await layer.group_add("agents", second)
    await layer.group_send_many([(("visitor", "agents")[n % 2], {"type": "m", "n": n}) for n in range(6)])
    assert [(await asyncio.wait_for(layer.receive(first), 5))["n"] for _ in range(3)] == [0, 2, 4]
    assert [(await asyncio.wait_for(layer.receive(second), 5))["n"] for _ in range(3)] == [1, 3, 5]
    assert not layer.down
    await layer.flush()


@pytest.mark.django_db(transaction=True)
async def test_events_committed_together_are_held_until_the_block_ends(layer_groups):
    """Inside events.together, committed events wait for the block's end, then leave in order."""
    channel = await layer_groups.new_channel()
    await layer_groups.group_add(agent_group(7), channel)

    def publish_two() -> None:
        with events.together():
            events.publish([events.AgentNotified(user_id=7, payload={"n": 1})])
            events.publish([events.AgentNotified(user_id=7, payload={"n": 2})])
            assert events._outbox.held is not None
            assert len(events._outbox.held) == 2  # committed (no transaction), not yet sent

    await asyncio.get_running_loop().run_in_executor(None, publish_two)
    received = [await asyncio.wait_for(layer_groups.receive(channel), 5) for _ in range(2)]
    assert [message["text"] for message in received] == [
        '{"type":"notification","payload":{"n":1}}',
        '{"type":"notification","payload":{"n":2}}',
    ]


async def receive_soon(layer: ProcessChannelLayer, channel: str) -> dict[str, Any]:
    """The next message on the channel, failing the test instead of waiting forever."""
    message: dict[str, Any] = await asyncio.wait_for(layer.receive(channel), 1)
    return message


class Clock:
    """Stands in for the `time` module of both layer modules: time passes only when the test says."""

    def __init__(self) -> None:
        self.now = 1_000_000.0

    def time(self) -> float:
        return self.now

    def monotonic(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    """Expiry and sweep intervals measured on a clock of the test's own, so a slow machine changes nothing."""
    import channels.layers

    from server.realtime import layers

    fake = Clock()
    monkeypatch.setattr(layers, "time", fake)
    monkeypatch.setattr(channels.layers, "time", fake)
    return fake


def test_without_redis_the_default_layer_is_the_process_layer(layer_groups):
    """With no REDIS_URL, sockets share a ProcessChannelLayer with the configured capacity and expiry."""
    assert isinstance(layer_groups, ProcessChannelLayer)
    assert (layer_groups.capacity, layer_groups.expiry) == (1000, 60)


async def test_group_send_reaches_every_member():
    """Each member channel of the group gets its own copy of the message; other channels get nothing."""
    layer = ProcessChannelLayer()
    members = [await layer.new_channel() for _ in range(3)]
    outsider = await layer.new_channel()
    for channel in members:
        await layer.group_add("g", channel)
    message = {"type": "m", "tags": ["a"]}
    await layer.group_send("g", message)
    received = [await receive_soon(layer, channel) for channel in members]
    assert received == [message] * 3
    assert len({id(copy) for copy in received} | {id(message)}) == 4
    assert outsider not in layer.channels


async def test_a_full_member_channel_does_not_stop_the_others():
    """group_send skips a member holding `capacity` messages and delivers to the rest, raising nothing."""
    layer = ProcessChannelLayer(capacity=1)
    first, full, last = [await layer.new_channel() for _ in range(3)]
    for channel in (first, full, last):
        await layer.group_add("g", channel)
    await layer.send(full, {"type": "m", "n": 0})
    with pytest.raises(ChannelFull):
        await layer.send(full, {"type": "m", "n": 0})
    await layer.group_send("g", {"type": "m", "n": 1})
    assert (await receive_soon(layer, first))["n"] == 1
    assert (await receive_soon(layer, last))["n"] == 1
    assert (await receive_soon(layer, full))["n"] == 0
    assert full not in layer.channels


async def test_an_expired_message_is_never_received_and_its_channel_leaves_its_groups(clock):
    """Between two sweeps, receive drops an expired message and takes its channel out of its groups."""
    layer = ProcessChannelLayer(expiry=60, clean_interval=3600)
    stale = await layer.new_channel()
    await layer.group_add("g", stale)
    await layer.group_add("h", stale)
    await layer.group_send("nobody", {"type": "m"})  # the first sweep: the next one is an hour away
    await layer.send(stale, {"type": "m", "n": 1})
    clock.advance(61)
    await layer.send(stale, {"type": "m", "n": 2})
    assert (await receive_soon(layer, stale))["n"] == 2
    assert stale not in layer.groups["g"]
    assert stale not in layer.groups["h"]


async def test_the_sweep_drops_expired_messages_of_channels_nobody_reads(clock):
    """Once the interval has passed, the next group_send sweeps: expired queues go, and their channels
    leave their groups."""
    layer = ProcessChannelLayer(expiry=60, clean_interval=1)
    stale, fresh = await layer.new_channel(), await layer.new_channel()
    await layer.group_add("g", stale)
    await layer.group_add("g", fresh)
    await layer.send(stale, {"type": "m", "n": 1})
    clock.advance(61)
    await layer.group_send("g", {"type": "m", "n": 2})
    assert stale not in layer.channels
    assert list(layer.groups["g"]) == [fresh]
    assert (await receive_soon(layer, fresh))["n"] == 2


async def test_the_sweep_runs_at_most_once_per_interval(monkeypatch, clock):
    """However many group_sends and receives happen, the expiry sweep runs once per clean_interval."""
    layer = ProcessChannelLayer(clean_interval=1)
    sweeps: list[None] = []
    monkeypatch.setattr(layer, "_clean_expired", lambda: sweeps.append(None))
    channel = await layer.new_channel()
    await layer.group_add("g", channel)
    for n in range(50):
        await layer.group_send("g", {"type": "m", "n": n})
        await layer.group_send("nobody", {"type": "m", "n": n})
        assert (await receive_soon(layer, channel))["n"] == n
    assert len(sweeps) == 1
    clock.advance(1)
    for n in range(50):
        await layer.group_send("g", {"type": "m", "n": n})
        assert (await receive_soon(layer, channel))["n"] == n
    assert len(sweeps) == 2
