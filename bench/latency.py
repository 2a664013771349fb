"""Visitor→agent latency on one daphne process and on two through Redis: Parley against a bare relay.

Run `python -m bench.latency --help` from the repository root; bench/README.md explains the output.
"""

import argparse
import asyncio
import contextlib
import gc
import json
import math
import os
import platform
import shutil
import signal
import struct
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from bench.capacity import ASGI_SERVERS, start_parley, start_relay
from bench.rooms import ParleyRooms, RelayRooms, Rooms
from tests.integration.clients import console_session_cookie
from tests.processes import REPO, DemoDeployment, free_port, stop_process
from tests.services import PostgresCluster, RedisServer

# Where the visitor and the agent sockets live: one process with the in-memory layer, or one process
# each, talking through Redis (pub/sub, Parley's default, or channels-redis's RedisChannelLayer).
TOPOLOGIES = {"1-inmemory": (1, "inmemory"), "2-redis-pubsub": (2, "redis-pubsub"), "2-redis": (2, "redis")}
DEFAULT_TOPOLOGIES = ("1-inmemory", "2-redis-pubsub")
LAYER_NAMES = {"inmemory": "in-memory", "redis-pubsub": "Redis pub/sub", "redis": "RedisChannelLayer"}
OUTPUT = REPO / "build" / "bench" / "latency.json"
WORKDIR = REPO / "build" / "bench" / "work"
# A backlog that delivers nothing for this long is not draining: what is missing was dropped.
QUIET_SECONDS = 1.0
# Setting up a topology (up to 4 processes, R sessions and sockets) and tearing it down, for the time budget.
TOPOLOGY_OVERHEAD_SECONDS = 15.0


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


def percentile(ordered: list[float], share: float) -> float | None:
    """Nearest-rank percentile of an ascending list, to the microsecond (None when empty)."""
    if not ordered:
        return None
    return round(ordered[max(0, math.ceil(share * len(ordered)) - 1)], 3)


def topology_name(processes: int, layer: str) -> str:
    """'2 processes, Redis pub/sub'."""
    count = "1 process" if processes == 1 else f"{processes} processes"
    return f"{count}, {LAYER_NAMES.get(layer, layer)}"


def log(message: str) -> None:
    """Progress goes to stderr; stdout carries only the table."""
    print(message, file=sys.stderr, flush=True)


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
        p50_ms=percentile(latencies, 0.50),
        p90_ms=percentile(latencies, 0.90),
        p99_ms=percentile(latencies, 0.99),
        max_ms=percentile(latencies, 1.0),
        achieved_rate=round(paced / span, 1) if span > 0 else 0.0,
        send_lag_p99_ms=percentile(sorted(lag for window in windows for lag in window.lags), 0.99) or 0.0,
        errors=errors,
        in_flight_after_settle=windows[-1].in_flight_after_settle,
        reopened_before=sum(window.reopened_before for window in windows),
        max_ms_by_second=[late for window in windows for late in window.max_ms_by_second],
        windows=len(windows),
        p50_ms_by_window=[percentile(ordered, 0.50) for ordered in by_window_sorted],
        p99_ms_by_window=[percentile(ordered, 0.99) for ordered in by_window_sorted],
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


def fmt(value: float | None) -> str:
    """A millisecond figure for the table."""
    return "-" if value is None else f"{value:.1f}"


@dataclass
class Settings:
    """The command line, resolved."""

    topologies: list[str]
    rooms: int
    rate: int
    steps: list[int]
    warmup: float
    duration: float
    rounds: int
    straggle: float
    settle: float
    p99_limit_ms: float
    budget_ratio: float
    agent_sockets: int
    time_limit: float
    output: Path
    server: str = "daphne"
    cpus_awake: bool = False
    # Whether the agents' sockets are read by a process of their own (the default) or by the load generator.
    agents_own_process: bool = True
    # PostgreSQL waits for the disk at each commit, as in production (off by default, as in the tests).
    postgres_fsync: bool = False

    @property
    def compression(self) -> str | None:
        """What the load generator's sockets offer: permessage-deflate only for uvicorn-deflate."""
        return "deflate" if self.server == "uvicorn-deflate" else None

    @property
    def measurement_seconds(self) -> float:
        """The longest one measurement can take."""
        return self.warmup + self.duration + self.straggle + 0.5


