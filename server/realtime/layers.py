"""A channel layer wrapper that turns a Redis outage into degraded fan-out instead of broken sockets.

While Redis is away, sockets still connect and every message is still stored and acknowledged; only
live fan-out stops. A probe notices the outage (a failed operation, or Redis answering with a new
`run_id` after a restart) and, once Redis answers again, closes this process's sockets with 4012 so
clients reconnect and resume from their last `seq`: nothing sent during the outage is missed.

Without Redis, ProcessChannelLayer is Channels' in-memory layer minus its per-call costs.
"""

import asyncio
import logging
import time
import uuid
from collections.abc import Awaitable, Callable
from copy import deepcopy
from typing import Any

from channels.exceptions import ChannelFull
from channels.layers import InMemoryChannelLayer
from channels_redis.pubsub import RedisPubSubChannelLayer
from channels_redis.utils import create_pool, decode_hosts
from django.utils.module_loading import import_string
from redis import asyncio as aioredis
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)

PROBE_TIMEOUT_SECONDS = 2.0
RECEIVE_RETRY_SECONDS = 0.5


def _pubsub_shards(
    inner: Any, messages: list[tuple[str, dict[str, Any]]]
) -> dict[Any, list[tuple[str, bytes]]] | None:
    """The (channel, payload) publishes of `messages` by shard, as channels-redis's pub/sub layer sends
    them; None for any other layer."""
    if not isinstance(inner, RedisPubSubChannelLayer):
        return None
    layer = inner._get_layer()  # this event loop's layer, as inner.group_send would use
    shards: dict[Any, list[tuple[str, bytes]]] = {}
    for group, message in messages:
        channel = layer._get_group_channel_name(group)
        shards.setdefault(layer._get_shard(channel), []).append((channel, inner.serialize(message)))
    return shards


async def _close_sockets_for_resume() -> None:
    from server.errors import CLOSE_SERVICE_RESTART
    from server.realtime.sockets import close_all

    closed = await close_all(code=CLOSE_SERVICE_RESTART)
    logger.warning("channel layer recovered: closed %d sockets with 4012 so they resume", closed)


class ResilientChannelLayer:
    """Delegates to a channels-redis layer; swallows and reports its failures; heals after outages."""

    extensions = ["groups", "flush"]

    def __init__(
        self,
        *,
        inner_backend: str,
        probe_interval: float = 1.0,
        on_recovered: Callable[[], Awaitable[None]] = _close_sockets_for_resume,
        **config: Any,
    ) -> None:
        self.inner = import_string(inner_backend)(**config)
        self.hosts = decode_hosts(config.get("hosts"))
        self.probe_interval = probe_interval
        self.on_recovered = on_recovered
        self.down = False
        self.run_ids: list[str] | None = None
        self._probes: dict[asyncio.AbstractEventLoop, asyncio.Task[None]] = {}

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)

    # --- the layer API ----------------------------------------------------------------------------

    async def new_channel(self, prefix: str = "specific.") -> str:
        """A new channel name; when Redis is away, a name the layer will subscribe once it is back."""
        self._ensure_probe()
        try:
            return str(await self.inner.new_channel(prefix))
        except Exception as error:
            self.mark_down("new_channel", error)
            return f"{getattr(self.inner, 'prefix', '')}{prefix}{uuid.uuid4().hex}"

    async def receive(self, channel: str) -> Any:
        """The next message for a channel, waiting out Redis outages instead of failing the consumer."""
        while True:
            try:
                return await self.inner.receive(channel)
            except (asyncio.CancelledError, GeneratorExit):
                raise
            except RedisTimeoutError:
                # An idle blocking read (BZPOPMIN) that outlived the socket timeout: Redis is fine.
                continue
            except Exception as error:
                self.mark_down("receive", error)
                await asyncio.sleep(RECEIVE_RETRY_SECONDS)

    async def send(self, channel: str, message: dict[str, Any]) -> None:
        """Send to one channel (raises: callers of `send` want to know)."""
        await self.inner.send(channel, message)

    async def group_add(self, group: str, channel: str) -> None:
        """Join a group; during an outage the socket stays up and rejoins when it reconnects."""
        try:
            await self.inner.group_add(group, channel)
        except Exception as error:
            self.mark_down("group_add", error)

    async def group_discard(self, group: str, channel: str) -> None:
        """Leave a group; during an outage there is nothing to leave once Redis restarts."""
        try:
            await self.inner.group_discard(group, channel)
        except Exception as error:
            self.mark_down("group_discard", error)

    async def group_send(self, group: str, message: dict[str, Any]) -> None:
        """Fan out to a group (the message is already stored; clients resume what fan-out missed)."""
        try:
            await self.inner.group_send(group, message)
        except Exception as error:
            self.mark_down("group_send", error)
            raise

    async def group_send_many(self, messages: list[tuple[str, dict[str, Any]]]) -> None:
        """Fan out several (group, message) pairs, each group's in order; on Redis pub/sub, one round trip
        per shard."""
        try:
            shards = _pubsub_shards(self.inner, messages)
            if shards is None:
                # RedisChannelLayer: each group_send is two round trips (the members, then a script). The
                # groups go side by side, each group's messages one after another, in the order given.
                by_group: dict[str, list[dict[str, Any]]] = {}
                for group, message in messages:
                    by_group.setdefault(group, []).append(message)
                await asyncio.gather(
                    *(self._group_send_in_order(group, queued) for group, queued in by_group.items())
                )
                return
            for shard, publishes in shards.items():
                # channels-redis publishes one message per round trip, each under the shard's lock: a
                # batch's events (two per message) go in one pipeline under one acquisition instead.
                async with shard._lock:
                    shard._ensure_redis()
                    async with shard._redis.pipeline(transaction=False) as pipeline:
                        for channel, data in publishes:
                            pipeline.publish(channel, data)
                        await pipeline.execute()
        except Exception as error:
            self.mark_down("group_send", error)
            raise

    async def _group_send_in_order(self, group: str, messages: list[dict[str, Any]]) -> None:
        for message in messages:
            await self.inner.group_send(group, message)

    async def flush(self) -> None:
        """Empty the layer."""
        await self.inner.flush()

    # --- health -------------------------------------------------------------------------------------

    def mark_down(self, operation: str, error: BaseException) -> None:
        """Record that Redis failed; the probe heals it."""
        if not self.down:
            logger.warning(
                "channel layer %s failed (%s): fan-out degraded until Redis answers", operation, error
            )
        self.down = True
        self._ensure_probe()

    def _ensure_probe(self) -> None:
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            return
        task = self._probes.get(loop)
        if task is None or task.done():
            self._probes[loop] = loop.create_task(self._probe_forever())

    async def _probe_forever(self) -> None:
        clients = [aioredis.Redis(connection_pool=create_pool(host)) for host in self.hosts]
        while True:
            await asyncio.sleep(self.probe_interval)
            try:
                run_ids = [
                    str((await asyncio.wait_for(client.info("server"), PROBE_TIMEOUT_SECONDS))["run_id"])
                    for client in clients
                ]
            except asyncio.CancelledError:
                raise
            except Exception as error:
                self.mark_down("probe", error)
                continue
            restarted = self.run_ids is not None and run_ids != self.run_ids
            self.run_ids = run_ids
            if self.down or restarted:
                self.down = False
                logger.warning(
                    "channel layer back (%s)", "Redis restarted" if restarted else "Redis answers again"
                )
                try:
                    await self.on_recovered()
                except Exception:
                    logger.exception("recovery after a channel layer outage failed")


