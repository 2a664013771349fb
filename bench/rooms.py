"""Rooms of one visitor socket and one agent side: send a tagged message, note when the agent sees it."""

import asyncio
import contextlib
import functools
import json
import time
from collections import Counter
from collections.abc import Awaitable, Callable, Iterable
from typing import TypeVar

from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed
from websockets.typing import Origin

from tests.integration.clients import SUBPROTOCOLS, http_json

SETUP_CONCURRENCY = 8
SETUP_TIMEOUT = 90.0
CLOSE_TIMEOUT = 5.0
BODY_TEXT = "Hi, is this available in blue?"
T = TypeVar("T")


def websocket_url(http_url: str) -> str:
    """The ws:// twin of an http:// URL."""
    return http_url.replace("http", "ws", 1)


async def open_socket(
    url: str,
    *,
    origin: str | None = None,
    headers: dict[str, str] | None = None,
    compression: str | None = None,
) -> ClientConnection:
    """A client socket without proxies, and without compression unless told "deflate" (permessage-deflate,
    which browsers always offer; daphne never accepts it)."""
    return await connect(
        url,
        origin=Origin(origin) if origin else None,
        subprotocols=SUBPROTOCOLS,
        additional_headers=headers,
        compression=compression,
        proxy=None,
        open_timeout=10,
        close_timeout=2,
        # The benchmark reads every frame; a larger queue keeps bursts from pausing the TCP reader.
        max_queue=1024,
    )


def message_frame(tag: str) -> str:
    """The visitor's `message.send` frame: the tag is its client_id and the first word of its body."""
    return json.dumps({"type": "message.send", "client_id": tag, "body": f"{tag} {BODY_TEXT}"})


def tag_of(body: str) -> str:
    """The tag a body starts with."""
    return body.split(" ", 1)[0]


async def bounded_each(work: Callable[[T], Awaitable[None]], items: Iterable[T]) -> None:
    """Run `work` on every item, a few at a time (a burst of handshakes is not what is measured)."""
    limit = asyncio.Semaphore(SETUP_CONCURRENCY)

    async def bounded(item: T) -> None:
        async with limit:
            await work(item)

    await asyncio.gather(*(bounded(item) for item in items))


class Rooms:
    """What both systems share: visitor sockets to send on, agent readers that timestamp arrivals."""

    name = "rooms"

    def __init__(self) -> None:
        self.visitors: dict[int, ClientConnection] = {}
        self.sockets: list[ClientConnection] = []
        self.readers: list[asyncio.Task[None]] = []
        self.arrivals: dict[str, float] = {}
        self.errors: Counter[str] = Counter()
        self.closing = False
        # What the sockets offer the server: None, or "deflate" (permessage-deflate).
        self.compression: str | None = None

    async def send(self, room: int, tag: str) -> None:
        """Send a tagged message from the visitor of one room."""
        try:
            await self.visitors[room].send(message_frame(tag))
        except ConnectionClosed:
            self.errors["send_on_closed_socket"] += 1

    async def ensure_open(self) -> int:
        """Reconnect what the server closed since the last measurement; return how many sockets."""
        return 0

    def on_agent_frame(self, raw: str | bytes, now: float) -> None:
        """Record an agent-side frame (what counts as arrival depends on the system)."""
        raise NotImplementedError

    def on_visitor_frame(self, raw: str | bytes) -> None:
        """Visitors' own echoes are read and dropped (a socket nobody reads stalls the server's writes)."""

    def watch(
        self, socket: ClientConnection, *, agent: bool, on_closed: Callable[[], None] | None = None
    ) -> None:
        """Read a socket until it closes."""
        self.sockets.append(socket)
        self.readers.append(asyncio.ensure_future(self._read(socket, agent=agent, on_closed=on_closed)))

    async def _read(
        self, socket: ClientConnection, *, agent: bool, on_closed: Callable[[], None] | None
    ) -> None:
        try:
            async for raw in socket:
                if agent:
                    self.on_agent_frame(raw, time.perf_counter())
                else:
                    self.on_visitor_frame(raw)
        except ConnectionClosed:
            pass
        if not self.closing:
            self.errors[f"socket_closed_{socket.close_code}"] += 1
            if on_closed is not None:
                on_closed()

    async def close(self) -> None:
        """Close every socket and stop the readers, within a bound."""
        self.closing = True
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(CLOSE_TIMEOUT):
                await asyncio.gather(*(socket.close() for socket in self.sockets), return_exceptions=True)
        for reader in self.readers:
            reader.cancel()
        await asyncio.gather(*self.readers, return_exceptions=True)


