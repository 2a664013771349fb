"""Fan-out measured: receivers noting when each saw each tagged event, senders on an absolute schedule.

Parley's receivers are agent sockets (an event is the `inbox.update` of a visitor's new conversation);
the relay's are sockets in one group that get each frame back.
"""

import asyncio
import contextlib
import json
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path

from websockets.asyncio.client import ClientConnection
from websockets.exceptions import ConnectionClosed

from bench.clients import close_all, open_client, parley_hello, ws_url
from bench.common import fmt, log, percentile

SETUP_TIMEOUT = 120.0
SETUP_CONCURRENCY = 20
BODY_TEXT = "Hi, is this available in blue?"


@dataclass
class FanoutRun:
    """One system in one topology: how long until the first and the last receiver had each event."""

    mode: str
    system: str
    processes: int
    receivers: int
    rate: float
    sent: int
    complete: int
    missing_notifications: int
    last_p50_ms: float | None
    last_p99_ms: float | None
    last_max_ms: float | None
    first_p50_ms: float | None
    spread_p50_ms: float | None
    spread_p99_ms: float | None
    ack_p50_ms: float | None
    achieved_rate: float
    frame_bytes: int | None
    errors: dict[str, int] = field(default_factory=dict)


class Receivers:
    """Reader tasks on every receiving socket, noting when each receiver first saw each tag."""

    def __init__(self, count: int, tag_of: Callable[[str], str | None]) -> None:
        self.count = count
        self.tag_of = tag_of
        self.arrivals: dict[str, dict[int, float]] = {}
        self.errors: Counter[str] = Counter()
        self.frame_bytes: int | None = None
        self.readers: list[asyncio.Task[None]] = []
        self.closing = False

    def watch(self, index: int, socket: ClientConnection) -> None:
        """Read one receiver's socket until it closes."""
        self.readers.append(asyncio.ensure_future(self._read(index, socket)))

    async def _read(self, index: int, socket: ClientConnection) -> None:
        try:
            async for raw in socket:
                # Timestamped before parsing, so the reader's own work is not counted against the server.
                now = time.perf_counter()
                text = raw if isinstance(raw, str) else raw.decode()
                tag = self.tag_of(text)
                if tag is not None:
                    self.frame_bytes = len(text.encode())
                    self.arrivals.setdefault(tag, {}).setdefault(index, now)
        except ConnectionClosed:
            pass
        if not self.closing:
            self.errors[f"receiver_closed_{socket.close_code}"] += 1

    def complete(self, tag: str) -> bool:
        """Whether every receiver saw the tag."""
        return len(self.arrivals.get(tag, ())) >= self.count

    async def stop(self) -> None:
        """Stop reading."""
        self.closing = True
        for reader in self.readers:
            reader.cancel()
        await asyncio.gather(*self.readers, return_exceptions=True)


def parley_tag(text: str) -> str | None:
    """The client_id of the message an inbox.update carries (the visitor's tag)."""
    if not text.startswith('{"type":"inbox.update"'):
        return None
    last_message = json.loads(text)["conversation"].get("last_message") or {}
    client_id = last_message.get("client_id")
    return client_id if isinstance(client_id, str) else None


def relay_tag(text: str) -> str | None:
    """The tag of a relayed frame."""
    tag = json.loads(text).get("tag")
    return tag if isinstance(tag, str) else None


async def send_at_rate(
    send: Callable[[int, str], Awaitable[None]], *, rate: float, warm: int, total: int, run: str
) -> tuple[dict[str, float], float]:
    """Send `total` tagged events at `rate`/s on an absolute schedule; the first `warm` are not measured.

    Returns when each measured tag was sent and the rate actually achieved.
    """
    interval = 1.0 / rate
    sent_at: dict[str, float] = {}
    start = time.perf_counter() + 0.05
    for index in range(total):
        due = start + index * interval
        delay = due - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        tag = f"{run}{'w' if index < warm else 'm'}{index}"
        stamp = time.perf_counter()
        if index >= warm:
            sent_at[tag] = stamp
        await send(index, tag)
    times = sorted(sent_at.values())
    span = times[-1] - times[0] if len(times) > 1 else 0.0
    return sent_at, (len(times) - 1) / span if span > 0 else 0.0


