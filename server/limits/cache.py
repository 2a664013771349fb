"""Django's cache on Redis, for the limits a library counts in it (allauth's login and sign-up caps, its
used TOTP codes): while Redis is unreachable it answers like an empty cache, so a login is allowed rather
than failed, as the limits of storage.py fail open."""

from collections.abc import Callable
from typing import Any, TypeVar

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache

from server.limits.storage import FailOpen

T = TypeVar("T")

_outage = FailOpen()


def _guarded(call: Callable[[], T], fallback: T) -> T:
    """`call()`, or `fallback` while Redis fails (warning once per PARLEY_LIMITS_RETRY_SECONDS)."""
    if _outage.skipping():
        return fallback
    try:
        return call()
    except Exception as error:  # whatever the Redis client raises: fail open
        _outage.failed(error)
        return fallback


class FailOpenRedisCache(RedisCache):
    """RedisCache whose reads miss and whose writes are dropped while Redis is unreachable."""

    def get(self, key: Any, default: Any = None, version: int | None = None) -> Any:
        """The value, or `default` (a miss) while Redis fails."""
        return _guarded(lambda: super(FailOpenRedisCache, self).get(key, default, version), default)

    def get_many(self, keys: Any, version: int | None = None) -> dict[Any, Any]:
        """The values found, or none while Redis fails."""
        return _guarded(lambda: super(FailOpenRedisCache, self).get_many(keys, version), {})

    def has_key(self, key: Any, version: int | None = None) -> bool:
        """Whether the key is set; not while Redis fails."""
        return _guarded(lambda: super(FailOpenRedisCache, self).has_key(key, version), False)

    def set(self, key: Any, value: Any, timeout: Any = DEFAULT_TIMEOUT, version: int | None = None) -> None:
        """Store, or drop the value while Redis fails."""
        _guarded(lambda: super(FailOpenRedisCache, self).set(key, value, timeout, version), None)

    def add(self, key: Any, value: Any, timeout: Any = DEFAULT_TIMEOUT, version: int | None = None) -> bool:
        """Store if absent; while Redis fails, say it was absent (allowed, as every limit then)."""
        return _guarded(lambda: super(FailOpenRedisCache, self).add(key, value, timeout, version), True)

    def delete(self, key: Any, version: int | None = None) -> bool:
        """Delete; nothing while Redis fails."""
        return _guarded(lambda: super(FailOpenRedisCache, self).delete(key, version), False)