class RelayRooms(Rooms):
    """The bare relay: the agent socket gets the visitor's frame back as it was sent.

    A socket the server closed (a consumer that crashed) is reopened before the next measurement.
    """

    name = "relay"

    def __init__(self, *, visitor_url: str, agent_url: str, prefix: str) -> None:
        super().__init__()
        self.visitor_url = visitor_url
        self.agent_url = agent_url
        self.prefix = prefix
        self.closed: set[tuple[int, bool]] = set()

    def on_agent_frame(self, raw: str | bytes, now: float) -> None:
        """The relayed frame is the visitor's own `message.send`."""
        self.arrivals.setdefault(tag_of(json.loads(raw)["body"]), now)

    @classmethod
    async def open(
        cls, *, visitor_url: str, agent_url: str, rooms: int, prefix: str, compression: str | None = None
    ) -> "RelayRooms":
        """Connect a visitor (process 1) and an agent (process 2) socket per room."""
        self = cls(visitor_url=visitor_url, agent_url=agent_url, prefix=prefix)
        self.compression = compression
        try:
            async with asyncio.timeout(SETUP_TIMEOUT):
                await bounded_each(
                    self._connect, [(room, agent) for room in range(rooms) for agent in (False, True)]
                )
        except BaseException:
            await self.close()
            raise
        return self

    async def ensure_open(self) -> int:
        """Reopen the sockets the relay closed."""
        closed = sorted(self.closed)
        self.closed.clear()
        async with asyncio.timeout(SETUP_TIMEOUT):
            await bounded_each(self._connect, closed)
        return len(closed)

    async def _connect(self, socket_id: tuple[int, bool]) -> None:
        room, agent = socket_id
        url = websocket_url(self.agent_url if agent else self.visitor_url) + f"/relay/{self.prefix}-{room}/"
        socket = await open_socket(url, compression=self.compression)
        if not agent:
            self.visitors[room] = socket
        self.watch(socket, agent=agent, on_closed=functools.partial(self.closed.add, socket_id))


