"""Below the application, against a real `python -m server.serve`: socket buffers, frames, bodies."""

import asyncio
import contextlib
import json
import socket
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from subprocess import Popen

import pytest
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed
from websockets.typing import Origin

from server.limits import checks as limits
from tests.integration.clients import SUBPROTOCOLS, VisitorClient, http_json
from tests.processes import DemoDeployment, free_port
from tests.security.transport_clients import (
    TCP_ESTABLISHED,
    http_exchange,
    never_reading_visitor,
    send_frame,
    tcp_state,
    wait_dropped,
)
from tests.services import NginxBalancer

pytestmark = pytest.mark.timeout(180)

MiB = 1024 * 1024
STALL_SECONDS = 2
# Frames per second a flooding test client may send (the per-socket frame limit is not under test here).
# The floods test buffers, not limits: every rate limit out of their way.
FLOOD_RATES = {
    "PARLEY_FRAME_RATE": "100000",
    "PARLEY_FRAME_BURST": "100000",
    **{limit.setting: "" for limit in limits.ALL},
}


@dataclass
class Servers:
    """One deployment served twice: with the default buffer budget, and with a short stall time."""

    deployment: DemoDeployment
    site_key: str
    buffered_port: int
    buffered: Popen[bytes]
    stalling_port: int

    @property
    def origin(self) -> str:
        """The origin the demo site allows."""
        return f"http://localhost:{self.deployment.shop_port}"

    def url(self, port: int) -> str:
        """The HTTP base URL of one of the servers."""
        return f"http://localhost:{port}"

    def visitor_token(self, port: int) -> str:
        """A new visitor's token."""
        session = http_json(
            f"{self.url(port)}/api/widget/sites/{self.site_key}/session",
            {"visitor_token": None},
            origin=self.origin,
        )
        return str(session["visitor_token"])

    def visitor(self, token: str) -> VisitorClient:
        """A reading visitor client holding `token`."""
        client = VisitorClient(site_key=self.site_key, origin=self.origin)
        client.token = token
        return client


@pytest.fixture(scope="module")
def servers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Servers]:
    """Two server processes on one database: default guards (stall long), and a 2 s stall (budget large)."""
    workdir: Path = tmp_path_factory.mktemp("transport")
    deployment = DemoDeployment(workdir=workdir)
    try:
        site_key = deployment.set_up()
        buffered_port, stalling_port = free_port(), free_port()
        deployment.extra_env = {**FLOOD_RATES, "PARLEY_SOCKET_STALL_SECONDS": "600"}
        buffered = deployment.start_server(buffered_port)
        deployment.extra_env = {
            **FLOOD_RATES,
            "PARLEY_SOCKET_STALL_SECONDS": str(STALL_SECONDS),
            "PARLEY_SOCKET_BUFFER_MAX_BYTES": str(512 * MiB),
        }
        deployment.start_server(stalling_port)
        yield Servers(deployment, site_key, buffered_port, buffered, stalling_port)
    finally:
        deployment.stop_all()


