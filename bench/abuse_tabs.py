"""The server's memory while 20 tabs of one visitor never read and their conversation is flooded.

A tab is a raw TCP socket with a tiny receive buffer (SO_RCVBUF, set before connecting so the window it
advertises stays tiny): it does the WebSocket handshake and the hello through websockets' sans-I/O
client, reads up to its first frame (`ready`, or the refusal) and then never reads again, so whatever the
server sends it piles up in the server's own outgoing buffer, not in the kernel's. Then, for `seconds`,
the visitor's other socket and several agents' console sockets send messages of the largest body allowed
as fast as the server allows them (bench.pushers; they read everything they are sent): each message is
fanned out to every tab. The server's RSS is sampled every 100 ms from another thread; the figure is its
peak minus the quiet RSS read, settled, with every socket already open.
"""

import asyncio
import json
import socket
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from websockets.asyncio.client import ClientConnection
from websockets.client import ClientProtocol
from websockets.frames import Close, Opcode
from websockets.http11 import Response
from websockets.typing import Origin
from websockets.uri import parse_uri

from bench.agents import bounded_each
from bench.clients import close_all, open_client, parley_hello, ws_url
from bench.common import log
from bench.memory import settled_rss
from bench.procs import rss_kib
from bench.pushers import Pusher, PushStats, agent_frame, push_crowd, visitor_frame
from tests.integration.clients import SUBPROTOCOLS

# The visitor's address (RFC 5737), all its tabs and its own sending socket.
VISITOR_ADDRESS = "192.0.2.20"
# A body of the largest length allowed, in a character of three UTF-8 bytes: the most bytes per message.
BODY_CHARACTER = "\N{EURO SIGN}"
# Reading what the tabs hold once the flood is over, to learn whether the server closed them.
DRAIN_SECONDS = 10.0
READ_CHUNK = 65536


@dataclass
class TabsSettings:
    """bench.abuse's command line, as the memory scenario reads it."""

    tabs: int
    agents: int
    seconds: float
    body_chars: int
    receive_buffer: int
    sample_interval: float
    pause: float
    in_flight: int
    max_frames: int
    target_mib: float


@dataclass
class Tab:
    """A socket that stopped reading after its first frame, and what that frame was."""

    raw: socket.socket
    protocol: ClientProtocol
    outcome: str
    # Frames read along with the first one and not looked at yet (a close can follow `ready` at once).
    unread: list[object] = field(default_factory=list)


@dataclass
class TabsResult:
    """The quiet RSS, its peak under the flood, and what the tabs and the flood met."""

    quiet_rss_kib: int
    peak_rss_kib: int
    end_rss_kib: int
    tabs_opened: dict[str, int]
    tabs_after: dict[str, int]
    flood: dict[str, Any]
    rss_by_second_kib: list[int] = field(default_factory=list)

    @property
    def growth_mib(self) -> float:
        """Peak RSS under the flood over the quiet RSS, MiB."""
        return (self.peak_rss_kib - self.quiet_rss_kib) / 1024

    def verdict(self, target_mib: float, tabs: int) -> str:
        """PASS when every tab was open and the growth stayed within the target."""
        every_tab = self.tabs_opened.get("ready", 0) == tabs
        return "PASS" if every_tab and self.growth_mib <= target_mib else "MISS"

    def as_json(self, settings: TabsSettings) -> dict[str, Any]:
        """What abuse.json holds of this scenario."""
        return {
            "quiet_rss_kib": self.quiet_rss_kib,
            "peak_rss_kib": self.peak_rss_kib,
            "end_rss_kib": self.end_rss_kib,
            "growth_mib": round(self.growth_mib, 1),
            "target_mib": settings.target_mib,
            "verdict": self.verdict(settings.target_mib, settings.tabs),
            "tabs": settings.tabs,
            "tabs_opened": self.tabs_opened,
            "tabs_after": self.tabs_after,
            "flood": self.flood,
            "rss_by_second_kib": self.rss_by_second_kib,
        }


