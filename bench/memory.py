"""A server's memory against idle sockets held: settled RSS at each level, and the curve on the way up."""

import asyncio
import math
import statistics
import time
from collections import Counter
from dataclasses import dataclass, field

from websockets.asyncio.client import ClientConnection

from bench.common import log
from bench.handshakes import Handshakes, Target, open_many
from bench.procs import rss_kib


@dataclass
class Level:
    """The server's memory with N idle sockets held."""

    sockets: int
    opened: int
    failed: int
    rss_kib: int
    per_socket_kib: float | None
    open_seconds: float
    errors: dict[str, int] = field(default_factory=dict)


@dataclass
class CurvePoint:
    """The server's RSS with this many sockets open, read once as they were opened (not settled)."""

    sockets: int
    rss_kib: int


@dataclass
class SystemResult:
    """Everything measured on one server process."""

    system: str
    rss_before_kib: int = 0
    levels: list[Level] = field(default_factory=list)
    handshakes: list[Handshakes] = field(default_factory=list)
    # RSS from no sockets to the highest level at evenly spaced counts (the levels' reads are settled).
    curve: list[CurvePoint] = field(default_factory=list)

    def level(self, sockets: int) -> Level | None:
        """The measurement at N sockets."""
        return next((level for level in self.levels if level.sockets == sockets), None)

    def rate(self, label: str) -> Handshakes | None:
        """The handshake run with this label."""
        return next((run for run in self.handshakes if run.label == label), None)


def curve_stops(start: int, end: int, step: int) -> list[int]:
    """Socket counts after `start` up to `end` at which to read RSS: the multiples of `step`, and `end`."""
    return [*range((start // step + 1) * step, end, step), end]


async def settled_rss(pid: int, *, settle: float, reads: int = 3, interval: float = 1.0) -> int:
    """The median of a few RSS reads once the server has settled (one read can catch a transient)."""
    await asyncio.sleep(settle)
    values = []
    for index in range(reads):
        if index:
            await asyncio.sleep(interval)
        values.append(rss_kib(pid))
    return int(statistics.median(values))


async def measure_idle(
    target: Target,
    pid: int,
    result: SystemResult,
    *,
    levels: list[int],
    concurrency: int,
    settle: float,
    curve_points: int,
) -> list[ClientConnection]:
    """Hold N idle sockets for each level (growing from one to the next); read the server's RSS at each."""
    held: list[ClientConnection] = []
    result.rss_before_kib = await settled_rss(pid, settle=settle)
    result.curve.append(CurvePoint(sockets=0, rss_kib=result.rss_before_kib))
    # The memory curve: one more RSS read every highest-level/curve_points sockets on the way up.
    step = max(1, math.ceil(max(levels) / curve_points))
    log(f"  {target.name}: RSS before {result.rss_before_kib / 1024:.1f} MiB")
    for sockets in levels:
        began = time.perf_counter()
        errors: Counter[str] = Counter()
        next_index = len(held)
        for stop in curve_stops(next_index, sockets, step):
            opened, failures = await open_many(
                target.open_idle, range(next_index, stop), concurrency=concurrency
            )
            held += opened
            errors += failures
            next_index = stop
            if stop < sockets:
                # One /proc read, no settling: the curve costs the run microseconds per point.
                result.curve.append(CurvePoint(sockets=len(held), rss_kib=rss_kib(pid)))
        open_seconds = time.perf_counter() - began
        rss = await settled_rss(pid, settle=settle)
        result.curve.append(CurvePoint(sockets=len(held), rss_kib=rss))
        level = Level(
            sockets=sockets,
            opened=len(held),
            failed=sockets - len(held),
            rss_kib=rss,
            per_socket_kib=(rss - result.rss_before_kib) / len(held) if held else None,
            open_seconds=round(open_seconds, 2),
            errors=dict(errors),
        )
        result.levels.append(level)
        log(
            f"  {target.name}: {level.opened}/{sockets} open in {open_seconds:.1f} s, "
            f"RSS {rss / 1024:.1f} MiB, "
            f"{level.per_socket_kib or 0:.1f} KiB/socket" + (f", errors {level.errors}" if errors else "")
        )
    return held