def rss_bytes(pid: int) -> int:
    """A process's resident memory."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    raise AssertionError("no VmRSS")


async def flood(client: VisitorClient, *, messages: int, body: str) -> None:
    """Send `messages` messages through a reading client and wait for their acks."""
    for _ in range(messages):
        await client.send(body)
    await client.wait_until(lambda: not client.outbox, within=120)


def test_never_reading_tabs_flooded_by_their_visitor_are_dropped_and_memory_stays_bounded(servers):
    """10 never-reading tabs, 2,000 messages of 4,000 chars from another → all dropped, RSS grows < 40 MiB."""
    port = servers.buffered_port
    token = servers.visitor_token(port)
    readers = [
        never_reading_visitor(port, site_key=servers.site_key, origin=servers.origin, token=token)
        for _ in range(10)
    ]
    time.sleep(0.5)
    before = rss_bytes(servers.buffered.pid)

    async def run() -> None:
        sender = servers.visitor(token)
        await sender.connect(servers.url(port))
        await flood(sender, messages=2000, body="x" * 4000)
        await sender.close()

    asyncio.run(run())
    for reader in readers:
        wait_dropped(reader, within=10)
        reader.close()
    grown = rss_bytes(servers.buffered.pid) - before
    assert grown < 40 * MiB, f"the server grew by {grown / MiB:.1f} MiB"


def test_reading_tab_of_the_same_visitor_keeps_every_message(servers):
    """300 messages, a tab reading, one never reading (2 s stall) → the first holds all, the other dropped."""
    port = servers.stalling_port
    token = servers.visitor_token(port)
    stuck = never_reading_visitor(port, site_key=servers.site_key, origin=servers.origin, token=token)

    async def run() -> None:
        reader, sender = servers.visitor(token), servers.visitor(token)
        await reader.connect(servers.url(port))
        await sender.connect(servers.url(port))
        await flood(sender, messages=300, body="y" * 4000)
        await reader.wait_until(lambda: reader.last_seq >= sender.last_seq and len(reader.messages) == 300)
        assert reader.socket is not None, f"the reading tab was closed: {reader.close_codes}"
        await reader.close()
        await sender.close()

    asyncio.run(run())
    wait_dropped(stuck, within=10)
    stuck.close()


def test_stalled_reader_is_dropped_after_the_stall_time(servers):
    """History pages asked for and never read → open at 1 s, dropped after the 2 s stall time (+ checks)."""
    port = servers.stalling_port
    token = servers.visitor_token(port)

    async def seed() -> str:
        sender = servers.visitor(token)
        await sender.connect(servers.url(port))
        await flood(sender, messages=100, body="z" * 4000)
        await sender.close()
        assert sender.conversation_id is not None
        return str(sender.conversation_id)

    conversation_id = asyncio.run(seed())
    stalled = never_reading_visitor(port, site_key=servers.site_key, origin=servers.origin, token=token)
    for _ in range(4):
        send_frame(stalled, {"type": "sync", "conversation_id": conversation_id, "after_seq": 0})
    time.sleep(1)
    assert tcp_state(stalled) == TCP_ESTABLISHED
    took = wait_dropped(stalled, within=15)
    stalled.close()
    # The check runs every 2 s (its clock starts at the first check that sees bytes waiting), then 1 s of
    # grace for the close frame.
    assert took <= STALL_SECONDS + 2 + 2 + 1 + 3


async def read_until_closed(ws: ClientConnection) -> None:
    """Read frames until the server closes the socket (within 10 s)."""
    async with asyncio.timeout(10):
        with contextlib.suppress(ConnectionClosed):
            while True:
                await ws.recv()


async def open_visitor(servers: Servers, port: int) -> ClientConnection:
    """A visitor socket (websockets client), hello answered."""
    token = await asyncio.to_thread(servers.visitor_token, port)
    url = servers.url(port).replace("http", "ws", 1) + f"/ws/visitor/{servers.site_key}/"
    socket_ = await connect(url, origin=Origin(servers.origin), subprotocols=SUBPROTOCOLS, max_size=None)
    await socket_.send(json.dumps({"type": "hello", "token": token}))
    assert json.loads(await socket_.recv())["type"] == "ready"
    return socket_


@pytest.mark.parametrize(
    "size",
    [2_000_000, 500_000, 140_000],
    ids=["2MB-over-daphne-message-limit", "500KB", "140KB-just-over-128KiB"],
)
def test_frame_over_the_hard_limit_closes_1009(servers, size):
    """A frame over PARLEY_FRAME_HARD_MAX_BYTES (128 KiB), up to 2 MB → close 1009 (not a reset, 1006)."""

    async def run() -> int | None:
        ws = await open_visitor(servers, servers.buffered_port)
        await ws.send(json.dumps({"type": "ping", "pad": "p" * size}))
        await read_until_closed(ws)
        return ws.close_code

    assert asyncio.run(run()) == 1009


def test_fragmented_message_over_the_hard_limit_closes_1009(servers):
    """A message of 4 fragments of 64 KiB (each under the limit, 256 KiB together) → close 1009."""

    async def run() -> int | None:
        ws = await open_visitor(servers, servers.buffered_port)
        await ws.send(iter(["p" * 65536 for _ in range(4)]))
        await read_until_closed(ws)
        return ws.close_code

    assert asyncio.run(run()) == 1009


def test_frame_between_soft_and_hard_limit_gets_frame_too_large_and_stays_open(servers):
    """A 100 KB frame (over 16 KiB, under the 128 KiB hard limit) → frame_too_large, then ping → pong."""

    async def run() -> tuple[dict[str, object], dict[str, object]]:
        ws = await open_visitor(servers, servers.buffered_port)
        await ws.send(json.dumps({"type": "ping", "pad": "p" * 100_000}))
        error = json.loads(await ws.recv())
        await ws.send(json.dumps({"type": "ping"}))
        pong = json.loads(await ws.recv())
        await ws.close()
        return error, pong

    error, pong = asyncio.run(run())
    assert (error["type"], error["code"]) == ("error", "frame_too_large")
    assert pong["type"] == "pong"


def session_head(servers: Servers, *, length_header: str, extra: str = "") -> str:
    """The head of a session request with the given length header."""
    return (
        f"POST /api/widget/sites/{servers.site_key}/session HTTP/1.1\r\nHost: localhost\r\n"
        f"Origin: {servers.origin}\r\nContent-Type: application/json\r\n{length_header}\r\n{extra}\r\n"
    )


def assert_payload_too_large(status: int, body: bytes, limit: int) -> None:
    """The documented 413 JSON error."""
    assert status == 413
    assert json.loads(body) == {
        "error": {"code": "payload_too_large", "message": f"Bodies are limited to {limit} bytes."}
    }


def test_20_mb_session_body_is_refused_413_json_before_it_is_sent(servers):
    """Content-Length 20 MB and 10 body bytes sent → 413 JSON at once (the body was never needed)."""
    start = time.monotonic()
    status, body = http_exchange(
        servers.buffered_port, session_head(servers, length_header="Content-Length: 20000000"), [b"{" * 10]
    )
    assert_payload_too_large(status, body, 8192)
    assert time.monotonic() - start < 3


def test_oversized_body_with_expect_100_continue_gets_413_not_continue(servers):
    """Content-Length 20 MB with Expect: 100-continue → 413 JSON, no "100 Continue" invitation."""
    status, body = http_exchange(
        servers.buffered_port,
        session_head(servers, length_header="Content-Length: 20000000", extra="Expect: 100-continue\r\n"),
        [],
    )
    assert_payload_too_large(status, body, 8192)


def test_chunked_oversized_session_body_is_refused_413(servers):
    """A chunked session body growing past 8 KiB → 413 JSON."""
    chunk = b"a" * 4096
    parts = [b"1000\r\n" + chunk + b"\r\n" for _ in range(3)]
    status, body = http_exchange(
        servers.buffered_port, session_head(servers, length_header="Transfer-Encoding: chunked"), parts
    )
    assert_payload_too_large(status, body, 8192)


def test_normal_session_body_still_works(servers):
    """A small session body (Content-Length) → 200 with a visitor token."""
    payload = json.dumps({"visitor_token": None}).encode()
    status, body = http_exchange(
        servers.buffered_port,
        session_head(servers, length_header=f"Content-Length: {len(payload)}"),
        [payload],
    )
    assert status == 200
    assert "visitor_token" in json.loads(body)


def test_chunked_small_session_body_still_works(servers):
    """A small chunked session body → 200 with a visitor token."""
    payload = json.dumps({"visitor_token": None}).encode()
    chunked = f"{len(payload):x}\r\n".encode() + payload + b"\r\n0\r\n\r\n"
    status, body = http_exchange(
        servers.buffered_port, session_head(servers, length_header="Transfer-Encoding: chunked"), [chunked]
    )
    assert status == 200
    assert "visitor_token" in json.loads(body)


def test_large_body_to_a_console_path_is_refused_over_the_request_limit(servers):
    """POST /console/login/ declaring 2 MiB (over PARLEY_REQUEST_BODY_MAX_BYTES, 1 MiB) → 413 JSON."""
    head = (
        "POST /console/login/ HTTP/1.1\r\nHost: localhost\r\n"
        "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 2097152\r\n\r\n"
    )
    status, body = http_exchange(servers.buffered_port, head, [b"username=x"])
    assert_payload_too_large(status, body, MiB)


def test_body_under_the_request_limit_reaches_django(servers):
    """POST /console/login/ with 100 KB (under 1 MiB) → Django answers (CSRF 403), not the transport's 413."""
    payload = b"a=" + b"b" * 100_000
    head = (
        "POST /console/login/ HTTP/1.1\r\nHost: localhost\r\n"
        f"Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {len(payload)}\r\n\r\n"
    )
    status, _ = http_exchange(servers.buffered_port, head, [payload])
    assert status == 403