@dataclass
class Deployment:
    """Redis, PostgreSQL, the Parley site and the ports every topology reuses."""

    workdir: Path
    redis: RedisServer
    postgres: PostgresCluster
    parley: DemoDeployment
    site_key: str
    parley_ports: tuple[int, int]

    @property
    def shop_origin(self) -> str:
        """The origin the demo site allows (no shop process is needed: only the Origin header)."""
        return f"http://localhost:{self.parley.shop_port}"

    def parley_url(self, which: int) -> str:
        """Parley process 1 or 2."""
        return f"http://localhost:{self.parley_ports[which - 1]}"


async def run_topology(
    deployment: Deployment,
    settings: Settings,
    *,
    processes: int,
    layer: str,
    relay_ports: tuple[int, int],
    deadline: float,
) -> tuple[list[Row], list[Measurement]]:
    """Both systems on one topology: the fixed rate, then each stepped up until a rate fails."""
    cookie = await asyncio.to_thread(
        console_session_cookie,
        deployment.parley_url(1),
        deployment.parley.username,
        deployment.parley.password,
    )
    # Visitors on process 1, agents on process 2; or both on the one process.
    agent_process = 2 if processes == 2 else 1
    relay_urls = [f"http://127.0.0.1:{port}" for port in relay_ports[:processes]]
    # Parley first: the relay, measured first, then starts at once (an idle RedisChannelLayer consumer
    # can crash: redis-py's 5 s socket timeout races channels-redis's 5 s BZPOPMIN).
    parley = await ParleyRooms.open(
        visitor_url=deployment.parley_url(1),
        agent_url=deployment.parley_url(agent_process),
        site_key=deployment.site_key,
        shop_origin=deployment.shop_origin,
        agent_origin=deployment.parley_url(1),
        cookie=cookie,
        rooms=settings.rooms,
        agent_sockets=settings.agent_sockets,
        compression=settings.compression,
        agents_own_process=settings.agents_own_process,
    )
    try:
        relay = await RelayRooms.open(
            visitor_url=relay_urls[0],
            agent_url=relay_urls[-1],
            rooms=settings.rooms,
            prefix=layer,
            compression=settings.compression,
            agents_own_process=settings.agents_own_process,
        )
    except BaseException:
        await parley.close()
        raise
    name = topology_name(processes, layer)
    log(f"{name}: {settings.rooms} rooms open on both systems")
    runs = 0
    measurements: list[Measurement] = []

    async def windows(rooms: Rooms, rate: int, *, warmup: float) -> Window:
        nonlocal runs
        runs += 1
        async with asyncio.timeout(settings.measurement_seconds + settings.settle + 30):
            return await send_window(
                rooms,
                rate=rate,
                warmup=warmup,
                duration=settings.duration,
                straggle=settings.straggle,
                settle=settings.settle,
                run=f"r{runs}",
            )

    def measured(rooms: Rooms, rate: int, taken: list[Window]) -> Measurement:
        result = summarise(taken, system=rooms.name, layer=layer, rate=rate, processes=processes)
        log(describe(result))
        measurements.append(result)
        return result

    async def one(rooms: Rooms, rate: int) -> Measurement:
        return measured(rooms, rate, [await windows(rooms, rate, warmup=settings.warmup)])

    async def alternating(rate: int) -> tuple[Measurement, Measurement]:
        """Relay and Parley at the same rate, in alternating windows (relay, Parley, Parley, relay, ...).

        The machine's speed drifts over a run (other tenants, turbo, the page cache): measured one after
        the other, a system could get the fast minute and the other the slow one, and the ratio moved
        from 1.2x to 3x between runs. Alternating in this order exposes both to the same drift.
        """
        taken: dict[str, list[Window]] = {relay.name: [], parley.name: []}
        for round_ in range(settings.rounds):
            order = (relay, parley) if round_ % 2 == 0 else (parley, relay)
            for rooms in order:
                # The first window of each system warms it up; later ones only re-prime the pipes.
                warmup = settings.warmup if not taken[rooms.name] else min(settings.warmup, 0.5)
                taken[rooms.name].append(await windows(rooms, rate, warmup=warmup))
        return measured(relay, rate, taken[relay.name]), measured(parley, rate, taken[parley.name])

    async def step(rooms: Rooms, rate: int) -> Measurement:
        # On a shared 2-core machine one stray spike can fail a step: a step fails only twice over.
        result = await one(rooms, rate)
        if not result.sustained(settings.p99_limit_ms):
            log(f"  {rooms.name} failed {rate} msg/s; measuring it once more")
            result = await one(rooms, rate)
        return result

    async def climb(rooms: Rooms, first: Measurement, ceiling: int | None) -> Measurement | None:
        """The highest step (up to `ceiling`) sustained after `first`, stopping at the first that fails."""
        best = first if first.sustained(settings.p99_limit_ms) else None
        if best is None:
            return None
        for rate in [rate for rate in settings.steps if rate > first.rate]:
            if ceiling is not None and rate > ceiling:
                break
            # Room for this step (twice) and one more measurement, within this topology's time.
            if time.monotonic() + 3 * settings.measurement_seconds + settings.settle > deadline:
                log(f"{name}: {rooms.name} stepping stopped at {rate} msg/s by the time limit")
                break
            result = await step(rooms, rate)
            if not result.sustained(settings.p99_limit_ms):
                break
            best = result
        return best

    try:
        relay_fixed, parley_fixed = await alternating(settings.rate)
        if not relay_fixed.sustained(settings.p99_limit_ms):
            log(f"  relay failed {settings.rate} msg/s; measuring it once more")
            relay_fixed = await one(relay, settings.rate)
        # The relay climbs first, so a backlog Parley leaves behind cannot slow the relay's steps.
        relay_best = await climb(relay, relay_fixed, None)
        # Parley climbs only as high as the relay went: its share of the relay's rate is the figure.
        parley_best = await climb(parley, parley_fixed, relay_best.rate if relay_best else settings.rate)
        rows = [Row(processes, layer, settings.rate, "fixed", relay_fixed, parley_fixed)]
        if relay_best is not None and relay_best.rate == settings.rate:
            if any(rate > settings.rate for rate in settings.steps):
                rows[0].kind = "fixed, relay max"
        elif relay_best is not None and parley_best is not None and parley_best.rate == relay_best.rate:
            rows.append(Row(processes, layer, relay_best.rate, "relay max", relay_best, parley_best))
        return rows, measurements
    finally:
        await asyncio.gather(relay.close(), parley.close())


