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
REDIS_URL = os.environ["REDIS_URL"]
CHANNEL_LAYERS = {
    "default": {
        "BACKEND": BACKENDS[os.environ.get("PARLEY_CHANNEL_LAYER", "redis-pubsub")],
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

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
}
