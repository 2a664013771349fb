"""The channel layer and the gateway: outages degrade fan-out, idle timeouts are not outages, events
committed together leave together."""

import asyncio
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

from server.chat import gateway
from server.chat.layers import ResilientChannelLayer
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
        inner_backend="tests.chat.test_layers.FlakyLayer",
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


@pytest.mark.django_db(transaction=True)
async def test_events_committed_together_are_held_until_the_block_ends(layer_groups):
    """Inside sending_together, committed events wait for the block's end, then leave in order."""
    channel = await layer_groups.new_channel()
    await layer_groups.group_add("g", channel)

    def publish_two() -> None:
        with gateway.sending_together():
            gateway.publish(group="g", event_type="x.y", frame={"n": 1})
            gateway.publish(group="g", event_type="x.y", frame={"n": 2})
            assert gateway._outbox.held is not None
            assert len(gateway._outbox.held) == 2  # committed (no transaction), not yet sent

    await asyncio.get_running_loop().run_in_executor(None, publish_two)
    received = [await asyncio.wait_for(layer_groups.receive(channel), 5) for _ in range(2)]
    assert [message["text"] for message in received] == ['{"n":1}', '{"n":2}']
