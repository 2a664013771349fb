"""The guarded request inside Twisted's real HTTP parser, on an in-memory transport and a fake clock."""

import json
from types import SimpleNamespace
from typing import Any

from twisted.internet.task import Clock
from twisted.internet.testing import StringTransport
from twisted.web.http import HTTPChannel

from server.transport.http import LINGER_SECONDS, GuardedWebRequest


class HalfClosingTransport(StringTransport):
    """An in-memory transport that records a half-close and an abort."""

    def __init__(self) -> None:
        super().__init__()  # type: ignore[no-untyped-call]
        self.write_closed = False
        self.aborted = False

    def loseWriteConnection(self) -> None:
        self.write_closed = True

    def abortConnection(self) -> None:
        self.aborted = True


class FakeServer:
    """What daphne's request asks of its server; records the application's scope and body."""

    root_path = ""
    proxy_forwarded_address_header = None
    http_timeout = None
    server_name = "daphne"
    request_buffer_size = 8192

    def __init__(self) -> None:
        self.scopes: list[dict[str, Any]] = []
        self.bodies: list[bytes] = []

    def protocol_connected(self, protocol: Any) -> None:
        pass

    def protocol_disconnected(self, protocol: Any) -> None:
        pass

    def create_application(self, protocol: Any, scope: dict[str, Any]) -> Any:
        self.scopes.append(scope)
        return SimpleNamespace(put_nowait=lambda message: self.bodies.append(message["body"]))


def channel() -> tuple[Any, Any, FakeServer, Clock]:
    """Twisted's HTTP channel building guarded requests, connected to an in-memory transport."""
    clock, server = Clock(), FakeServer()
    transport: Any = HalfClosingTransport()
    http: Any = HTTPChannel()  # type: ignore[no-untyped-call]
    http.requestFactory = GuardedWebRequest
    http.factory = SimpleNamespace(server=server)
    http.callLater = clock.callLater
    http.makeConnection(transport)
    return http, transport, server, clock


def answer(transport: Any) -> tuple[bytes, dict[str, Any]]:
    """The status line and JSON body written to the transport."""
    head, _, body = transport.value().partition(b"\r\n\r\n")
    return head.split(b"\r\n")[0], json.loads(body)


TOO_LARGE = {"error": {"code": "payload_too_large", "message": "Bodies are limited to 8192 bytes."}}


def test_declared_length_over_the_limit_is_refused_before_the_body():
    """A widget POST declaring 20 MB, no body byte sent → 413 JSON, half-closed, the app never runs."""
    http, transport, server, clock = channel()
    http.dataReceived(
        b"POST /api/widget/sites/k/session HTTP/1.1\r\nHost: a\r\nContent-Length: 20000000\r\n\r\n"
    )
    assert answer(transport) == (b"HTTP/1.1 413 Request Entity Too Large", TOO_LARGE)
    assert transport.write_closed
    http.dataReceived(b"x" * 100_000)  # the rest of the body is read and dropped
    assert server.scopes == []
    clock.advance(LINGER_SECONDS)
    assert transport.aborted


def test_refusal_does_not_invite_the_body_with_100_continue():
    """Expect: 100-continue on a declared 20 MB → only the 413 is written."""
    http, transport, _, _ = channel()
    http.dataReceived(
        b"POST /api/widget/x HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\nContent-Length: 20000000\r\n\r\n"
    )
    assert transport.value().startswith(b"HTTP/1.1 413")
    assert b"100 Continue" not in transport.value()


def test_chunked_body_over_the_limit_is_refused_when_it_passes_it():
    """A chunked widget body: 8,000 bytes kept, 400 more → 413, the app never runs."""
    http, transport, server, _ = channel()
    http.dataReceived(b"POST /api/widget/x HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n")
    http.dataReceived(b"1f40\r\n" + b"a" * 8000 + b"\r\n")
    assert transport.value() == b""
    http.dataReceived(b"190\r\n" + b"a" * 400 + b"\r\n0\r\n\r\n")
    assert answer(transport) == (b"HTTP/1.1 413 Request Entity Too Large", TOO_LARGE)
    assert server.scopes == []


def test_body_within_the_limit_reaches_the_application():
    """A widget body of 8,192 bytes (the limit) → the application gets the scope and the whole body."""
    http, transport, server, _ = channel()
    http.dataReceived(b"POST /api/widget/x HTTP/1.1\r\nHost: a\r\nContent-Length: 8192\r\n\r\n" + b"b" * 8192)
    assert transport.value() == b""
    assert [scope["path"] for scope in server.scopes] == ["/api/widget/x"]
    assert b"".join(server.bodies) == b"b" * 8192


def test_other_paths_take_the_request_limit():
    """A console POST of 100,000 bytes (over the widget limit, under 1 MiB) → reaches the application."""
    http, transport, server, _ = channel()
    http.dataReceived(
        b"POST /console/login/ HTTP/1.1\r\nHost: a\r\nContent-Length: 100000\r\n\r\n" + b"c" * 100_000
    )
    assert transport.value() == b""
    assert len(b"".join(server.bodies)) == 100_000


def test_client_gone_before_the_linger_cancels_the_abort():
    """A refused client that disconnects → the pending abort is cancelled."""
    http, transport, _, clock = channel()
    http.dataReceived(b"POST /api/widget/x HTTP/1.1\r\nHost: a\r\nContent-Length: 20000000\r\n\r\n")
    http.connectionLost(None)
    clock.advance(LINGER_SECONDS)
    assert not transport.aborted