async def open_unread_tab(
    url: str, *, origin: str, headers: dict[str, str], token: str, receive_buffer: int
) -> Tab:
    """A visitor socket that says hello, reads up to its first frame and will never read again."""
    loop = asyncio.get_running_loop()
    uri = parse_uri(url)
    raw = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    raw.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, receive_buffer)
    raw.setblocking(False)
    protocol = ClientProtocol(uri, origin=Origin(origin), subprotocols=SUBPROTOCOLS, max_size=None)
    unread: list[object] = []
    try:
        await loop.sock_connect(raw, (uri.host, uri.port))
        request = protocol.connect()
        for name, value in headers.items():
            request.headers[name] = value
        protocol.send_request(request)
        await flush(raw, protocol)
        response = await next_event(raw, protocol, unread)
        if not isinstance(response, Response) or protocol.handshake_exc is not None:
            status = response.status_code if isinstance(response, Response) else "none"
            return Tab(raw, protocol, f"http_{status}")
        protocol.send_text(json.dumps({"type": "hello", "token": token}).encode())
        await flush(raw, protocol)
        first = await next_event(raw, protocol, unread)
    except OSError as error:
        return Tab(raw, protocol, type(error).__name__)
    return Tab(raw, protocol, frame_outcome(first), unread)


def frame_outcome(event: object) -> str:
    """'ready', 'error_<code>', 'closed_<code>' or 'eof': what a tab's first frame said."""
    if event is None:
        return "eof"
    opcode, data = getattr(event, "opcode", None), getattr(event, "data", b"")
    if opcode == Opcode.CLOSE:
        return f"closed_{Close.parse(data).code}" if data else "closed"
    if opcode == Opcode.TEXT:
        frame = json.loads(data)
        return "ready" if frame.get("type") == "ready" else f"error_{frame.get('code')}"
    return f"frame_{opcode}"


async def flush(raw: socket.socket, protocol: ClientProtocol) -> None:
    """Send what the sans-I/O protocol has to send."""
    data = b"".join(protocol.data_to_send())
    if data:
        await asyncio.get_running_loop().sock_sendall(raw, data)


async def next_event(raw: socket.socket, protocol: ClientProtocol, unread: list[object]) -> object | None:
    """The next event (the handshake's response or a frame), read if `unread` has none; None at EOF."""
    loop = asyncio.get_running_loop()
    while True:
        unread += protocol.events_received()
        if unread:
            return unread.pop(0)
        data = await loop.sock_recv(raw, READ_CHUNK)
        if not data:
            return None
        protocol.receive_data(data)


async def tab_fate(tab: Tab, until: float) -> str:
    """Read what a tab holds (until the monotonic time `until`): 'closed_<code>', 'reset', 'eof', 'open'."""
    loop = asyncio.get_running_loop()
    for event in tab.unread:
        if getattr(event, "opcode", None) == Opcode.CLOSE:
            return frame_outcome(event)
    while (remaining := until - time.monotonic()) > 0:
        try:
            async with asyncio.timeout(remaining):
                data = await loop.sock_recv(tab.raw, READ_CHUNK)
        except TimeoutError:
            break
        except OSError as error:
            return "reset" if isinstance(error, ConnectionResetError) else type(error).__name__
        if not data:
            return "eof"
        tab.protocol.receive_data(data)
        for event in tab.protocol.events_received():
            if getattr(event, "opcode", None) == Opcode.CLOSE:
                return frame_outcome(event)
    return "open"


class RssSampler(threading.Thread):
    """Reads a process's RSS every `interval` seconds on a thread of its own, until stopped."""

    def __init__(self, pid: int, interval: float) -> None:
        super().__init__(daemon=True)
        self.pid = pid
        self.interval = interval
        self.samples: list[tuple[float, int]] = []
        self.done = threading.Event()

    def run(self) -> None:
        """Sample until stopped (or the process is gone)."""
        began = time.monotonic()
        while not self.done.is_set():
            try:
                self.samples.append((time.monotonic() - began, rss_kib(self.pid)))
            except OSError:
                return
            self.done.wait(self.interval)

    def by_second(self) -> list[int]:
        """The highest sample of each second."""
        highest: dict[int, int] = {}
        for at, kib in self.samples:
            highest[int(at)] = max(highest.get(int(at), 0), kib)
        return [highest[second] for second in sorted(highest)]


async def start_conversation(
    url: str, *, site_key: str, origin: str, token: str
) -> tuple[ClientConnection, str]:
    """The visitor's own socket, from its address; its first message starts the conversation."""
    socket_, _ = await parley_hello(
        url, site_key=site_key, origin=origin, token=token, headers={"X-Forwarded-For": VISITOR_ADDRESS}
    )
    await socket_.send(visitor_frame("Hello, anyone there?")("start"))
    while True:
        frame = json.loads(await socket_.recv())
        if frame["type"] == "message.ack":
            return socket_, str(frame["message"]["conversation_id"])
        if frame["type"] == "error":
            raise RuntimeError(f"the visitor's first message was refused: {frame}")