async def wait_complete(receivers: Receivers, tags: list[str], *, within: float) -> None:
    """Wait until every receiver saw every tag, at most `within` seconds."""
    deadline = time.perf_counter() + within
    # Polled: a receiver's arrival is a dict write, and a 50 ms tick only bounds the wait, not a latency.
    while time.perf_counter() < deadline and not all(receivers.complete(tag) for tag in tags):  # noqa: ASYNC110
        await asyncio.sleep(0.05)


async def send_and_wait(
    send: Callable[[int, str], Awaitable[None]], receivers: Receivers, settings: "Settings", *, run: str
) -> tuple[dict[str, float], float]:
    """Send one run's events at the settings' rate, then wait (at most the straggle) for every receiver."""
    sent_at, achieved = await send_at_rate(
        send, rate=settings.rate, warm=settings.warm, total=settings.total, run=run
    )
    await wait_complete(receivers, list(sent_at), within=settings.straggle)
    return sent_at, achieved


def summarise(
    *,
    mode: str,
    system: str,
    processes: int,
    receivers: Receivers,
    sent_at: dict[str, float],
    rate: float,
    achieved: float,
    acks: dict[str, float] | None = None,
    errors: Counter[str] | None = None,
) -> FanoutRun:
    """Latencies to the first and the last receiver, per event."""
    last: list[float] = []
    first: list[float] = []
    spread: list[float] = []
    missing = 0
    for tag, sent in sent_at.items():
        seen = receivers.arrivals.get(tag, {})
        missing += receivers.count - len(seen)
        if len(seen) == receivers.count:
            last.append((max(seen.values()) - sent) * 1000)
            spread.append((max(seen.values()) - min(seen.values())) * 1000)
        if seen:
            first.append((min(seen.values()) - sent) * 1000)
    last.sort()
    first.sort()
    spread.sort()
    ack_latencies = sorted((acks[tag] - sent) * 1000 for tag, sent in sent_at.items() if acks and tag in acks)
    return FanoutRun(
        mode=mode,
        system=system,
        processes=processes,
        receivers=receivers.count,
        rate=rate,
        sent=len(sent_at),
        complete=len(last),
        missing_notifications=missing,
        last_p50_ms=percentile(last, 0.5),
        last_p99_ms=percentile(last, 0.99),
        last_max_ms=last[-1] if last else None,
        first_p50_ms=percentile(first, 0.5),
        spread_p50_ms=percentile(spread, 0.5),
        spread_p99_ms=percentile(spread, 0.99),
        ack_p50_ms=percentile(ack_latencies, 0.5) if acks is not None else None,
        achieved_rate=round(achieved, 1),
        frame_bytes=receivers.frame_bytes,
        errors=dict(receivers.errors + (errors or Counter())),
    )


def describe(result: FanoutRun) -> str:
    """One progress line."""
    return (
        f"  {result.system} ({result.mode}): last of {result.receivers} p50 {fmt(result.last_p50_ms)} "
        f"p99 {fmt(result.last_p99_ms)} max {fmt(result.last_max_ms)} ms, "
        f"first p50 {fmt(result.first_p50_ms)} ms, {result.complete}/{result.sent} complete, "
        f"{result.missing_notifications} missing, "
        f"sent at {result.achieved_rate:.1f}/s" + (f", errors {result.errors}" if result.errors else "")
    )


@dataclass
class Settings:
    """The command line, resolved."""

    agents: int
    rate: float
    warmup: float
    duration: float
    straggle: float
    layer: str
    redis: bool
    output: Path
    parley_env: dict[str, str] = field(default_factory=dict)

    @property
    def warm(self) -> int:
        """Events sent before measuring."""
        return round(self.rate * self.warmup)

    @property
    def total(self) -> int:
        """Events sent in one run, warm-up included."""
        return self.warm + round(self.rate * self.duration)


async def bounded_gather(job: Callable[[int], Awaitable[None]], count: int) -> None:
    """Run job(0..count-1) with at most SETUP_CONCURRENCY at once, within SETUP_TIMEOUT."""
    limit = asyncio.Semaphore(SETUP_CONCURRENCY)

    async def one(index: int) -> None:
        async with limit:
            await job(index)

    async with asyncio.timeout(SETUP_TIMEOUT):
        await asyncio.gather(*(one(index) for index in range(count)))


