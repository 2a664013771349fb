"""Where the limits count: Redis when REDIS_URL is set (shared by every process), else this process's memory
(memory.py).

The event loop counts through the asyncio Redis client (redis-py's, already a dependency) so a socket never
blocks the loop; HTTP views, which run in threads, count through the blocking client. Both use one key
prefix, so both see the same counters.

A limiter that cannot reach Redis allows (fails open) and logs a warning at most once per
PARLEY_LIMITS_RETRY_SECONDS, without trying again in between: delivery beats limiting during an outage,
as the channel layer already degrades (server/realtime/layers.py), and a refused connection per message
would otherwise cost every send a timeout.
"""

import asyncio
import logging
import time
import weakref

from django.conf import settings
from limits import RateLimitItem, WindowStats
from limits import strategies as sync_strategies
from limits.aio import storage as async_storage
from limits.aio import strategies as async_strategies
from limits.storage import RedisSentinelStorage, RedisStorage, Storage

from server.limits.memory import ProcessWindows

logger = logging.getLogger(__name__)

KEY_PREFIX = "parley-limits"
# A counter call waits at most this long for Redis: a message must not wait on a slow limiter.
REDIS_TIMEOUT_SECONDS = 0.5


def limits_uri(redis_url: str, *, asynchronous: bool) -> str:
    """The `limits` storage URI for REDIS_URL (one URL, shards separated by commas, or a Sentinel form).

    The counters live on the first shard: they are small, and one place keeps them exact.
    """
    if redis_url.startswith("sentinel://"):
        uri = "redis+sentinel://" + redis_url[len("sentinel://") :]
    else:
        uri = redis_url.split(",")[0].strip()
    return ("async+" if asynchronous else "") + uri


class FailOpen:
    """Remembers a storage outage: the limiter allows until the next retry, warning once per interval."""

    def __init__(self) -> None:
        self.retry_at = 0.0

    def skipping(self) -> bool:
        """Whether Redis failed within the retry interval, so limits are not counted now."""
        return time.monotonic() < self.retry_at

    def failed(self, error: Exception) -> None:
        """Record a failure: warn, and skip counting for the retry interval."""
        self.retry_at = time.monotonic() + settings.PARLEY_LIMITS_RETRY_SECONDS
        logger.warning(
            "rate limits are not enforced for %s s: their storage failed (%s: %s)",
            settings.PARLEY_LIMITS_RETRY_SECONDS,
            type(error).__name__,
            error,
        )


_outage = FailOpen()


def _sync_storage() -> Storage:
    uri = limits_uri(settings.REDIS_URL, asynchronous=False)
    kind = RedisSentinelStorage if uri.startswith("redis+sentinel://") else RedisStorage
    return kind(
        uri,
        key_prefix=KEY_PREFIX,
        socket_connect_timeout=REDIS_TIMEOUT_SECONDS,
        socket_timeout=REDIS_TIMEOUT_SECONDS,
    )


def _async_storage() -> async_storage.Storage:
    uri = limits_uri(settings.REDIS_URL, asynchronous=True)
    sentinel = uri.startswith("async+redis+sentinel://")
    kind = async_storage.RedisSentinelStorage if sentinel else async_storage.RedisStorage
    return kind(
        uri,
        key_prefix=KEY_PREFIX,
        implementation="redispy",
        socket_connect_timeout=REDIS_TIMEOUT_SECONDS,
        socket_timeout=REDIS_TIMEOUT_SECONDS,
    )


# Moving window: exactly `amount` hits in any span of the period, so a burst at a window's edge cannot
# double the limit (as a fixed window allows) and the refusal's retry_after is exact (when the oldest hit
# leaves the window). It keeps one timestamp per hit, at most `amount` per key: small at these limits.
_sync_limiter: sync_strategies.MovingWindowRateLimiter | None = None
# Per event loop: an asyncio Redis client's connections belong to the loop that opened them.
AsyncLimiter = async_strategies.MovingWindowRateLimiter
_async_limiters: "weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, AsyncLimiter]" = (
    weakref.WeakKeyDictionary()
)


def sync_limiter() -> sync_strategies.MovingWindowRateLimiter:
    """The limiter HTTP views count with (blocking: views run in threads)."""
    global _sync_limiter
    if _sync_limiter is None:
        _sync_limiter = sync_strategies.MovingWindowRateLimiter(_sync_storage())
    return _sync_limiter


def async_limiter() -> async_strategies.MovingWindowRateLimiter:
    """The limiter sockets count with, on the running event loop."""
    loop = asyncio.get_running_loop()
    limiter = _async_limiters.get(loop)
    if limiter is None:
        limiter = _async_limiters[loop] = async_strategies.MovingWindowRateLimiter(_async_storage())
    return limiter


# Without Redis: one store for the event loop and the views' threads (memory.py says why not the library's).
_process_windows = ProcessWindows()


def hit(item: RateLimitItem, *key: str) -> WindowStats | None:
    """Count one hit; None when allowed (or the storage failed), else the window that refused it."""
    if not settings.REDIS_URL:
        return _process_windows.hit(item, *key)
    if _outage.skipping():
        return None
    try:
        limiter = sync_limiter()
        if limiter.hit(item, *key):
            return None
        return limiter.get_window_stats(item, *key)
    except Exception as error:  # whatever the Redis client raises: fail open
        _outage.failed(error)
        return None


async def ahit(item: RateLimitItem, *key: str) -> WindowStats | None:
    """Count one hit from the event loop; None when allowed (or the storage failed), else the window."""
    if not settings.REDIS_URL:
        return _process_windows.hit(item, *key)
    if _outage.skipping():
        return None
    try:
        limiter = async_limiter()
        if await limiter.hit(item, *key):
            return None
        return await limiter.get_window_stats(item, *key)
    except Exception as error:  # whatever the Redis client raises: fail open
        _outage.failed(error)
        return None


def reset() -> None:
    """Forget every counter and outage of this process (tests; settings changed)."""
    global _sync_limiter, _process_windows
    _sync_limiter = None
    _process_windows = ProcessWindows()
    _async_limiters.clear()
    _outage.retry_at = 0.0
