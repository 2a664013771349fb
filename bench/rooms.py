"""Rooms of one visitor socket and one agent side: send a tagged message, note when the agent sees it.

The visitors' sockets live in the load generator, which sends and timestamps; the agents' sockets live in
an agent side (bench/agents.py), by default in a process of its own.
"""

import asyncio
import functools
import json
from collections import Counter
from collections.abc import Awaitable, Callable
from typing import Any

from websockets.asyncio.client import ClientConnection
from websockets.exceptions import ConnectionClosed

from bench.agents import (
    SETUP_TIMEOUT,
    Agents,
    SocketReaders,
    bounded_each,
    open_socket,
)

# Re-exported: tests/bench import these from here.
from bench.agents import RelayAgents as RelayAgents
from bench.agents import message_frame as message_frame
from bench.agents import open_agents as open_agents
from bench.agents import tag_of as tag_of
from bench.clients import ws_url
from tests.integration.clients import http_json


class Rooms:
    """The load generator's side of a system: the visitors' sockets, and the agent side's arrivals."""

    name = "rooms"

    def __init__(self) -> None:
        self.visitors: dict[int, ClientConnection] = {}
        self.visitor_side = SocketReaders(self.on_visitor_frame)
        self.agents: Agents | None = None
        self.empty: dict[str, float] = {}
        # Rooms whose visitor socket the server closed since the last measurement.
        self.closed: set[int] = set()

    @property
    def arrivals(self) -> dict[str, float]:
        """When each tagged message reached the agent side (perf_counter), by tag."""
        return self.agents.arrivals if self.agents is not None else self.empty

    @property
    def errors(self) -> Counter[str]:
        """Errors of both sides so far."""
        agent_errors = self.agents.errors if self.agents is not None else Counter()
        return self.visitor_side.errors + agent_errors

    async def send(self, room: int, tag: str) -> None:
        """Send a tagged message from the visitor of one room."""
        try:
            await self.visitors[room].send(message_frame(tag))
        except ConnectionClosed:
            self.visitor_side.errors["send_on_closed_socket"] += 1

    async def connect(
        self,
        start_visitor: Callable[[int], Awaitable[None]],
        room_count: int,
        kind: str,
        *,
        own_process: bool,
        **agent_options: Any,
    ) -> None:
        """Start every room's visitor, then open the agent side; on failure close what was opened."""
        try:
            async with asyncio.timeout(SETUP_TIMEOUT):
                await bounded_each(start_visitor, range(room_count))
            self.agents = await open_agents(kind, own_process=own_process, **agent_options)
        except BaseException:
            await self.close()
            raise

    async def ensure_open(self) -> int:
        """Reopen what the server closed since the last measurement, on both sides; how many sockets."""
        reopened = await self.ensure_visitors_open()
        if self.agents is not None:
            reopened += await self.agents.ensure_open()
        return reopened

    async def ensure_visitors_open(self) -> int:
        """Reopen the visitor sockets the server closed; how many."""
        closed = sorted(self.closed)
        self.closed.clear()
        async with asyncio.timeout(SETUP_TIMEOUT):
            await bounded_each(self.connect_visitor, closed)
        return len(closed)

    async def connect_visitor(self, room: int) -> None:
        """(Re)connect the visitor socket of a room."""
        raise NotImplementedError

    def watch_visitor(self, room: int, socket: ClientConnection) -> None:
        """Send on this socket for the room, and read it; a close marks it for reopening."""
        self.visitors[room] = socket
        self.visitor_side.watch(socket, on_closed=functools.partial(self.closed.add, room))

    def on_visitor_frame(self, raw: str | bytes, now: float) -> None:
        """Visitors' own echoes are read and dropped (a socket nobody reads stalls the server's writes)."""

    async def close(self) -> None:
        """Close both sides."""
        closing = [self.visitor_side.close()]
        if self.agents is not None:
            closing.append(self.agents.close())
        await asyncio.gather(*closing)


