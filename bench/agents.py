"""The agent side of the latency rooms: the agents' sockets, read where they run, each arrival stamped.

An agent is somebody else's machine, so by default the agent side runs in a process of its own
(`AgentProcess`, `python -m bench.agents`): one process reading both ends would read the visitor's own
frames in between and count that time as the message's. Both processes stamp with the same monotonic
clock (`time.perf_counter`).
"""

import asyncio
import contextlib
import functools
import gc
import json
import sys
import time
from collections import Counter
from collections.abc import Awaitable, Callable, Iterable
from typing import Any, Protocol, TypeVar

from websockets.asyncio.client import ClientConnection
from websockets.exceptions import ConnectionClosed

from bench.clients import open_client, ws_url
from tests.processes import REPO

SETUP_CONCURRENCY = 8
SETUP_TIMEOUT = 90.0
CLOSE_TIMEOUT = 5.0
OPEN_TIMEOUT = 10.0
# websockets' default keepalive: the rooms' sockets ping, as a browser's would be pinged back.
PING_INTERVAL = 20.0
BODY_TEXT = "Hi, is this available in blue?"
# How often an agent process hands its arrivals over: the load generator waits on them only after sending.
REPORT_INTERVAL = 0.02
T = TypeVar("T")


async def open_socket(
    url: str,
    *,
    origin: str | None = None,
    headers: dict[str, str] | None = None,
    compression: str | None = None,
) -> ClientConnection:
    """A room's socket: Parley's subprotocols offered, compression only if told "deflate"."""
    return await open_client(
        url,
        origin=origin,
        headers=headers,
        parley=True,
        compression=compression,
        open_timeout=OPEN_TIMEOUT,
        ping_interval=PING_INTERVAL,
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


class SocketReaders:
    """Sockets read until they close, each frame handed to `on_frame`; closes counted in `errors`."""

    def __init__(self, on_frame: Callable[[str | bytes, float], None]) -> None:
        self.on_frame = on_frame
        self.sockets: list[ClientConnection] = []
        self.readers: list[asyncio.Task[None]] = []
        self.errors: Counter[str] = Counter()
        self.closing = False

    def watch(self, socket: ClientConnection, *, on_closed: Callable[[], None] | None = None) -> None:
        """Read a socket until it closes."""
        self.sockets.append(socket)
        self.readers.append(asyncio.ensure_future(self._read(socket, on_closed=on_closed)))

    async def _read(self, socket: ClientConnection, *, on_closed: Callable[[], None] | None) -> None:
        try:
            async for raw in socket:
                self.on_frame(raw, time.perf_counter())
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


class Agents(Protocol):
    """What the load generator needs of an agent side, wherever it runs."""

    arrivals: dict[str, float]
    errors: Counter[str]

    async def ensure_open(self) -> int:
        """Reopen what the server closed since the last measurement; return how many sockets."""

    async def close(self) -> None:
        """Close the agent side's sockets."""


class AgentSide(SocketReaders):
    """The agents' sockets of one system: each message's arrival, by tag, at the time it was read."""

    def __init__(self) -> None:
        super().__init__(self.on_agent_frame)
        self.arrivals: dict[str, float] = {}
        # Arrivals not yet reported: a list only in a process of its own (serve_agent_process).
        self.unreported: list[tuple[str, float]] | None = None
        # Sockets (by index) the server closed since the last measurement.
        self.closed: set[int] = set()

    def on_agent_frame(self, raw: str | bytes, now: float) -> None:
        """Handle one frame read at `now` (perf_counter)."""
        raise NotImplementedError

    def arrived(self, tag: str, now: float) -> None:
        """Note a message's first arrival."""
        if tag not in self.arrivals:
            self.arrivals[tag] = now
            if self.unreported is not None:
                self.unreported.append((tag, now))

    async def open(self) -> None:
        """Connect every socket (and, for Parley, open every conversation)."""
        raise NotImplementedError

    async def ensure_open(self) -> int:
        """Reopen what the server closed since the last measurement; return how many sockets."""
        closed = sorted(self.closed)
        self.closed.clear()
        await self.connect(closed)
        return len(closed)

    async def connect(self, indexes: Iterable[int]) -> None:
        """(Re)connect the sockets of these indexes."""
        raise NotImplementedError


class RelayAgents(AgentSide):
    """The bare relay's agent sockets, one per room; each gets the visitor's frame back as it was sent."""

    def __init__(self, *, agent_url: str, rooms: int, prefix: str, compression: str | None = None) -> None:
        super().__init__()
        self.agent_url = agent_url
        self.rooms = rooms
        self.prefix = prefix
        self.compression = compression

    def on_agent_frame(self, raw: str | bytes, now: float) -> None:
        """The relayed frame is the visitor's own `message.send`."""
        self.arrived(tag_of(json.loads(raw)["body"]), now)

    async def open(self) -> None:
        """Connect one agent socket per room (on process 2 when there are two)."""
        await self.connect(range(self.rooms))

    async def connect(self, indexes: Iterable[int]) -> None:
        """Connect the agent sockets of these rooms."""
        await bounded_each(self._connect, indexes)

    async def _connect(self, room: int) -> None:
        url = ws_url(self.agent_url) + f"/relay/{self.prefix}-{room}/"
        socket = await open_socket(url, compression=self.compression)
        self.watch(socket, on_closed=functools.partial(self.closed.add, room))


class ParleyAgents(AgentSide):
    """Console sockets sharing the rooms' conversations; `message.new` is an arrival.

    Sockets the server closes (4012 after a channel-layer outage, say) are reopened before the next
    measurement, resuming from the last seq seen, as the console does; the closes are counted.
    """

    def __init__(
        self,
        *,
        agent_url: str,
        agent_origin: str,
        cookie: str,
        conversations: list[str],
        agent_sockets: int,
        compression: str | None = None,
    ) -> None:
        super().__init__()
        self.agent_url = agent_url
        self.agent_origin = agent_origin
        self.cookie = cookie
        self.conversations = conversations
        self.agent_sockets = agent_sockets
        self.compression = compression
        self.last_seq: dict[str, int] = {}
        self.opened = 0
        self.opened_changed = asyncio.Event()

    def on_agent_frame(self, raw: str | bytes, now: float) -> None:
        """`message.new` is the arrival; `inbox.update` is read and dropped as a console would."""
        frame = json.loads(raw)
        kind = frame["type"]
        if kind == "message.new":
            message = frame["message"]
            self.arrived(tag_of(message["body"]), now)
            conversation_id = message["conversation_id"]
            self.last_seq[conversation_id] = max(self.last_seq.get(conversation_id, 0), message["seq"])
        elif kind == "conversation.opened":
            self.opened += 1
            self.opened_changed.set()
        elif kind == "error":
            self.errors[f"agent_{frame['code']}"] += 1
            self.opened_changed.set()

    async def open(self) -> None:
        """Open the console sockets (on process 2 when there are two), each following its share of rooms."""
        await self.connect(range(self.agent_sockets))

    async def connect(self, indexes: Iterable[int]) -> None:
        """Open these console sockets, each following its conversations from the last seq seen."""
        expected = self.opened
        for index in indexes:
            socket = await open_socket(
                ws_url(self.agent_url) + "/ws/agent/",
                origin=self.agent_origin,
                headers={"Cookie": self.cookie},
                compression=self.compression,
            )
            ready = json.loads(await socket.recv())
            if ready["type"] != "ready":
                await socket.close()
                raise RuntimeError(f"agent socket refused: {ready}")
            self.watch(socket, on_closed=functools.partial(self.closed.add, index))
            for conversation_id in self.conversations[index :: self.agent_sockets]:
                frame = {
                    "type": "conversation.open",
                    "conversation_id": conversation_id,
                    "after_seq": self.last_seq.get(conversation_id, 0),
                }
                await socket.send(json.dumps(frame))
                expected += 1
        errors = self._agent_errors()
        while self.opened < expected:
            if self._agent_errors() > errors:
                raise RuntimeError(f"opening conversations failed: {dict(self.errors)}")
            self.opened_changed.clear()
            await self.opened_changed.wait()

    def _agent_errors(self) -> int:
        return sum(count for code, count in self.errors.items() if code.startswith("agent_"))


AGENT_SIDES: dict[str, type[RelayAgents] | type[ParleyAgents]] = {
    "relay": RelayAgents,
    "parley": ParleyAgents,
}


async def open_agents(kind: str, *, own_process: bool, **options: Any) -> Agents:
    """A system's agent side, connected: in a process of its own, or in this one."""
    if own_process:
        return await AgentProcess.start(kind, **options)
    agents = AGENT_SIDES[kind](**options)
    try:
        async with asyncio.timeout(SETUP_TIMEOUT):
            await agents.open()
    except BaseException:
        await agents.close()
        raise
    return agents


class AgentProcess:
    """An agent side in a child process (`python -m bench.agents`), driven over its stdin and stdout.

    The child answers each command with one JSON line and, every REPORT_INTERVAL, sends the arrivals it
    timestamped since and its error counts; its garbage is collected between measurements only.
    """

    def __init__(self, process: asyncio.subprocess.Process) -> None:
        self.process = process
        self.arrivals: dict[str, float] = {}
        # The child's error counts, as of its last report.
        self.errors: Counter[str] = Counter()
        self.replies: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        self.reader = asyncio.ensure_future(self._read())

    @classmethod
    async def start(cls, kind: str, **options: Any) -> "AgentProcess":
        """Start the child and have it connect its agent side."""
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bench.agents",
            cwd=REPO,
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            # A flush after a backlog can carry thousands of arrivals in one line.
            limit=64 * 1024 * 1024,
        )
        self = cls(process)
        try:
            reply = await self._command({"command": "open", "kind": kind, "options": options})
            # Latencies subtract the child's clock from this one's: they must be the same clock.
            if abs(reply["clock"] - time.perf_counter()) > 5:
                raise RuntimeError("the agent process's perf_counter is not this process's clock")
        except BaseException:
            await self.close()
            raise
        return self

    async def ensure_open(self) -> int:
        """Have the child reopen closed sockets (and collect its garbage); how many it reopened."""
        reply = await self._command({"command": "ensure_open"})
        return int(reply["reopened"])

    async def close(self) -> None:
        """Have the child close its sockets and exit; kill it if it does not."""
        with contextlib.suppress(Exception):
            await self._command({"command": "close"}, within=CLOSE_TIMEOUT + 5)
        try:
            await asyncio.wait_for(self.process.wait(), 5)
        except TimeoutError:
            self.process.kill()
            await self.process.wait()
        self.reader.cancel()
        await asyncio.gather(self.reader, return_exceptions=True)

    async def _command(
        self, command: dict[str, Any], *, within: float = SETUP_TIMEOUT + 10
    ) -> dict[str, Any]:
        stdin = self.process.stdin
        assert stdin is not None
        stdin.write(json.dumps(command).encode() + b"\n")
        await stdin.drain()
        reply = await asyncio.wait_for(self.replies.get(), within)
        if "failed" in reply:
            raise RuntimeError(f"agent process: {reply['failed']}")
        return reply

    async def _read(self) -> None:
        stdout = self.process.stdout
        assert stdout is not None
        async for line in stdout:
            message = json.loads(line)
            if "arrivals" in message:
                for tag, arrived in message["arrivals"]:
                    self.arrivals.setdefault(tag, arrived)
                self.errors = Counter(message["errors"])
            else:
                self.replies.put_nowait(message)
        self.replies.put_nowait({"failed": f"exited with {await self.process.wait()}"})


