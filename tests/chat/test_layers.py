"""The resilient channel layer: outages degrade fan-out, idle timeouts are not outages."""

import asyncio
from typing import Any

from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

from server.chat.layers import ResilientChannelLayer


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