def set_up(settings: Settings) -> Deployment:
    """Start Redis and PostgreSQL, migrate, and create the demo site and agent."""
    shutil.rmtree(WORKDIR, ignore_errors=True)
    WORKDIR.mkdir(parents=True)
    redis = RedisServer(WORKDIR)
    postgres = PostgresCluster(WORKDIR / "pg", fsync=settings.postgres_fsync)
    ports = (free_port(), free_port())
    parley = DemoDeployment(
        workdir=WORKDIR,
        server_port=ports[0],
        extra_env={
            "DATABASE_URL": postgres.url,
            "REDIS_URL": redis.url,
            # As docs/deploy.md runs it: connections reused, not opened per frame.
            "DATABASE_CONN_MAX_AGE": "60",
            # Both processes answer as the one public URL a load balancer would give them.
            "CSRF_TRUSTED_ORIGINS": f"http://localhost:{ports[0]}",
            # One console follows every room, and each visitor sends rate/R frames a second: lift the limits.
            "PARLEY_AGENT_OPEN_CONVERSATIONS_MAX": str(max(1000, settings.rooms)),
            "PARLEY_FRAME_RATE": "100000",
            "PARLEY_FRAME_BURST": "100000",
        },
    )
    return Deployment(
        workdir=WORKDIR, redis=redis, postgres=postgres, parley=parley, site_key="", parley_ports=ports
    )