async def serve_agent_process() -> None:
    """The child's side of AgentProcess: commands in on stdin, replies and arrivals out on stdout."""
    loop = asyncio.get_running_loop()
    commands = asyncio.StreamReader()
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(commands), sys.stdin)
    agents: AgentSide | None = None

    def send(message: dict[str, Any]) -> None:
        sys.stdout.write(json.dumps(message) + "\n")
        sys.stdout.flush()

    async def report() -> None:
        errors: dict[str, int] = {}
        while True:
            await asyncio.sleep(REPORT_INTERVAL)
            if (
                agents is not None
                and agents.unreported is not None
                and (agents.unreported or errors != agents.errors)
            ):
                fresh, agents.unreported = agents.unreported, []
                errors = dict(agents.errors)
                send({"arrivals": fresh, "errors": errors})

    reporter = asyncio.ensure_future(report())
    try:
        async for line in commands:
            command = json.loads(line)
            try:
                if command["command"] == "open":
                    agents = AGENT_SIDES[command["kind"]](**command["options"])
                    agents.unreported = []
                    async with asyncio.timeout(SETUP_TIMEOUT):
                        await agents.open()
                    send({"clock": time.perf_counter()})
                elif command["command"] == "ensure_open":
                    assert agents is not None
                    # Between measurements: the arrivals of the last one were reported, and the garbage
                    # it left is collected now rather than while the next one is timed.
                    agents.arrivals.clear()
                    gc.collect()
                    async with asyncio.timeout(SETUP_TIMEOUT):
                        reopened = await agents.ensure_open()
                    send({"reopened": reopened})
                elif command["command"] == "close":
                    break
            except Exception as error:  # the parent raises it
                send({"failed": repr(error)})
        if agents is not None:
            await agents.close()
        send({"closed": True})
    finally:
        reporter.cancel()


if __name__ == "__main__":
    # Run by AgentProcess: the agent side of one system, in a process of its own.
    gc.disable()
    asyncio.run(serve_agent_process())