class ProcessChannelLayer(InMemoryChannelLayer):  # type: ignore[misc]
    """Channels' in-memory layer whose expiry sweep runs once per `clean_interval`, not on every call."""

    # The stock layer walks every queue and every group membership (_clean_expired) on each group_send
    # and each receive, a cost that grows with every open socket (docs/decisions/0016). Here that sweep
    # runs at most once per `clean_interval` seconds, so an expired message may sit in its queue up to
    # that much longer (it still counts towards the channel's capacity) and its channel leaves its groups
    # that much later; receive checks the expiry of the message it takes, so an expired message is never
    # delivered.

    def __init__(self, *, clean_interval: float = 1.0, **config: Any) -> None:
        super().__init__(**config)
        self.clean_interval = clean_interval
        self._next_clean = 0.0  # time.monotonic() from which the next sweep is due

    def _clean_expired_if_due(self) -> None:
        now = time.monotonic()
        if now >= self._next_clean:
            self._next_clean = now + self.clean_interval
            self._clean_expired()

    def _queue(self, channel: str) -> "asyncio.Queue[tuple[float, dict[str, Any]]]":
        queue: asyncio.Queue[tuple[float, dict[str, Any]]] | None = self.channels.get(channel)
        if queue is None:
            # Built only when missing (stock builds one on every call and throws it away via setdefault).
            queue = self.channels[channel] = asyncio.Queue(maxsize=self.get_capacity(channel))
        return queue

    def _put(self, channel: str, message: dict[str, Any]) -> bool:
        """Queue a copy of `message` on `channel`; False, queueing nothing, when the channel is full."""
        queue = self._queue(channel)
        if queue.full():
            return False
        queue.put_nowait((time.time() + self.expiry, deepcopy(message)))
        return True

    async def send(self, channel: str, message: dict[str, Any]) -> None:
        """Send a message onto a channel; ChannelFull if it holds `capacity` messages."""
        assert isinstance(message, dict), "message is not a dict"
        self.require_valid_channel_name(channel)
        assert "__asgi_channel__" not in message
        if not self._put(channel, message):
            raise ChannelFull(channel)

    async def receive(self, channel: str) -> dict[str, Any]:
        """The next unexpired message on the channel, waiting for one."""
        self.require_valid_channel_name(channel)
        self._clean_expired_if_due()
        queue = self._queue(channel)
        try:
            while True:
                expires, message = await queue.get()
                if expires >= time.time():
                    return message
                # Expired since the last sweep: drop it as the sweep would, channel out of its groups.
                self._remove_from_groups(channel)
        finally:
            if queue.empty():
                self.channels.pop(channel, None)

    async def group_send(self, group: str, message: dict[str, Any]) -> None:
        """Queue the message on each member channel directly, skipping full ones (as stock does)."""
        assert isinstance(message, dict), "Message is not a dict"
        self.require_valid_group_name(group)
        assert "__asgi_channel__" not in message
        self._clean_expired_if_due()
        # Members were validated by group_add; nothing here awaits, so the group cannot change under us.
        for channel in self.groups.get(group, ()):
            self._put(channel, message)
