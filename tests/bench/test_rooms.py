"""bench.rooms: an agent side read in a process of its own reports arrivals on the load generator's clock."""

import asyncio
import json
import time
from collections.abc import AsyncIterator, Callable

import pytest
from websockets.asyncio.server import Server, ServerConnection, serve

from bench.rooms import RelayAgents, message_frame, open_agents, tag_of


@pytest.fixture
async def relay_server() -> AsyncIterator[tuple[Server, list[ServerConnection]]]:
    """A websockets server standing in for the relay: it keeps each agent socket so a test can send on it."""
    agents: list[ServerConnection] = []

    async def handler(socket: ServerConnection) -> None:
        agents.append(socket)
        await socket.wait_closed()

    async with serve(handler, "127.0.0.1", 0, subprotocols=None) as server:
        yield server, agents


def agent_url(server: Server) -> str:
    """The http:// URL the agent side turns into its ws:// one."""
    port = next(iter(server.sockets)).getsockname()[1]
    return f"http://127.0.0.1:{port}"


async def wait_for(predicate: Callable[[], bool], seconds: float = 10.0) -> None:
    """Poll until the predicate holds."""
    deadline = time.monotonic() + seconds
    while not predicate():
        assert time.monotonic() < deadline, "timed out"
        await asyncio.sleep(0.01)


@pytest.mark.parametrize("own_process", [True, False])
async def test_agent_side_reports_each_arrival_once_on_this_clock(
    relay_server: tuple[Server, list[ServerConnection]], own_process: bool
) -> None:
    """Each tagged frame an agent socket reads is one arrival, stamped between its send and now."""
    server, agents = relay_server
    side = await open_agents(
        "relay", own_process=own_process, agent_url=agent_url(server), rooms=2, prefix="t"
    )
    try:
        await wait_for(lambda: len(agents) == 2)
        before = time.perf_counter()
        for index, socket in enumerate(agents):
            await socket.send(message_frame(f"m{index}"))
        await agents[0].send(message_frame("m0"))
        await wait_for(lambda: len(side.arrivals) == 2)
        await asyncio.sleep(0.1)
        assert sorted(side.arrivals) == ["m0", "m1"]
        assert all(before <= arrived <= time.perf_counter() for arrived in side.arrivals.values())
        assert not side.errors
    finally:
        await side.close()


async def test_agent_process_reopens_what_the_server_closed(
    relay_server: tuple[Server, list[ServerConnection]],
) -> None:
    """A socket the server closes is counted, and reopened by the next ensure_open."""
    server, agents = relay_server
    side = await open_agents("relay", own_process=True, agent_url=agent_url(server), rooms=1, prefix="t")
    try:
        await wait_for(lambda: len(agents) == 1)
        await agents[0].close(code=1011)
        await wait_for(lambda: side.errors.get("socket_closed_1011") == 1)
        assert await side.ensure_open() == 1
        await wait_for(lambda: len(agents) == 2)
        await agents[1].send(message_frame("after"))
        await wait_for(lambda: "after" in side.arrivals)
    finally:
        await side.close()


def test_relay_agents_take_the_tag_from_the_relayed_body() -> None:
    """The relay's agent side reads the tag from the visitor's frame, as relayed."""
    agents = RelayAgents(agent_url="http://127.0.0.1:1", rooms=1, prefix="t")
    agents.on_agent_frame(message_frame("x1"), 5.0)
    agents.on_agent_frame(message_frame("x1"), 6.0)
    assert agents.arrivals == {"x1": 5.0}
    assert tag_of(json.loads(message_frame("y2"))["body"]) == "y2"
