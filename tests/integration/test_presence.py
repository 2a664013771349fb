"""Presence across real processes sharing Redis: an agent on one process, a visitor on another."""

import asyncio
import json
import signal
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from websockets.asyncio.client import ClientConnection, connect
from websockets.typing import Origin

from tests.integration.clients import SUBPROTOCOLS, console_session_cookie, http_json
from tests.processes import DemoDeployment, free_port
from tests.services import RedisServer

pytestmark = pytest.mark.timeout(120)

# Short figures so that a SIGKILLed process's agent expires in seconds (defaults: 30 s TTL, 10 s sweep).
TTL_SECONDS = 3
SWEEP_SECONDS = 1


@dataclass
class Pair:
    """Two daphne processes of one deployment sharing Redis: A for the agent, B for the visitor."""

    deployment: DemoDeployment
    site_key: str
    port_a: int
    port_b: int

    def url(self, port: int) -> str:
        """The process's base URL."""
        return f"http://localhost:{port}"


@pytest.fixture(scope="module")
def pair(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Pair]:
    """Redis and two daphne processes with a short presence TTL and sweep."""
    workdir = tmp_path_factory.mktemp("presence")
    redis = RedisServer(workdir)
    redis.start()
    port_a, port_b = free_port(), free_port()
    deployment = DemoDeployment(
        workdir=workdir,
        server_port=port_a,
        extra_env={
            "REDIS_URL": redis.url,
            "PARLEY_PRESENCE_TTL_SECONDS": str(TTL_SECONDS),
            "PARLEY_PRESENCE_SWEEP_SECONDS": str(SWEEP_SECONDS),
        },
    )
    try:
        site_key = deployment.set_up()
        deployment.start_server(port_a)
        deployment.start_server(port_b)
        deployment.start_shop()
        yield Pair(deployment=deployment, site_key=site_key, port_a=port_a, port_b=port_b)
    finally:
        deployment.stop_all()
        redis.kill()


async def open_visitor(pair: Pair) -> tuple[ClientConnection, dict[str, Any]]:
    """A visitor socket on process B, after hello: the socket and its ready frame."""
    shop = f"http://localhost:{pair.deployment.shop_port}"
    session = await asyncio.to_thread(
        http_json, f"{pair.url(pair.port_b)}/api/widget/sites/{pair.site_key}/session", {}, origin=shop
    )
    socket_url = pair.url(pair.port_b).replace("http", "ws", 1) + f"/ws/visitor/{pair.site_key}/"
    socket = await connect(socket_url, origin=Origin(shop), subprotocols=SUBPROTOCOLS)
    await socket.send(json.dumps({"type": "hello", "token": session["visitor_token"]}))
    return socket, await next_of_type(socket, "ready", within=10)


async def open_agent(pair: Pair) -> ClientConnection:
    """The demo agent's console socket on process A, once its ready has arrived."""
    deployment = pair.deployment
    cookie = await asyncio.to_thread(
        console_session_cookie, deployment.server_url, deployment.username, deployment.password
    )
    socket = await connect(
        pair.url(pair.port_a).replace("http", "ws", 1) + "/ws/agent/",
        origin=Origin(deployment.server_url),
        subprotocols=SUBPROTOCOLS,
        additional_headers={"Cookie": cookie},
    )
    await next_of_type(socket, "ready", within=10)
    return socket


async def next_of_type(socket: ClientConnection, frame_type: str, *, within: float) -> dict[str, Any]:
    """The next frame of a type, skipping others, within `within` seconds."""
    async with asyncio.timeout(within):
        while True:
            frame: dict[str, Any] = json.loads(await socket.recv())
            if frame["type"] == frame_type:
                return frame


async def test_closing_the_agents_console_flips_the_visitor_within_5_seconds(pair: Pair) -> None:
    """Agent on A, visitor on B: the console opening flips the widget online, its closing away, each < 5 s."""
    visitor, ready = await open_visitor(pair)
    assert ready["availability"] == "away"
    agent = await open_agent(pair)
    assert (await next_of_type(visitor, "availability", within=5))["status"] == "online"
    started = time.monotonic()
    await agent.close()
    assert (await next_of_type(visitor, "availability", within=5))["status"] == "away"
    assert time.monotonic() - started < 5
    await visitor.close()


async def test_away_on_one_process_reaches_a_visitor_on_the_other(pair: Pair) -> None:
    """presence.set away on A → the visitor on B sees away; online again → online."""
    agent = await open_agent(pair)
    visitor, ready = await open_visitor(pair)
    assert ready["availability"] == "online"
    await agent.send(json.dumps({"type": "presence.set", "status": "away"}))
    assert (await next_of_type(visitor, "availability", within=5))["status"] == "away"
    await agent.send(json.dumps({"type": "presence.set", "status": "online"}))
    assert (await next_of_type(visitor, "availability", within=5))["status"] == "online"
    await agent.close()
    assert (await next_of_type(visitor, "availability", within=5))["status"] == "away"
    await visitor.close()


async def test_sigkill_of_the_agents_process_flips_the_visitor(pair: Pair) -> None:
    """Process A SIGKILLed with the agent's console open → the visitor on B sees away once the TTL passes.

    (Last in this module: process A stays dead.)"""
    await open_agent(pair)  # left open: its process dies under it
    visitor, ready = await open_visitor(pair)
    assert ready["availability"] == "online"
    process_a = pair.deployment.processes[0]
    started = time.monotonic()
    pair.deployment.stop(process_a, sig=signal.SIGKILL)
    # Within the TTL, one heartbeat interval and one sweep (60 s with the default figures).
    frame = await next_of_type(visitor, "availability", within=TTL_SECONDS + SWEEP_SECONDS + 5)
    assert frame["status"] == "away"
    # Announced by expiry (at least 2/3 of the TTL after the last heartbeat), not by a closed socket.
    assert time.monotonic() - started >= TTL_SECONDS * 2 / 3 - 0.1
    await visitor.close()