class RelayRooms(Rooms):
    """The bare relay: visitor sockets on process 1; the agent side gets each frame back as it was sent.

    A socket the server closed (a consumer that crashed) is reopened before the next measurement.
    """

    name = "relay"

    def __init__(self, *, visitor_url: str, prefix: str, compression: str | None) -> None:
        super().__init__()
        self.visitor_url = visitor_url
        self.prefix = prefix
        self.compression = compression

    @classmethod
    async def open(
        cls,
        *,
        visitor_url: str,
        agent_url: str,
        rooms: int,
        prefix: str,
        compression: str | None = None,
        agents_own_process: bool = True,
    ) -> "RelayRooms":
        """Connect a visitor (process 1) and an agent (process 2) socket per room."""
        self = cls(visitor_url=visitor_url, prefix=prefix, compression=compression)
        await self.connect(
            self.connect_visitor,
            rooms,
            "relay",
            own_process=agents_own_process,
            agent_url=agent_url,
            rooms=rooms,
            prefix=prefix,
            compression=compression,
        )
        return self

    async def connect_visitor(self, room: int) -> None:
        """Connect the visitor socket of a room (on process 1)."""
        url = ws_url(self.visitor_url) + f"/relay/{self.prefix}-{room}/"
        self.watch_visitor(room, await open_socket(url, compression=self.compression))


class ParleyRooms(Rooms):
    """Parley: a widget session per visitor, and console sockets that opened every room's conversation.

    Visitor sockets the server closes are reopened before the next measurement, resuming from their
    last seq as the widget does; the closes are counted.
    """

    name = "parley"

    def __init__(self, *, visitor_url: str, site_key: str, shop_origin: str, compression: str | None) -> None:
        super().__init__()
        self.visitor_url = visitor_url
        self.site_key = site_key
        self.shop_origin = shop_origin
        self.compression = compression
        self.tokens: list[str] = []
        self.conversations: list[str] = []

    def on_visitor_frame(self, raw: str | bytes, now: float) -> None:
        """Count error frames (a rate limit or a server failure loses the message)."""
        text = raw if isinstance(raw, str) else raw.decode()
        if text.startswith('{"type":"error"'):
            self.visitor_side.errors[f"visitor_{json.loads(text)['code']}"] += 1

    @classmethod
    async def open(
        cls,
        *,
        visitor_url: str,
        agent_url: str,
        site_key: str,
        shop_origin: str,
        agent_origin: str,
        cookie: str,
        rooms: int,
        agent_sockets: int,
        compression: str | None = None,
        agents_own_process: bool = True,
        tokens: list[str] | None = None,
    ) -> "ParleyRooms":
        """Start R conversations on process 1, then open them all from console sockets on process 2.

        Each room's visitor is one of `tokens` when given, else gets a widget session of its own.
        """
        self = cls(
            visitor_url=visitor_url, site_key=site_key, shop_origin=shop_origin, compression=compression
        )
        self.tokens = list(tokens) if tokens else [""] * rooms
        self.conversations = [""] * rooms
        await self.connect(
            self._start_visitor,
            rooms,
            "parley",
            own_process=agents_own_process,
            agent_url=agent_url,
            agent_origin=agent_origin,
            cookie=cookie,
            conversations=self.conversations,
            agent_sockets=agent_sockets,
            compression=compression,
        )
        return self

    async def _start_visitor(self, room: int) -> None:
        if not self.tokens[room]:
            session = await asyncio.to_thread(
                http_json,
                f"{self.visitor_url}/api/widget/sites/{self.site_key}/session",
                {"visitor_token": None},
                origin=self.shop_origin,
            )
            self.tokens[room] = session["visitor_token"]
        socket = await self._hello(room, last_seq=0)
        # The first message starts the conversation (and joins its group) before timing starts.
        await socket.send(message_frame(f"start{room}"))
        while not self.conversations[room]:
            frame = json.loads(await socket.recv())
            if frame["type"] == "message.ack":
                self.conversations[room] = frame["message"]["conversation_id"]
            elif frame["type"] == "error":
                raise RuntimeError(f"first message refused: {frame}")
        self.watch_visitor(room, socket)

    def visitor_headers(self, room: int) -> dict[str, str] | None:
        """Extra handshake headers of a room's visitor socket (none here: the load generator's address)."""
        return None

    async def connect_visitor(self, room: int) -> None:
        """Reconnect a started visitor: a new socket, hello with its token."""
        # The visitor's own frames are not tracked: resuming from the start is correct, if wordier.
        self.watch_visitor(room, await self._hello(room, last_seq=0))

    async def _hello(self, room: int, *, last_seq: int) -> ClientConnection:
        socket = await open_socket(
            ws_url(self.visitor_url) + f"/ws/visitor/{self.site_key}/",
            origin=self.shop_origin,
            headers=self.visitor_headers(room),
            compression=self.compression,
        )
        await socket.send(json.dumps({"type": "hello", "token": self.tokens[room], "last_seq": last_seq}))
        ready = json.loads(await socket.recv())
        if ready["type"] != "ready":
            await socket.close()
            raise RuntimeError(f"visitor hello refused: {ready}")
        return socket
