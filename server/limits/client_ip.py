"""The client's IP address, for HTTP requests and socket handshakes alike.

Behind PARLEY_TRUSTED_PROXY_COUNT proxies, each proxy appends the address it received the request from to
X-Forwarded-For, so the Nth address from the right is the one the outermost trusted proxy saw: everything
left of it was written by the client and can be anything. With a count of 0 the header is ignored (a
client could send any value), and the peer address is the client.

A header with fewer addresses than the count, or whose chosen entry is not an IP address, was not written
by the configured proxies (a misconfiguration, or a request that reached the server around them): the
peer address is used then, as with a count of 0, so a forged header never picks the key.
"""

import ipaddress
from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.http import HttpRequest

# What an IP is keyed as when the peer address is missing (a Unix socket, a test client).
UNKNOWN = "unknown"


def client_ip(*, peer: str | None, forwarded_for: str | None) -> str:
    """The client's IP from the peer address and X-Forwarded-For, trusting the configured proxies."""
    count: int = settings.PARLEY_TRUSTED_PROXY_COUNT
    if count > 0 and forwarded_for:
        entries = [entry.strip() for entry in forwarded_for.split(",")]
        if len(entries) >= count:
            chosen = _valid_ip(entries[-count])
            if chosen is not None:
                return chosen
    return _valid_ip(peer or "") or UNKNOWN


def request_client_ip(request: HttpRequest) -> str:
    """The client's IP of an HTTP request."""
    return client_ip(
        peer=request.META.get("REMOTE_ADDR"), forwarded_for=request.META.get("HTTP_X_FORWARDED_FOR")
    )


def request_client_address(request: HttpRequest) -> str | None:
    """The client's IP of an HTTP request, or None when it has none (a request made in code, as by
    `Client.force_login`): what an IP address column can store (django-axes's)."""
    address = request_client_ip(request)
    return None if address == UNKNOWN else address


def scope_client_ip(scope: Mapping[str, Any]) -> str:
    """The client's IP of an ASGI connection scope (a socket's handshake)."""
    client = scope.get("client")
    peer = str(client[0]) if client else None
    # Repeated headers are joined with commas, as an HTTP request's META joins them.
    values = [
        bytes(value).decode("latin-1") for key, value in scope.get("headers", []) if key == b"x-forwarded-for"
    ]
    return client_ip(peer=peer, forwarded_for=", ".join(values) or None)


def _valid_ip(text: str) -> str | None:
    """The address in its normal form (so one client is one key), or None when it is not one."""
    try:
        return str(ipaddress.ip_address(text.strip()))
    except ValueError:
        return None
