"""Latency windows: send at a fixed rate across the rooms, wait for stragglers and the backlog, pool.

A `Window` is one stretch of sending as it happened; a `Measurement` pools one system's windows at one
rate; a `Row` sets the relay's beside Parley's.
"""

import asyncio
import gc
import time
from dataclasses import dataclass, field

from bench.common import fmt, percentile
from bench.rooms import Rooms

LAYER_NAMES = {"inmemory": "in-memory", "redis-pubsub": "Redis pub/sub", "redis": "RedisChannelLayer"}
# A backlog that delivers nothing for this long is not draining: what is missing was dropped.
QUIET_SECONDS = 1.0


@dataclass
class Measurement:
    """One system at one rate: what was sent, what arrived, and how late."""

    system: str
    layer: str
    rate: int
    processes: int
    sent: int
    received: int
    lost: int
    p50_ms: float | None
    p90_ms: float | None
    p99_ms: float | None
    max_ms: float | None
    achieved_rate: float
    send_lag_p99_ms: float
    errors: dict[str, int] = field(default_factory=dict)
    # Messages (warm-up included) not arrived when the next measurement was allowed to start.
    in_flight_after_settle: int | None = None
    # Sockets the server had closed since the previous measurement, reopened before this one.
    reopened_before: int = 0
    # The slowest message sent in each second measured: a stall shows as one bad second.
    max_ms_by_second: list[float] = field(default_factory=list)
    # Windows pooled: the fixed rate alternates the two systems over several (see measure_alternating).
    windows: int = 1
    # Each window's own p50 and p99, in the order measured: drift shows as windows that differ.
    p50_ms_by_window: list[float | None] = field(default_factory=list)
    p99_ms_by_window: list[float | None] = field(default_factory=list)

    def sustained(self, p99_limit_ms: float) -> bool:
        """p99 under the limit, nothing lost, and the load generator kept the pace."""
        return (
            self.lost == 0
            and self.p99_ms is not None
            and self.p99_ms < p99_limit_ms
            and self.achieved_rate >= 0.95 * self.rate
        )


@dataclass
class Row:
    """A line of the table: relay and Parley on the same topology at the same rate."""

    processes: int
    layer: str
    rate: int
    kind: str  # "fixed" (the --rate row) and/or "relay max" (the highest rate the relay sustained)
    relay: Measurement
    parley: Measurement

    @property
    def ratio(self) -> float | None:
        """Parley's p99 over the relay's."""
        if self.relay.p99_ms is None or self.parley.p99_ms is None or self.relay.p99_ms <= 0:
            return None
        return self.parley.p99_ms / self.relay.p99_ms

    def verdict(self, budget_ratio: float) -> str:
        """PASS when Parley lost nothing and its p99 is within the budget of the relay's."""
        ratio = self.ratio
        return "PASS" if self.parley.lost == 0 and ratio is not None and ratio <= budget_ratio else "MISS"


def topology_name(processes: int, layer: str) -> str:
    """'2 processes, Redis pub/sub'."""
    count = "1 process" if processes == 1 else f"{processes} processes"
    return f"{count}, {LAYER_NAMES.get(layer, layer)}"


@dataclass
class Window:
    """One stretch of sending at a fixed rate, as it happened: the raw figures a Measurement sums up."""

    latencies: list[float]  # ms, of the measured messages that arrived
    lags: list[float]  # ms, how late the load generator sent each measured message
    sent: int
    span: float  # seconds from the first measured send to the last
    max_ms_by_second: list[float]
    tags: list[str]  # every message sent, warm-up included
    errors: dict[str, int] = field(default_factory=dict)
    in_flight_after_settle: int | None = None
    reopened_before: int = 0


async def send_window(
    rooms: Rooms, *, rate: int, warmup: float, duration: float, straggle: float, settle: float, run: str
) -> Window:
    """Send at `rate` msg/s across the rooms (warm-up, then measured) and wait for stragglers.

    Then, for up to `settle` seconds, wait for the backlog to drain so the next window starts idle.
    """
    reopened = await rooms.ensure_open()
    errors_before = rooms.errors.copy()
    rooms.arrivals.clear()
    # The load generator's own collections would stop its clock-reading readers for milliseconds at a
    # time, and more often for the system whose frames allocate more: none run while a window is timed.
    gc.collect()
    gc.disable()
    try:
        window = await _timed_window(
            rooms, rate=rate, warmup=warmup, duration=duration, straggle=straggle, run=run
        )
    finally:
        gc.enable()
    window.errors = dict(rooms.errors - errors_before)
    window.reopened_before = reopened
    window.in_flight_after_settle = await drain(rooms, window.tags, limit=settle) if settle > 0 else None
    return window