def run(settings: Settings) -> tuple[list[Row], list[Measurement], dict[str, int | None]]:
    """Everything, with every process stopped on the way out."""
    started = time.monotonic()
    deployment = set_up(settings)
    rows: list[Row] = []
    measurements: list[Measurement] = []
    relay_max: dict[str, int | None] = {}
    try:
        deployment.redis.start()
        deployment.postgres.start()
        deployment.site_key = deployment.parley.set_up()
        log(f"Redis on {deployment.redis.port}, PostgreSQL on {deployment.postgres.port}, site migrated")
        for position, topology in enumerate(settings.topologies):
            processes, layer = TOPOLOGIES[topology]
            remaining = settings.time_limit - (time.monotonic() - started)
            deadline = (
                time.monotonic()
                + remaining / (len(settings.topologies) - position)
                - TOPOLOGY_OVERHEAD_SECONDS
            )
            if layer == "inmemory":
                # Without REDIS_URL, Parley runs its single-process default: the in-memory layer.
                deployment.parley.extra_env.pop("REDIS_URL", None)
                deployment.parley.extra_env.pop("PARLEY_CHANNEL_LAYER", None)
            else:
                deployment.parley.extra_env["REDIS_URL"] = deployment.redis.url
                deployment.parley.extra_env["PARLEY_CHANNEL_LAYER"] = layer
            if position:
                # The topology before stored tens of thousands of messages (more when its last step
                # overran): vacuumed now, autovacuum does not run that work during this one's measurements,
                # which the relay, storing nothing, would never pay.
                deployment.postgres.vacuum()
            relay_ports = (free_port(), free_port())
            started_processes: list[subprocess.Popen[bytes]] = []
            try:
                for port in deployment.parley_ports[:processes]:
                    started_processes.append(
                        start_parley(deployment.parley, port=port, cpu=None, server=settings.server)
                    )
                for port in relay_ports[:processes]:
                    redis_url = "" if layer == "inmemory" else deployment.redis.url
                    started_processes.append(
                        start_relay(
                            deployment.workdir,
                            port=port,
                            cpu=None,
                            layer=layer,
                            redis_url=redis_url,
                            server=settings.server,
                        )
                    )
                topology_rows, topology_measurements = asyncio.run(
                    run_topology(
                        deployment,
                        settings,
                        processes=processes,
                        layer=layer,
                        relay_ports=relay_ports,
                        deadline=deadline,
                    )
                )
            finally:
                for process in started_processes:
                    stop_process(process)
                deployment.parley.stop_all()
            rows += topology_rows
            measurements += topology_measurements
            relay_max[topology] = highest_sustained(
                [measurement for measurement in topology_measurements if measurement.system == "relay"],
                settings.p99_limit_ms,
            )
    finally:
        deployment.parley.stop_all()
        deployment.redis.kill()
        deployment.postgres.stop()
        shutil.rmtree(WORKDIR / "pg", ignore_errors=True)
    return rows, measurements, relay_max


def server_errors(limit: int = 40) -> str:
    """The first lines of tracebacks in the server logs of the last run, for a failure message."""
    lines: list[str] = []
    for path in sorted(WORKDIR.glob("*.log")):
        text = path.read_text(errors="replace").splitlines()
        for index, line in enumerate(text):
            if "Traceback" in line or "Exception inside" in line:
                lines += [f"{path.name}:", *text[index : index + 12]]
                break
    return "\n".join(lines[:limit]) or f"No traceback in the server logs ({WORKDIR})."


def table(rows: list[Row], measurements: list[Measurement], settings: Settings) -> str:
    """The result table (every column is separated by a space, so a wide figure never merges)."""
    widths = (-26, 5, 9, 9, 6, 10, 9, 6, 9)
    titles = ("topology", "msg/s", "relay p50", "p99", "lost", "Parley p50", "p99", "lost", "p99 ratio")

    def line(cells: tuple[object, ...], last: str) -> str:
        aligned = [
            f"{cell!s:<{-width}}" if width < 0 else f"{cell!s:>{width}}"
            for cell, width in zip(cells, widths, strict=True)
        ]
        return " ".join([*aligned, last])

    header = line(titles, "budget")
    lines = [header, "-" * len(header)]
    for row in rows:
        ratio = row.ratio
        note = " (relay max)" if "relay max" in row.kind else ""
        cells = (
            topology_name(row.processes, row.layer),
            row.rate,
            fmt(row.relay.p50_ms),
            fmt(row.relay.p99_ms),
            row.relay.lost,
            fmt(row.parley.p50_ms),
            fmt(row.parley.p99_ms),
            row.parley.lost,
            "-" if ratio is None else f"{ratio:.2f}x",
        )
        lines.append(line(cells, row.verdict(settings.budget_ratio) + note))
    lines.append("")
    for topology in settings.topologies:
        processes, layer = TOPOLOGIES[topology]
        mine = [m for m in measurements if (m.processes, m.layer) == (processes, layer)]
        highest = {
            system: highest_sustained([m for m in mine if m.system == system], settings.p99_limit_ms)
            for system in ("relay", "parley")
        }
        relay_best, parley_best = highest["relay"], highest["parley"]
        share = f" ({parley_best / relay_best:.2f}x)" if relay_best and parley_best else ""
        lines.append(
            f"Highest sustained rate, {topology_name(processes, layer)}: relay {highest['relay'] or '-'}, "
            f"Parley {highest['parley'] or '-'} msg/s{share}"
        )
    lines += [
        f"Latency in ms from a visitor's socket to an agent's, {settings.rooms} rooms; on two processes the "
        "visitors are on process 1 and the agents on process 2.",
        f"Budget: Parley p99 <= {settings.budget_ratio:g}x the relay's, nothing lost. Sustained: p99 < "
        f"{settings.p99_limit_ms:g} ms, nothing lost, the pace kept; each system steps up through "
        f"{', '.join(str(step) for step in settings.steps) or 'no rates'} until a step fails twice "
        "(Parley no higher than the relay).",
    ]
    return "\n".join(lines)


