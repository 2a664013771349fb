"""Django settings for the bare relay: only Channels and the channel layer Parley would use."""

import os
from typing import Any

# The relay serves no HTTP, signs nothing and stores nothing; the key only satisfies Django.
SECRET_KEY = "parley-bench-relay"  # noqa: S105
DEBUG = False
ALLOWED_HOSTS = ["localhost", "127.0.0.1"]
INSTALLED_APPS = ["channels"]
DATABASES: dict[str, Any] = {}
USE_TZ = True
TIME_ZONE = "UTC"
ASGI_APPLICATION = "bench.relay_asgi.application"

# The same backends, and the same channels-redis options at Parley's defaults (server/settings.py), so
# the only difference measured is what Parley does around the layer.
BACKENDS = {
    "redis-pubsub": "channels_redis.pubsub.RedisPubSubChannelLayer",
    "redis": "channels_redis.core.RedisChannelLayer",
}
LAYER = os.environ.get("PARLEY_CHANNEL_LAYER", "redis-pubsub")
# Channels' stock in-memory layer, with the capacity and expiry Parley gives its own (server/settings.py):
# the baseline is what Channels gives you out of the box.
IN_MEMORY_LAYERS = {
    "default": {"BACKEND": "channels.layers.InMemoryChannelLayer", "CONFIG": {"capacity": 1000, "expiry": 60}}
}
REDIS_URL = os.environ.get("REDIS_URL", "")
REDIS_LAYERS = {
    "default": {
        "BACKEND": BACKENDS.get(LAYER, BACKENDS["redis-pubsub"]),
        "CONFIG": {
            "hosts": [
                {
                    "address": REDIS_URL,
                    "max_connections": 1000,
                    "socket_connect_timeout": 2,
                    "health_check_interval": 15,
                    "retry_on_timeout": True,
                }
            ],
            "prefix": "relay",
            "capacity": 1000,
            "expiry": 60,
            "group_expiry": 86400,
        },
    }
}
CHANNEL_LAYERS = IN_MEMORY_LAYERS if LAYER == "inmemory" else REDIS_LAYERS

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
}
