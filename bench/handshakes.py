"""How each system is reached, and handshakes per second: open-and-close loops at a fixed concurrency.

A `Target` opens an idle socket (for the memory levels) or times one handshake (open, then close) of
Parley's visitor socket (counted at `ready`), the bare consumer or plain websockets (counted at accept).
"""

import asyncio
import itertools
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from websockets.asyncio.client import ClientConnection

from bench.clients import OPEN_TIMEOUT, error_name, open_client, parley_hello, ws_url
from bench.common import fmt, log, percentile

HANDSHAKE_TIMEOUT = 10.0


@dataclass
class Target:
    """How one system is reached: `open_idle(i)` holds a socket, `handshake(i)` opens and closes one."""

    name: str
    url: str
    open_idle: Callable[[int], Awaitable[ClientConnection]]
    handshake: Callable[[int], Awaitable[float]]


async def seconds_to_open(opener: Callable[[], Awaitable[ClientConnection]]) -> float:
    """One handshake: seconds until the socket counts as open, then its close (not timed)."""
    began = time.perf_counter()
    socket = await opener()
    opened_after = time.perf_counter() - began
    await socket.close()
    return opened_after


def parley_target(url: str, *, site_key: str, origin: str, tokens: list[str]) -> Target:
    """Visitor sockets, each with its own token, open once `ready` arrived."""

    async def open_idle(index: int) -> ClientConnection:
        socket, _ = await parley_hello(
            url, site_key=site_key, origin=origin, token=tokens[index % len(tokens)]
        )
        return socket

    async def handshake(index: int) -> float:
        return await seconds_to_open(lambda: open_idle(index))

    return Target("parley", url, open_idle, handshake)


def relay_target(url: str, *, prefix: str) -> Target:
    """Bare-consumer sockets, each joined to its own room's group, open once accepted."""

    async def open_idle(index: int) -> ClientConnection:
        return await open_client(f"{ws_url(url)}/relay/{prefix}-{index}/")

    async def handshake(index: int) -> float:
        return await seconds_to_open(lambda: open_client(f"{ws_url(url)}/relay/{prefix}-hs-{index}/"))

    return Target("relay", url, open_idle, handshake)


def plain_target(url: str) -> Target:
    """Plain websockets sockets, open once accepted."""

    async def open_idle(index: int) -> ClientConnection:
        return await open_client(f"{ws_url(url)}/")

    async def handshake(index: int) -> float:
        return await seconds_to_open(lambda: open_idle(index))

    return Target("plain", url, open_idle, handshake)


async def open_many(
    opener: Callable[[int], Awaitable[ClientConnection]], indices: range, *, concurrency: int
) -> tuple[list[ClientConnection], Counter[str]]:
    """Open sockets with a bounded number in flight; return the open ones and the failures by kind."""
    limit = asyncio.Semaphore(concurrency)
    opened: list[ClientConnection] = []
    errors: Counter[str] = Counter()

    async def one(index: int) -> None:
        async with limit:
            try:
                async with asyncio.timeout(OPEN_TIMEOUT):
                    opened.append(await opener(index))
            except Exception as error:
                errors[error_name(error)] += 1

    await asyncio.gather(*(one(index) for index in indices))
    return opened, errors


@dataclass
class Handshakes:
    """New connections per second at a fixed concurrency."""

    label: str
    concurrency: int
    duration: float
    attempts: int
    completed: int
    rate: float
    p50_ms: float | None
    p99_ms: float | None
    errors: dict[str, int] = field(default_factory=dict)
    # Each round's own rate, in the order measured: drift shows as rounds that differ.
    rate_by_round: list[int] = field(default_factory=list)


@dataclass
class HandshakeWindow:
    """One stretch of handshakes at a fixed concurrency, as it happened: what a Handshakes run pools."""

    duration: float
    attempts: int
    latencies: list[float]  # ms to ready (or accept), of the handshakes completed inside the window
    errors: Counter[str]


async def measure_handshakes(
    *,
    handshake: Callable[[int], Awaitable[float]],
    counter: "itertools.count[int]",
    concurrency: int,
    warmup: float,
    duration: float,
) -> HandshakeWindow:
    """Open-and-close loops at a fixed concurrency; count those finished inside the measured window.

    `counter` numbers the handshakes across a run's windows, so none reuses another's visitor.
    """
    measure_from = time.perf_counter() + warmup
    stop_at = measure_from + duration
    attempts = 0
    latencies: list[float] = []
    errors: Counter[str] = Counter()

    async def worker() -> None:
        nonlocal attempts
        while (began := time.perf_counter()) < stop_at:
            attempts += 1
            try:
                async with asyncio.timeout(HANDSHAKE_TIMEOUT):
                    ready_after = await handshake(next(counter))
            except Exception as error:
                if began >= measure_from:
                    errors[error_name(error)] += 1
                # A failing server is not hammered in a tight loop.
                await asyncio.sleep(0.05)
                continue
            if measure_from <= time.perf_counter() <= stop_at:
                latencies.append(ready_after * 1000)

    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return HandshakeWindow(duration=duration, attempts=attempts, latencies=latencies, errors=errors)


def pooled_handshakes(
    windows: list[HandshakeWindow], *, name: str, label: str, concurrency: int
) -> Handshakes:
    """A system's windows of one kind of handshake, pooled into one run."""
    latencies = sorted(latency for window in windows for latency in window.latencies)
    duration = sum(window.duration for window in windows)
    errors: Counter[str] = Counter()
    for window in windows:
        errors += window.errors
    run = Handshakes(
        label=label,
        concurrency=concurrency,
        duration=duration,
        attempts=sum(window.attempts for window in windows),
        completed=len(latencies),
        rate=len(latencies) / duration,
        p50_ms=percentile(latencies, 0.5),
        p99_ms=percentile(latencies, 0.99),
        errors=dict(errors),
        rate_by_round=[round(len(window.latencies) / window.duration) for window in windows],
    )
    log(
        f"  {name} {label}: {run.rate:.0f} handshakes/s, open→ready p50 {fmt(run.p50_ms)} "
        f"p99 {fmt(run.p99_ms)} ms; by round {' '.join(str(rate) for rate in run.rate_by_round)}"
        + (f", errors {run.errors}" if errors else "")
    )
    return run