def highest_sustained(measurements: list[Measurement], p99_limit_ms: float) -> int | None:
    """The highest rate among the measurements that was sustained (its last measurement, if retried)."""
    last_by_rate = {measurement.rate: measurement for measurement in measurements}
    return max(
        (rate for rate, measurement in last_by_rate.items() if measurement.sustained(p99_limit_ms)),
        default=None,
    )


def parse_args(argv: list[str] | None) -> Settings:
    """Read the command line."""
    parser = argparse.ArgumentParser(prog="python -m bench.latency", description=__doc__.splitlines()[0])
    parser.add_argument(
        "--topology",
        action="append",
        choices=[*TOPOLOGIES, "all"],
        help=f"processes and channel layer, repeatable (default {' and '.join(DEFAULT_TOPOLOGIES)})",
    )
    parser.add_argument(
        "--rooms", type=int, default=50, help="rooms of one visitor and one agent (default 50)"
    )
    parser.add_argument("--rate", type=int, default=200, help="the fixed rate, msg/s (default 200)")
    parser.add_argument(
        "--steps",
        default="200,400,600,800,1000,1400,2000,2800,4000",
        help="rates each system steps through until one fails (comma-separated msg/s)",
    )
    parser.add_argument("--warmup", type=float, default=2.0, help="seconds sent before measuring (default 2)")
    parser.add_argument(
        "--duration", type=float, default=8.0, help="seconds measured in each window (default 8)"
    )
    parser.add_argument(
        "--rounds",
        type=int,
        default=5,
        help="windows each system gets at the fixed rate, the two alternating (default 5)",
    )
    parser.add_argument(
        "--straggle", type=float, default=3.0, help="seconds to wait for late messages (default 3)"
    )
    parser.add_argument(
        "--settle",
        type=float,
        default=20.0,
        help="at most this many seconds for a backlog to drain before the next measurement (default 20)",
    )
    parser.add_argument("--p99-limit", type=float, default=50.0, help="relay p99 a step must stay under (ms)")
    parser.add_argument(
        "--budget", type=float, default=1.5, help="allowed Parley p99 / relay p99 (default 1.5)"
    )
    parser.add_argument(
        "--agent-sockets", type=int, default=1, help="Parley console sockets sharing the rooms (default 1)"
    )
    parser.add_argument(
        "--server",
        choices=ASGI_SERVERS,
        default="daphne",
        help="the ASGI server both systems run under (default daphne: Parley on uvloop through server.serve,"
        " the relay as stock daphne); uvicorn-deflate also has the sockets negotiate permessage-deflate",
    )
    parser.add_argument(
        "--cpus-awake",
        action="store_true",
        help="keep the CPUs out of their idle states while measuring (/dev/cpu_dma_latency = 0, root only),"
        " as tuned's latency-performance profile does: wake-ups then cost nothing, for both systems",
    )
    parser.add_argument(
        "--agents",
        choices=("own-process", "in-process"),
        default="own-process",
        help="where the agents' sockets are read: a process of their own, as agents are other machines"
        " (default), or the load generator that sends, which then reads both ends",
    )
    parser.add_argument(
        "--postgres-fsync",
        action="store_true",
        help="run PostgreSQL with fsync on, so each commit waits for the disk as in production (default off,"
        " as in the tests)",
    )
    parser.add_argument(
        "--time-limit", type=float, default=720.0, help="seconds for the whole run (stepping stops early)"
    )
    parser.add_argument("--output", type=Path, default=OUTPUT, help=f"JSON results (default {OUTPUT})")
    parser.add_argument(
        "--quick", action="store_true", help="smoke run: 10 rooms, 3 s measurements, fixed rate only"
    )
    args = parser.parse_args(argv)
    steps = sorted({int(step) for step in str(args.steps).split(",") if step.strip()})
    chosen = args.topology or list(DEFAULT_TOPOLOGIES)
    topologies = list(TOPOLOGIES) if "all" in chosen else list(dict.fromkeys(chosen))
    settings = Settings(
        topologies=topologies,
        rooms=args.rooms,
        rate=args.rate,
        steps=steps,
        warmup=args.warmup,
        duration=args.duration,
        rounds=args.rounds,
        straggle=args.straggle,
        settle=args.settle,
        p99_limit_ms=args.p99_limit,
        budget_ratio=args.budget,
        agent_sockets=args.agent_sockets,
        server=args.server,
        cpus_awake=args.cpus_awake,
        agents_own_process=args.agents == "own-process",
        postgres_fsync=args.postgres_fsync,
        time_limit=args.time_limit,
        output=args.output,
    )
    if args.quick:
        settings.rooms, settings.steps = min(args.rooms, 10), []
        settings.warmup, settings.duration, settings.rounds = 1.0, 3.0, 1
    if settings.rounds < 1:
        parser.error("--rounds must be at least 1")
    if settings.rooms < 1 or settings.rate < 1 or not 1 <= settings.agent_sockets <= settings.rooms:
        parser.error("--rooms and --rate must be positive, --agent-sockets between 1 and --rooms")
    return settings


