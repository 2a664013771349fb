"""The agent socket's Origin lock: the header must be one of this server's own origins, as a whole string."""

from collections.abc import Iterable, Mapping
from typing import Any

from channels.security.websocket import WebsocketDenier
from django.conf import settings

from server.sites.origins import serialized_origin


def console_origins() -> frozenset[str]:
    """Origins allowed to open the cookie-authenticated agent socket: CSRF_TRUSTED_ORIGINS, serialised."""
    return frozenset(filter(None, (serialized_origin(origin) for origin in settings.CSRF_TRUSTED_ORIGINS)))


def origin_allowed(*, headers: Iterable[tuple[bytes, bytes]], allowed: frozenset[str]) -> bool:
    """Whether a handshake carries exactly one Origin header, equal as a whole string to an allowed origin."""
    origins = [value for name, value in headers if name.lower() == b"origin"]
    if len(origins) != 1:
        return False
    try:
        origin = origins[0].decode("ascii")
    except UnicodeDecodeError:
        return False
    # Compared as sent: a browser sends the serialisation, so anything else (userinfo, a path, a trailing
    # slash, another case) is not a page of this server.
    return origin in allowed


class ExactOriginValidator:
    """ASGI middleware refusing (HTTP 403, before accept) a handshake whose Origin is not a console origin."""

    def __init__(self, application: Any) -> None:
        self.application = application
        self.deny = WebsocketDenier.as_asgi()

    async def __call__(self, scope: Mapping[str, Any], receive: Any, send: Any) -> Any:
        """Pass the handshake on only from an allowed Origin."""
        if origin_allowed(headers=scope.get("headers", []), allowed=console_origins()):
            return await self.application(scope, receive, send)
        return await self.deny(scope, receive, send)