async def measure_parley(
    *,
    mode: str,
    agent_urls: list[str],
    visitor_url: str,
    agent_origin: str,
    shop_origin: str,
    site_key: str,
    cookies: list[str],
    tokens: list[str],
    settings: Settings,
    run: str,
) -> FanoutRun:
    """Agents online (split over `agent_urls`) and visitors connected; then each starts a conversation."""
    receivers = Receivers(len(cookies), parley_tag)
    sockets: list[ClientConnection] = []
    visitors: dict[int, ClientConnection] = {}
    acks: dict[str, float] = {}
    errors: Counter[str] = Counter()
    visitor_readers: list[asyncio.Task[None]] = []

    async def agent(index: int) -> None:
        url = agent_urls[index % len(agent_urls)]
        socket = await open_client(
            f"{ws_url(url)}/ws/agent/", origin=agent_origin, headers={"Cookie": cookies[index]}, parley=True
        )
        sockets.append(socket)
        ready = json.loads(await socket.recv())
        if ready.get("type") != "ready":
            raise RuntimeError(f"agent socket refused: {ready}")
        receivers.watch(index, socket)

    async def visitor(index: int) -> None:
        socket, _ = await parley_hello(
            visitor_url, site_key=site_key, origin=shop_origin, token=tokens[index]
        )
        sockets.append(socket)
        visitors[index] = socket

    async def read_visitor(socket: ClientConnection) -> None:
        with contextlib.suppress(ConnectionClosed):
            async for raw in socket:
                now = time.perf_counter()
                frame = json.loads(raw)
                if frame["type"] == "message.ack":
                    acks.setdefault(frame["client_id"], now)
                elif frame["type"] == "error":
                    errors[f"visitor_{frame['code']}"] += 1

    async def send(index: int, tag: str) -> None:
        frame = {"type": "message.send", "client_id": tag, "body": f"{tag} {BODY_TEXT}"}
        try:
            await visitors[index].send(json.dumps(frame))
        except ConnectionClosed:
            errors["send_on_closed_socket"] += 1

    try:
        await bounded_gather(agent, len(cookies))
        await bounded_gather(visitor, settings.total)
        visitor_readers = [asyncio.ensure_future(read_visitor(visitors[i])) for i in range(settings.total)]
        log(f"  parley ({mode}): {len(cookies)} agents online, {settings.total} visitors connected")
        sent_at, achieved = await send_and_wait(send, receivers, settings, run=run)
        return summarise(
            mode=mode,
            system="Parley",
            processes=len(agent_urls),
            receivers=receivers,
            sent_at=sent_at,
            rate=settings.rate,
            achieved=achieved,
            acks=acks,
            errors=errors,
        )
    finally:
        await receivers.stop()
        for reader in visitor_readers:
            reader.cancel()
        await asyncio.gather(*visitor_readers, return_exceptions=True)
        await close_all(sockets)


async def measure_relay(
    *,
    mode: str,
    receiver_urls: list[str],
    sender_url: str,
    receivers_count: int,
    frame_bytes: int,
    settings: Settings,
    run: str,
) -> FanoutRun:
    """Receivers in one group (split over `receiver_urls`) and one sender in the same group."""
    room = f"fanout-{run}"
    receivers = Receivers(receivers_count, relay_tag)
    sockets: list[ClientConnection] = []

    async def receiver(index: int) -> None:
        socket = await open_client(f"{ws_url(receiver_urls[index % len(receiver_urls)])}/relay/{room}/")
        sockets.append(socket)
        receivers.watch(index, socket)

    try:
        await bounded_gather(receiver, receivers_count)
        sender = await open_client(f"{ws_url(sender_url)}/relay/{room}/")
        sockets.append(sender)
        # The sender is in the group too (the relay joins on connect): its echo is read and dropped.
        drain = Receivers(1, relay_tag)
        drain.watch(0, sender)
        log(f"  relay ({mode}): {receivers_count} receivers and a sender in one group")

        async def send(index: int, tag: str) -> None:
            bare = json.dumps({"tag": tag, "pad": ""})
            await sender.send(json.dumps({"tag": tag, "pad": "x" * max(0, frame_bytes - len(bare))}))

        sent_at, achieved = await send_and_wait(send, receivers, settings, run=run)
        await drain.stop()
        return summarise(
            mode=mode,
            system="bare relay",
            processes=len(receiver_urls),
            receivers=receivers,
            sent_at=sent_at,
            rate=settings.rate,
            achieved=achieved,
        )
    finally:
        await receivers.stop()
        await close_all(sockets)