@contextlib.contextmanager
def cpus_kept_awake(wanted: bool) -> Iterator[None]:
    """While open, ask the kernel for a wake-up latency of 0 (PM QoS): idle CPUs poll instead of halting.

    On this machine (a KVM guest, cpuidle's haltpoll) a halted CPU is woken through the host, which at a
    low message rate, when every hop finds its CPU idle, costs more than the work of a hop.
    """
    if not wanted:
        yield
        return
    try:
        descriptor = os.open("/dev/cpu_dma_latency", os.O_WRONLY)
    except OSError as error:
        log(f"--cpus-awake: cannot open /dev/cpu_dma_latency ({error}); measuring as the machine idles")
        yield
        return
    try:
        os.write(descriptor, struct.pack("i", 0))
        yield
    finally:
        # Closing the file gives the CPUs their idle states back.
        os.close(descriptor)


def stop_on_signal(signum: int, frame: object) -> None:
    """Turn SIGTERM into an exception that unwinds the run."""
    raise SystemExit(128 + signum)


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark, print the table, write the JSON; exit 0 whatever the numbers say."""
    settings = parse_args(argv)
    started = time.monotonic()
    # Ctrl-C (even when started in the background) and SIGTERM unwind through the `finally` blocks,
    # so Redis, PostgreSQL and the daphne processes are stopped.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, stop_on_signal)
    try:
        with cpus_kept_awake(settings.cpus_awake):
            rows, measurements, relay_max = run(settings)
    except KeyboardInterrupt:
        log("Interrupted; every process was stopped.")
        return 130
    except Exception as error:
        # A run that could not measure is a failure (unlike numbers over budget): say where to look.
        log(f"The benchmark failed: {error!r}")
        log(server_errors())
        return 1
    print(table(rows, measurements, settings))
    settings.output.parent.mkdir(parents=True, exist_ok=True)
    report: dict[str, Any] = {
        "benchmark": "visitor-to-agent latency, one daphne process or two sharing a Redis",
        "generated_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "platform": platform.platform(),
        },
        "settings": {
            key: str(value) if isinstance(value, Path) else value for key, value in asdict(settings).items()
        },
        "rows": [
            {
                "processes": row.processes,
                "layer": row.layer,
                "rate": row.rate,
                "kind": row.kind,
                "relay": asdict(row.relay),
                "parley": asdict(row.parley),
                "p99_ratio": None if row.ratio is None else round(row.ratio, 2),
                "verdict": row.verdict(settings.budget_ratio),
            }
            for row in rows
        ],
        "relay_max_rate": relay_max,
        "measurements": [asdict(measurement) for measurement in measurements],
        "elapsed_seconds": round(time.monotonic() - started, 1),
    }
    settings.output.write_text(json.dumps(report, indent=2) + "\n")
    log(f"Wrote {settings.output} ({report['elapsed_seconds']} s); logs in {WORKDIR}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