def test_encoded_widget_path_gets_the_widget_limit(servers):
    """A percent-encoded widget path (/api/%77idget/…) with 20 KB → refused at the widget API's 8 KiB."""
    head = (
        f"POST /api/%77idget/sites/{servers.site_key}/session HTTP/1.1\r\nHost: localhost\r\n"
        "Content-Type: application/json\r\nContent-Length: 20000\r\n\r\n"
    )
    status, body = http_exchange(servers.buffered_port, head, [])
    assert_payload_too_large(status, body, 8192)


def test_refused_client_that_keeps_the_connection_is_cut_off(servers):
    """After a 413, a client that neither closes nor stops sending → connection ended by the server."""
    with socket.create_connection(("127.0.0.1", servers.buffered_port), timeout=10) as sock:
        sock.sendall(session_head(servers, length_header="Content-Length: 20000000").encode())
        assert sock.recv(12).startswith(b"HTTP/1.1 413")
        wait_dropped(sock, within=10)


def test_behind_deploy_nginx_an_oversized_widget_body_gets_the_same_413_json(servers, tmp_path):
    """Through deploy/nginx.conf: a widget body declaring 20 MB → nginx's 413 with Parley's JSON body."""
    nginx = NginxBalancer(workdir=tmp_path, upstream_ports=[servers.buffered_port])
    nginx.start()
    try:
        status, body = http_exchange(
            nginx.port, session_head(servers, length_header="Content-Length: 20000000"), [b"{"]
        )
        assert_payload_too_large(status, body, 8192)
        status, body = http_exchange(
            nginx.port,
            "POST /console/login/ HTTP/1.1\r\nHost: localhost\r\nContent-Length: 2097152\r\n\r\n",
            [b"a"],
        )
        assert_payload_too_large(status, body, MiB)
        payload = json.dumps({"visitor_token": None}).encode()
        status, body = http_exchange(
            nginx.port, session_head(servers, length_header=f"Content-Length: {len(payload)}"), [payload]
        )
        assert status == 200
    finally:
        nginx.stop()