async def _timed_window(
    rooms: Rooms, *, rate: int, warmup: float, duration: float, straggle: float, run: str
) -> Window:
    """send_window's sending, and its wait for stragglers."""
    interval = 1.0 / rate
    room_count = len(rooms.visitors)
    warm_total = round(warmup * rate)
    total = warm_total + round(duration * rate)
    sent_at: dict[str, float] = {}
    all_tags: list[str] = []
    lags: list[float] = []
    start = time.perf_counter() + 0.02
    index = 0
    while index < total:
        now = time.perf_counter()
        due = start + index * interval
        if due > now:
            await asyncio.sleep(due - now)
            continue
        # Absolute send times: everything due goes out now, so a late wake-up never shifts later sends.
        while index < total and start + index * interval <= now:
            tag = f"{run}w{index}" if index < warm_total else f"{run}m{index}"
            sent = time.perf_counter()
            all_tags.append(tag)
            if index >= warm_total:
                sent_at[tag] = sent
                lags.append((sent - (start + index * interval)) * 1000)
            await rooms.send(index % room_count, tag)
            index += 1
        # Yield even when behind, so readers timestamp arrivals instead of waiting for the sender.
        await asyncio.sleep(0)
    send_times = sorted(sent_at.values())
    missing = set(sent_at)
    deadline = time.perf_counter() + straggle
    while True:
        missing = {tag for tag in missing if tag not in rooms.arrivals}
        if not missing or time.perf_counter() >= deadline:
            break
        await asyncio.sleep(0.05)
    latencies = [
        (rooms.arrivals[tag] - sent) * 1000 for tag, sent in sent_at.items() if tag in rooms.arrivals
    ]
    by_second: dict[int, float] = {}
    for tag, sent in sent_at.items():
        if tag in rooms.arrivals:
            second = int(sent - send_times[0])
            by_second[second] = max(by_second.get(second, 0.0), (rooms.arrivals[tag] - sent) * 1000)
    return Window(
        latencies=latencies,
        lags=lags,
        sent=len(sent_at),
        span=send_times[-1] - send_times[0] if len(send_times) > 1 else 0.0,
        max_ms_by_second=[round(by_second[second], 1) for second in sorted(by_second)],
        tags=all_tags,
    )


def summarise(windows: list[Window], *, system: str, layer: str, rate: int, processes: int) -> Measurement:
    """One system's windows at one rate, pooled into one Measurement."""
    by_window_sorted = [sorted(window.latencies) for window in windows]
    latencies = sorted(latency for ordered in by_window_sorted for latency in ordered)
    sent = sum(window.sent for window in windows)
    span = sum(window.span for window in windows)
    paced = sum(window.sent - 1 for window in windows if window.sent > 1)
    errors: dict[str, int] = {}
    for window in windows:
        for code, count in window.errors.items():
            errors[code] = errors.get(code, 0) + count
    return Measurement(
        system=system,
        layer=layer,
        rate=rate,
        processes=processes,
        sent=sent,
        received=len(latencies),
        lost=sent - len(latencies),
        p50_ms=percentile(latencies, 0.50, digits=3),
        p90_ms=percentile(latencies, 0.90, digits=3),
        p99_ms=percentile(latencies, 0.99, digits=3),
        max_ms=percentile(latencies, 1.0, digits=3),
        achieved_rate=round(paced / span, 1) if span > 0 else 0.0,
        send_lag_p99_ms=percentile(sorted(lag for window in windows for lag in window.lags), 0.99, digits=3)
        or 0.0,
        errors=errors,
        in_flight_after_settle=windows[-1].in_flight_after_settle,
        reopened_before=sum(window.reopened_before for window in windows),
        max_ms_by_second=[late for window in windows for late in window.max_ms_by_second],
        windows=len(windows),
        p50_ms_by_window=[percentile(ordered, 0.50, digits=3) for ordered in by_window_sorted],
        p99_ms_by_window=[percentile(ordered, 0.99, digits=3) for ordered in by_window_sorted],
    )


async def drain(rooms: Rooms, tags: list[str], *, limit: float) -> int:
    """Wait until every tag arrived, nothing arrived for a while (the rest is lost), or `limit` passed.

    Returns how many never arrived: lost, or still queued in a server when the limit ran out.
    """
    deadline = time.perf_counter() + limit
    missing = set(tags)
    last_progress = time.perf_counter()
    while True:
        before = len(missing)
        missing = {tag for tag in missing if tag not in rooms.arrivals}
        now = time.perf_counter()
        if len(missing) < before:
            last_progress = now
        if not missing or now >= deadline or now - last_progress >= QUIET_SECONDS:
            return len(missing)
        await asyncio.sleep(0.1)


def describe(result: Measurement) -> str:
    """One progress line."""
    return (
        f"  {result.system:<6} {result.processes}x {result.layer:<12} {result.rate:>5} msg/s: "
        f"p50 {fmt(result.p50_ms)} p99 {fmt(result.p99_ms)} max {fmt(result.max_ms)} ms, "
        f"lost {result.lost}/{result.sent}, sent at {result.achieved_rate:.0f}/s "
        f"(send lag p99 {result.send_lag_p99_ms:.1f} ms)"
        + (f"; p50/p99 by window {by_window(result)}" if result.windows > 1 else "")
        + (f" errors {result.errors}" if result.errors else "")
        + (f", {result.reopened_before} sockets reopened first" if result.reopened_before else "")
        + f"; worst by second {' '.join(fmt(late) for late in result.max_ms_by_second)}"
        + (
            f", {result.in_flight_after_settle} still missing after settling"
            if result.in_flight_after_settle
            else ""
        )
    )


def by_window(result: Measurement) -> str:
    """'1.0/1.9 1.1/2.4 ...': each pooled window's p50/p99."""
    pairs = zip(result.p50_ms_by_window, result.p99_ms_by_window, strict=True)
    return " ".join(f"{fmt(p50)}/{fmt(p99)}" for p50, p99 in pairs)
