"""The client's IP: the peer address, or X-Forwarded-For's Nth address from the right behind N proxies."""

import pytest
from django.http import HttpRequest
from django.test import RequestFactory

from server.limits.client_ip import request_client_address, request_client_ip, scope_client_ip


def scope(peer: str | None, *forwarded: str) -> dict[str, object]:
    """An ASGI scope from a peer address and X-Forwarded-For header lines."""
    headers = [(b"x-forwarded-for", value.encode()) for value in forwarded]
    return {"type": "websocket", "client": [peer, 5000] if peer else None, "headers": headers}


def request(peer: str, forwarded: str | None) -> HttpRequest:
    """An HTTP request from a peer address with an X-Forwarded-For header."""
    made = RequestFactory().get("/", REMOTE_ADDR=peer)
    if forwarded is not None:
        made.META["HTTP_X_FORWARDED_FOR"] = forwarded
    return made


CASES = [
    # (proxies, peer, X-Forwarded-For, client IP)
    (0, "203.0.113.7", None, "203.0.113.7"),
    (0, "203.0.113.7", "198.51.100.1", "203.0.113.7"),
    (1, "10.0.0.2", "198.51.100.1", "198.51.100.1"),
    (1, "10.0.0.2", "6.6.6.6, 198.51.100.1", "198.51.100.1"),
    (2, "10.0.0.2", "6.6.6.6, 198.51.100.1, 10.0.0.1", "198.51.100.1"),
    (2, "10.0.0.2", "198.51.100.1", "10.0.0.2"),
    (1, "10.0.0.2", "not-an-ip", "10.0.0.2"),
    (1, "10.0.0.2", "", "10.0.0.2"),
    (1, "10.0.0.2", " 2001:DB8::1 ", "2001:db8::1"),
    (1, "10.0.0.2", "198.51.100.1:443", "10.0.0.2"),
]


@pytest.mark.parametrize(("proxies", "peer", "forwarded", "expected"), CASES)
def test_http_and_socket_read_the_client_ip_alike(settings, proxies, peer, forwarded, expected):
    """0 proxies: the peer, whatever the header says; N proxies: the Nth from the right; a short or
    malformed header: the peer."""
    settings.PARLEY_TRUSTED_PROXY_COUNT = proxies
    forwarded_lines = () if forwarded is None else (forwarded,)
    assert request_client_ip(request(peer, forwarded)) == expected
    assert scope_client_ip(scope(peer, *forwarded_lines)) == expected


def test_spoofed_header_is_ignored_without_trusted_proxies(settings):
    """A client writing X-Forwarded-For itself with no proxy configured → its own address counts."""
    settings.PARLEY_TRUSTED_PROXY_COUNT = 0
    assert scope_client_ip(scope("203.0.113.7", "1.2.3.4", "5.6.7.8")) == "203.0.113.7"


def test_repeated_header_lines_join_as_one_list(settings):
    """Two X-Forwarded-For lines on a socket → read as one comma-separated list, as HTTP joins them."""
    settings.PARLEY_TRUSTED_PROXY_COUNT = 1
    assert scope_client_ip(scope("10.0.0.2", "6.6.6.6", "198.51.100.1")) == "198.51.100.1"


def test_no_peer_address_is_one_shared_key(settings):
    """A scope without a client (a Unix socket) → the one key "unknown", never an error."""
    settings.PARLEY_TRUSTED_PROXY_COUNT = 0
    assert scope_client_ip(scope(None)) == "unknown"


def test_a_request_without_a_peer_has_no_address_for_a_column(rf):
    """A request made in code (no REMOTE_ADDR) → None for an IP column; a real peer → its address."""
    request = rf.get("/")
    del request.META["REMOTE_ADDR"]
    assert request_client_address(request) is None
    assert request_client_address(rf.get("/", REMOTE_ADDR="10.1.2.3")) == "10.1.2.3"