async def open_agent(url: str, *, cookie: str) -> ClientConnection:
    """An agent's console socket, its `ready` read."""
    agent = await open_client(f"{ws_url(url)}/ws/agent/", origin=url, headers={"Cookie": cookie}, parley=True)
    ready = json.loads(await agent.recv())
    if ready.get("type") != "ready":
        await agent.close()
        raise RuntimeError(f"agent socket refused: {ready}")
    return agent


def reusing(first: ClientConnection, reopen: Any) -> Any:
    """An opener that hands out an already open socket first, then opens new ones with `reopen`."""
    pending = [first]

    async def open_socket() -> ClientConnection:
        return pending.pop() if pending else await reopen()

    return open_socket


async def measure_tabs(
    *, url: str, site_key: str, origin: str, pid: int, token: str, cookies: list[str], settings: TabsSettings
) -> TabsResult:
    """Open the visitor's socket, its never-reading tabs and the agents; read the quiet RSS; flood; sample."""
    visitor, conversation_id = await start_conversation(url, site_key=site_key, origin=origin, token=token)
    tabs: list[Tab] = []
    agents: list[ClientConnection] = []

    async def open_tab(index: int) -> None:
        tabs.append(
            await open_unread_tab(
                f"{ws_url(url)}/ws/visitor/{site_key}/",
                origin=origin,
                headers={"X-Forwarded-For": VISITOR_ADDRESS},
                token=token,
                receive_buffer=settings.receive_buffer,
            )
        )

    async def open_agent_socket(cookie: str) -> None:
        agents.append(await open_agent(url, cookie=cookie))

    try:
        await bounded_each(open_tab, range(settings.tabs))
        opened = Counter(tab.outcome for tab in tabs)
        log(f"  {settings.tabs} tabs that never read: {dict(opened)}")
        await bounded_each(open_agent_socket, cookies)
        quiet = await settled_rss(pid, settle=2.0, reads=3, interval=0.5)
        log(f"  quiet RSS {quiet / 1024:.1f} MiB; flooding for {settings.seconds:g} s")
        body = BODY_CHARACTER * settings.body_chars
        pushers = [
            Pusher(
                "v",
                open_socket=reusing(
                    visitor,
                    lambda: parley_hello(
                        url,
                        site_key=site_key,
                        origin=origin,
                        token=token,
                        headers={"X-Forwarded-For": VISITOR_ADDRESS},
                    ),
                ),
                frame=visitor_frame(body),
                pause=settings.pause,
                in_flight=settings.in_flight,
            ),
            *(
                Pusher(
                    f"g{index}",
                    open_socket=reusing(agent, lambda cookie=cookie: open_agent(url, cookie=cookie)),
                    frame=agent_frame(conversation_id, body),
                    pause=settings.pause,
                    in_flight=settings.in_flight,
                )
                for index, (agent, cookie) in enumerate(zip(agents, cookies, strict=True))
            ),
        ]
        sampler = RssSampler(pid, settings.sample_interval)
        sampler.start()
        began = time.monotonic()
        try:
            await push_crowd(pushers, seconds=settings.seconds, max_frames=settings.max_frames)
        finally:
            flooded = time.monotonic() - began
            sampler.done.set()
            sampler.join()
        end = rss_kib(pid)
        fates = await asyncio.gather(*(tab_fate(tab, time.monotonic() + DRAIN_SECONDS) for tab in tabs))
    finally:
        for tab in tabs:
            tab.raw.close()
        await close_all([visitor, *agents])
    total = PushStats()
    for pusher in pushers:
        total.add(pusher.stats)
    samples = [kib for _, kib in sampler.samples]
    frame_bytes = len(visitor_frame(body)("x").encode())
    result = TabsResult(
        quiet_rss_kib=quiet,
        peak_rss_kib=max([quiet, *samples]),
        end_rss_kib=end,
        tabs_opened=dict(opened),
        tabs_after=dict(Counter(fates)),
        flood={
            **total.as_json(),
            "seconds": round(flooded, 1),
            "acked_per_second": round(total.acked / flooded, 1) if flooded else 0.0,
            "agent_sockets": len(agents),
            "body_chars": settings.body_chars,
            "frame_bytes": frame_bytes,
            # What the server owed the tabs, at least: every stored message to every tab that said hello,
            # each at the size of the frame that sent it (its message.new adds the message's fields).
            "fanned_out_mib": round(total.acked * frame_bytes * opened.get("ready", 0) / 2**20, 1),
        },
        rss_by_second_kib=sampler.by_second(),
    )
    log(
        f"  peak RSS {result.peak_rss_kib / 1024:.1f} MiB (+{result.growth_mib:.1f}), "
        f"flood {result.flood['acked']} stored in {flooded:.1f} s, tabs after: {result.tabs_after}"
    )
    return result
