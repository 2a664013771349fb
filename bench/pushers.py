"""Sockets that send as fast as the server allows them: an abuser pushing the limits, never giving up.

A `Pusher` keeps up to `in_flight` frames unanswered: another goes as soon as one is acknowledged; a
`rate_limited` answer is obeyed (its `retry_after`, or `pause` when it has none) while the socket is still
read; a socket the server closes or refuses (4429: too many connections) is reopened with backoff. What
it met is counted in `PushStats`. `python -m bench.pushers` runs a crowd of visitors pushing from a
process of its own (bench.abuse's attackers), so their sockets do not share the measuring process's loop.
"""

import asyncio
import json
import sys
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import asdict, dataclass, field
from typing import Any

from websockets.asyncio.client import ClientConnection
from websockets.exceptions import ConnectionClosed

from bench.clients import error_name, parley_hello

# Reconnecting after a refusal or a close: as the protocol's client rules, without the jitter.
BACKOFF_FIRST = 0.5
BACKOFF_MAX = 5.0
# An answer that does not come within this long is counted, and the next frame goes.
ANSWER_TIMEOUT = 10.0
ACK_PREFIX = '{"type":"message.ack"'
ERROR_PREFIX = '{"type":"error"'


@dataclass
class PushStats:
    """What the server did with one pusher's (or, summed, a crowd's) frames and sockets."""

    sent: int = 0
    acked: int = 0
    rate_limited: int = 0
    # The longest retry_after the server asked for, seconds (None: it never gave one).
    retry_after_max: float | None = None
    connected: int = 0
    refused: Counter[str] = field(default_factory=Counter)
    closed: Counter[str] = field(default_factory=Counter)
    errors: Counter[str] = field(default_factory=Counter)
    no_answer: int = 0

    def add(self, other: "PushStats") -> None:
        """Add another pusher's counts to these."""
        for name in ("sent", "acked", "rate_limited", "connected", "no_answer"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        for name in ("refused", "closed", "errors"):
            getattr(self, name).update(getattr(other, name))
        if other.retry_after_max is not None:
            self.retry_after_max = max(self.retry_after_max or 0.0, other.retry_after_max)

    def as_json(self) -> dict[str, Any]:
        """The counts as plain JSON."""
        return {
            key: dict(value) if isinstance(value, Counter) else value for key, value in asdict(self).items()
        }


class Pusher:
    """One abuser's socket: opened by `open`, sending `frame(client_id)` as fast as the server allows."""

    def __init__(
        self,
        name: str,
        *,
        open_socket: Callable[[], Awaitable[ClientConnection]],
        frame: Callable[[str], str],
        pause: float,
        in_flight: int = 1,
    ) -> None:
        self.name = name
        self.open_socket = open_socket
        self.frame = frame
        self.pause = pause
        self.in_flight = in_flight
        self.stats = PushStats()

    async def run(self, *, until: float, max_frames: int) -> None:
        """Push until the monotonic time `until` or `max_frames` sent, reopening what the server closes."""
        backoff = BACKOFF_FIRST
        while time.monotonic() < until and self.stats.sent < max_frames:
            try:
                async with asyncio.timeout(max(0.1, until - time.monotonic())):
                    socket = await self.open_socket()
            except Exception as error:
                if time.monotonic() >= until:
                    return
                self.stats.refused[error_name(error)] += 1
                await asyncio.sleep(min(backoff, max(0.0, until - time.monotonic())))
                backoff = min(2 * backoff, BACKOFF_MAX)
                continue
            self.stats.connected += 1
            backoff = BACKOFF_FIRST
            try:
                await self._push(socket, until=until, max_frames=max_frames)
            except ConnectionClosed as closed:
                self.stats.closed[error_name(closed)] += 1
                await asyncio.sleep(min(backoff, max(0.0, until - time.monotonic())))
            finally:
                if socket.transport is not None:
                    socket.transport.abort()

    async def _push(self, socket: ClientConnection, *, until: float, max_frames: int) -> None:
        flight = Flight()
        reader = asyncio.ensure_future(self._read(socket, flight))
        try:
            while (now := time.monotonic()) < until and self.stats.sent < max_frames:
                if flight.closed is not None:
                    raise flight.closed
                if flight.resume_at > now:
                    await flight.wait(min(flight.resume_at, until) - now)
                elif len(flight.outstanding) >= self.in_flight:
                    if not await flight.wait(min(ANSWER_TIMEOUT, until - now)) and time.monotonic() < until:
                        # Never answered: counted, and no longer waited for.
                        self.stats.no_answer += len(flight.outstanding)
                        flight.outstanding.clear()
                else:
                    client_id = f"{self.name}-{self.stats.sent}"
                    flight.outstanding.add(client_id)
                    await socket.send(self.frame(client_id))
                    self.stats.sent += 1
            # The last frames' answers, so they are counted.
            while flight.outstanding and flight.closed is None and (now := time.monotonic()) < until:
                if not await flight.wait(min(ANSWER_TIMEOUT, until - now)):
                    break
        finally:
            reader.cancel()
            await asyncio.gather(reader, return_exceptions=True)

    async def _read(self, socket: ClientConnection, flight: "Flight") -> None:
        """Read every frame (a pusher that stopped reading would be another abuse); note the answers."""
        try:
            async for raw in socket:
                text = raw if isinstance(raw, str) else raw.decode()
                # Only the answers are decoded: the rest (echoes, inbox rows) can be megabytes a second.
                if text.startswith(ACK_PREFIX):
                    client_id = json.loads(text).get("client_id")
                    if client_id in flight.outstanding:
                        flight.outstanding.discard(client_id)
                        self.stats.acked += 1
                        flight.changed.set()
                elif text.startswith(ERROR_PREFIX):
                    self._refused(json.loads(text), flight)
        except ConnectionClosed as closed:
            flight.closed = closed
        else:
            flight.closed = ConnectionClosed(socket.protocol.close_rcvd, socket.protocol.close_sent)
        flight.changed.set()

    def _refused(self, error: dict[str, Any], flight: "Flight") -> None:
        """An error frame answering one of ours: obey a `rate_limited`, pause after anything else."""
        ref = error.get("ref")
        if ref not in flight.outstanding:
            return
        flight.outstanding.discard(ref)
        wait = self.pause
        if error.get("code") == "rate_limited":
            self.stats.rate_limited += 1
            retry_after = error.get("retry_after")
            if isinstance(retry_after, int | float):
                self.stats.retry_after_max = max(self.stats.retry_after_max or 0.0, retry_after)
                wait = float(retry_after)
        else:
            self.stats.errors[str(error.get("code"))] += 1
        flight.resume_at = max(flight.resume_at, time.monotonic() + wait)
        flight.changed.set()


class Flight:
    """One socket's frames awaiting an answer, and when it may send again."""

    def __init__(self) -> None:
        self.outstanding: set[str] = set()
        self.resume_at = 0.0
        self.closed: ConnectionClosed | None = None
        self.changed = asyncio.Event()

    async def wait(self, seconds: float) -> bool:
        """Wait up to `seconds` for an answer or a close; whether one came."""
        self.changed.clear()
        try:
            async with asyncio.timeout(max(0.0, seconds)):
                await self.changed.wait()
        except TimeoutError:
            return False
        return True


def visitor_frame(body: str) -> Callable[[str], str]:
    """A visitor's `message.send` of this body, by client_id."""
    return lambda client_id: json.dumps(
        {"type": "message.send", "client_id": client_id, "body": body}, ensure_ascii=False
    )


def agent_frame(conversation_id: str, body: str) -> Callable[[str], str]:
    """An agent's `message.send` into a conversation, by client_id."""
    return lambda client_id: json.dumps(
        {"type": "message.send", "conversation_id": conversation_id, "client_id": client_id, "body": body},
        ensure_ascii=False,
    )


def visitor_opener(
    url: str, *, site_key: str, origin: str, token: str, forwarded_for: str
) -> Callable[[], Awaitable[ClientConnection]]:
    """Opens a visitor socket from a client address (X-Forwarded-For) and says hello with its token."""

    async def open_socket() -> ClientConnection:
        socket, _ = await parley_hello(
            url, site_key=site_key, origin=origin, token=token, headers={"X-Forwarded-For": forwarded_for}
        )
        return socket

    return open_socket


async def push_crowd(
    pushers: list[Pusher], *, seconds: float, max_frames: int, stop: asyncio.Event | None = None
) -> None:
    """Run every pusher until `seconds` pass (or each sent `max_frames`), or until `stop` is set."""
    until = time.monotonic() + seconds
    tasks = [asyncio.ensure_future(pusher.run(until=until, max_frames=max_frames)) for pusher in pushers]
    waiters: list[asyncio.Future[Any]] = [
        asyncio.ensure_future(asyncio.gather(*tasks, return_exceptions=True))
    ]
    if stop is not None:
        waiters.append(asyncio.ensure_future(stop.wait()))
    # Pushers end by `until` on their own; the second is a bound on what is left of a socket's close.
    await asyncio.wait(waiters, timeout=seconds + 1, return_when=asyncio.FIRST_COMPLETED)
    for task in [*tasks, *waiters]:
        task.cancel()
    await asyncio.gather(*tasks, *waiters, return_exceptions=True)


async def serve_crowd() -> None:
    """The child's side of bench.abuse's attack: orders as one JSON line on stdin, pushing until stdin
    closes (or the orders' seconds pass), then the summed counts as one JSON line on stdout."""
    loop = asyncio.get_running_loop()
    reader = asyncio.StreamReader()
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), sys.stdin)
    orders = json.loads(await reader.readline())
    pushers = [
        Pusher(
            f"a{index}",
            open_socket=visitor_opener(
                orders["url"],
                site_key=orders["site_key"],
                origin=orders["origin"],
                token=token,
                forwarded_for=orders["forwarded_for"],
            ),
            frame=visitor_frame(orders["body"]),
            pause=orders["pause"],
            in_flight=orders["in_flight"],
        )
        for index, token in enumerate(orders["tokens"])
    ]
    stop = asyncio.Event()

    async def stop_at_eof() -> None:
        await reader.read()
        stop.set()

    watcher = asyncio.ensure_future(stop_at_eof())
    began = time.monotonic()
    sys.stdout.write(json.dumps({"started": True}) + "\n")
    sys.stdout.flush()
    await push_crowd(pushers, seconds=orders["seconds"], max_frames=orders["max_frames"], stop=stop)
    watcher.cancel()
    total = PushStats()
    for pusher in pushers:
        total.add(pusher.stats)
    summary = {**total.as_json(), "seconds": round(time.monotonic() - began, 2)}
    sys.stdout.write(json.dumps(summary) + "\n")
    sys.stdout.flush()


if __name__ == "__main__":
    # Run by bench.abuse: the attackers, in a process of their own.
    asyncio.run(serve_crowd())
