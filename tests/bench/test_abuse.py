"""bench.abuse's plumbing: pushers obey the server, tabs stop reading, the RSS sampler samples."""

import asyncio
import contextlib
import json
import os
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import pytest
from websockets.asyncio.client import ClientConnection
from websockets.asyncio.server import Server, ServerConnection, serve

from bench.abuse import parse_args, table
from bench.abuse_tabs import RssSampler, open_unread_tab, tab_fate
from bench.clients import open_client
from bench.pushers import Pusher, visitor_frame
from tests.integration.clients import SUBPROTOCOLS

Handler = Callable[[ServerConnection], Awaitable[None]]


def compact(frame: dict[str, Any]) -> str:
    """A frame as the server writes it (no spaces)."""
    return json.dumps(frame, separators=(",", ":"))


@pytest.fixture
async def server() -> AsyncIterator[Callable[[Handler], Awaitable[str]]]:
    """Start a websockets server with a given handler; yields a function returning its ws:// URL."""
    servers: list[Server] = []

    async def start(handler: Handler) -> str:
        started = await serve(handler, "127.0.0.1", 0, subprotocols=SUBPROTOCOLS)
        servers.append(started)
        return f"ws://127.0.0.1:{next(iter(started.sockets)).getsockname()[1]}/"

    yield start
    for started in servers:
        started.close()
        await started.wait_closed()


async def test_pusher_waits_out_retry_after_and_reconnects_after_a_refusal(server: Any) -> None:
    """Hello closed 4429 → counted, reopened; rate_limited, retry_after 1 → the next frame a second later."""
    received: list[tuple[float, str]] = []
    connections = 0

    async def handler(socket: ServerConnection) -> None:
        nonlocal connections
        connections += 1
        await socket.recv()
        if connections == 1:
            await socket.close(code=4429)
            return
        await socket.send(json.dumps({"type": "ready"}))
        async for raw in socket:
            client_id = json.loads(raw)["client_id"]
            received.append((time.monotonic(), client_id))
            if len(received) == 2:
                error = {"type": "error", "code": "rate_limited", "ref": client_id, "retry_after": 1}
                await socket.send(compact(error))
            else:
                await socket.send(compact({"type": "message.ack", "client_id": client_id}))

    url = await server(handler)

    async def say_hello() -> ClientConnection:
        socket = await open_client(url, parley=True)
        await socket.send(json.dumps({"type": "hello", "token": "t"}))
        await socket.recv()
        return socket

    pusher = Pusher("t", open_socket=say_hello, frame=visitor_frame("hi"), pause=0.2)
    await pusher.run(until=time.monotonic() + 5, max_frames=4)
    stats = pusher.stats
    assert (stats.refused, stats.connected) == ({"closed_4429": 1}, 1)
    assert (stats.sent, stats.acked, stats.rate_limited, stats.retry_after_max) == (4, 3, 1, 1)
    assert received[2][0] - received[1][0] >= 0.95


async def test_tab_says_hello_then_never_reads(server: Any) -> None:
    """A tab's handshake carries its headers and hello; what the server sends later stays unread."""
    seen: dict[str, Any] = {}
    sent_all = asyncio.Event()

    async def handler(socket: ServerConnection) -> None:
        seen["forwarded"] = socket.request.headers.get("X-Forwarded-For") if socket.request else None
        seen["hello"] = json.loads(await socket.recv())
        await socket.send(json.dumps({"type": "ready"}))
        # Far more than the tab's tiny window and the kernel's buffers hold: the server's buffer fills.
        with contextlib.suppress(TimeoutError):
            for _ in range(400):
                await asyncio.wait_for(socket.send("x" * 65536), 0.5)
            sent_all.set()
        await socket.wait_closed()

    url = await server(handler)
    tab = await open_unread_tab(
        url, origin="http://shop", headers={"X-Forwarded-For": "192.0.2.20"}, token="t", receive_buffer=4096
    )
    try:
        assert tab.outcome == "ready"
        assert seen == {"forwarded": "192.0.2.20", "hello": {"type": "hello", "token": "t"}}
        await asyncio.sleep(1)
        assert not sent_all.is_set()
        assert await tab_fate(tab, time.monotonic() + 0.2) == "open"
    finally:
        tab.raw.close()


async def test_tab_fate_reads_the_servers_close_code(server: Any) -> None:
    """A server closing a tab with 4008 → the tab's fate reads closed_4008."""

    async def handler(socket: ServerConnection) -> None:
        await socket.recv()
        await socket.send(json.dumps({"type": "ready"}))
        await socket.close(code=4008)

    url = await server(handler)
    tab = await open_unread_tab(url, origin="http://shop", headers={}, token="t", receive_buffer=4096)
    try:
        assert await tab_fate(tab, time.monotonic() + 5) == "closed_4008"
    finally:
        tab.raw.close()


def test_rss_sampler_reads_this_process_every_interval() -> None:
    """Sampling this process for 0.35 s at 0.1 s → about four samples, the highest of each second kept."""
    sampler = RssSampler(os.getpid(), 0.1)
    sampler.start()
    time.sleep(0.35)
    sampler.done.set()
    sampler.join()
    assert 3 <= len(sampler.samples) <= 6
    assert sampler.by_second() == [max(kib for _, kib in sampler.samples)]


def test_table_names_each_figure_beside_its_quiet_one() -> None:
    """A report of both scenarios → one line per figure with its quiet value, ratio or growth, verdict."""
    settings = parse_args(["--quick"])
    assert (settings.p99.rounds, settings.tabs.tabs) == (1, 4)
    measurement = {"p50_ms": 2.0, "p99_ms": 4.0, "lost": 0}
    report = {
        "p99": {
            "quiet": measurement,
            "abuse": {**measurement, "p99_ms": 40.0},
            "ratio": 10.0,
            "target_ratio": 2.0,
            "verdict": "MISS",
            "attack": {
                "acked": 10,
                "acked_per_second": 1.0,
                "rate_limited": 2,
                "retry_after_max": 30,
                "refused": {},
                "closed": {},
            },
        },
        "tabs": {
            "quiet_rss_kib": 102400,
            "peak_rss_kib": 112640,
            "growth_mib": 10.0,
            "target_mib": 50.0,
            "verdict": "PASS",
            "tabs_opened": {"ready": 20},
            "tabs_after": {"closed_4008": 20},
            "flood": {
                "acked": 100,
                "seconds": 30.0,
                "acked_per_second": 3.3,
                "frame_bytes": 12000,
                "fanned_out_mib": 22.9,
                "rate_limited": 5,
                "closed": {},
            },
        },
    }
    lines = table(report).splitlines()
    assert lines[2].split()[-4:] == ["10.00x", "<=", "2x", "MISS"]
    assert lines[4].split()[-6:] == ["100.0", "110.0", "+10.0", "<=", "50", "PASS"]