class ParleyRooms(Rooms):
    """Parley: a widget session per visitor, and console sockets that opened every room's conversation.

    Sockets the server closes (4012 after a channel-layer outage, say) are reopened before the next
    measurement, resuming from the last seq as the widget and console do; the closes are counted.
    """

    name = "parley"

    def __init__(
        self,
        *,
        visitor_url: str,
        agent_url: str,
        site_key: str,
        shop_origin: str,
        agent_origin: str,
        cookie: str,
    ) -> None:
        super().__init__()
        self.visitor_url = visitor_url
        self.agent_url = agent_url
        self.site_key = site_key
        self.shop_origin = shop_origin
        self.agent_origin = agent_origin
        self.cookie = cookie
        self.tokens: list[str] = []
        self.conversations: list[str] = []
        self.agent_sockets = 0
        self.last_seq: dict[str, int] = {}
        self.closed_visitors: set[int] = set()
        self.closed_agents: set[int] = set()
        self.opened = 0
        self.opened_changed = asyncio.Event()

    def on_agent_frame(self, raw: str | bytes, now: float) -> None:
        """`message.new` is the arrival; `inbox.update` is read and dropped as a console would."""
        frame = json.loads(raw)
        kind = frame["type"]
        if kind == "message.new":
            message = frame["message"]
            self.arrivals.setdefault(tag_of(message["body"]), now)
            conversation_id = message["conversation_id"]
            self.last_seq[conversation_id] = max(self.last_seq.get(conversation_id, 0), message["seq"])
        elif kind == "conversation.opened":
            self.opened += 1
            self.opened_changed.set()
        elif kind == "error":
            self.errors[f"agent_{frame['code']}"] += 1
            self.opened_changed.set()

    def on_visitor_frame(self, raw: str | bytes) -> None:
        """Count error frames (a rate limit or a server failure loses the message)."""
        text = raw if isinstance(raw, str) else raw.decode()
        if text.startswith('{"type":"error"'):
            self.errors[f"visitor_{json.loads(text)['code']}"] += 1

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
    ) -> "ParleyRooms":
        """Start R conversations on process 1, then open them all from console sockets on process 2."""
        self = cls(
            visitor_url=visitor_url,
            agent_url=agent_url,
            site_key=site_key,
            shop_origin=shop_origin,
            agent_origin=agent_origin,
            cookie=cookie,
        )
        self.agent_sockets = agent_sockets
        self.compression = compression
        self.tokens = [""] * rooms
        self.conversations = [""] * rooms
        try:
            async with asyncio.timeout(SETUP_TIMEOUT):
                await bounded_each(self._start_visitor, range(rooms))
                await self._open_agents(range(agent_sockets))
        except BaseException:
            await self.close()
            raise
        return self

    async def ensure_open(self) -> int:
        """Reopen closed visitor and console sockets, resuming from the last seq the agent side saw."""
        visitors, agents = sorted(self.closed_visitors), sorted(self.closed_agents)
        self.closed_visitors.clear()
        self.closed_agents.clear()
        async with asyncio.timeout(SETUP_TIMEOUT):
            await bounded_each(self._connect_visitor, visitors)
            await self._open_agents(agents)
        return len(visitors) + len(agents)

    async def _start_visitor(self, room: int) -> None:
        session = await asyncio.to_thread(
            http_json,
            f"{self.visitor_url}/api/widget/sites/{self.site_key}/session",
            {"visitor_token": None},
            origin=self.shop_origin,
        )
        self.tokens[room] = session["visitor_token"]
        socket = await self._hello(room)
        # The first message starts the conversation (and joins its group) before timing starts.
        await socket.send(message_frame(f"start{room}"))
        while not self.conversations[room]:
            frame = json.loads(await socket.recv())
            if frame["type"] == "message.ack":
                self.conversations[room] = frame["message"]["conversation_id"]
            elif frame["type"] == "error":
                raise RuntimeError(f"first message refused: {frame}")
        self._watch_visitor(room, socket)

    async def _connect_visitor(self, room: int) -> None:
        self._watch_visitor(room, await self._hello(room))

    async def _hello(self, room: int) -> ClientConnection:
        socket = await open_socket(
            websocket_url(self.visitor_url) + f"/ws/visitor/{self.site_key}/",
            origin=self.shop_origin,
            compression=self.compression,
        )
        last_seq = self.last_seq.get(self.conversations[room], 0)
        await socket.send(json.dumps({"type": "hello", "token": self.tokens[room], "last_seq": last_seq}))
        ready = json.loads(await socket.recv())
        if ready["type"] != "ready":
            await socket.close()
            raise RuntimeError(f"visitor hello refused: {ready}")
        return socket

    def _watch_visitor(self, room: int, socket: ClientConnection) -> None:
        self.visitors[room] = socket
        self.watch(socket, agent=False, on_closed=functools.partial(self.closed_visitors.add, room))

    async def _open_agents(self, indexes: Iterable[int]) -> None:
        expected = self.opened
        for index in indexes:
            socket = await open_socket(
                websocket_url(self.agent_url) + "/ws/agent/",
                origin=self.agent_origin,
                headers={"Cookie": self.cookie},
                compression=self.compression,
            )
            ready = json.loads(await socket.recv())
            if ready["type"] != "ready":
                await socket.close()
                raise RuntimeError(f"agent socket refused: {ready}")
            self.watch(socket, agent=True, on_closed=functools.partial(self.closed_agents.add, index))
            for conversation_id in self.conversations[index :: self.agent_sockets]:
                frame = {
                    "type": "conversation.open",
                    "conversation_id": conversation_id,
                    "after_seq": self.last_seq.get(conversation_id, 0),
                }
                await socket.send(json.dumps(frame))
                expected += 1
        errors = sum(count for code, count in self.errors.items() if code.startswith("agent_"))
        while self.opened < expected:
            if sum(count for code, count in self.errors.items() if code.startswith("agent_")) > errors:
                raise RuntimeError(f"opening conversations failed: {dict(self.errors)}")
            self.opened_changed.clear()
            await self.opened_changed.wait()
