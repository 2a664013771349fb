"""Idle memory per socket and handshakes/s: Parley's visitor socket, a bare Channels consumer, websockets.

Run `python -m bench.capacity --help` from the repository root. One server process per system, all pinned
to one core (the load generator runs on the other), in-memory channel layer, SQLite for Parley. Memory is
measured one system after the other; the handshake runs take turns over several rounds, so drift in the
machine's speed falls on every system alike.
"""

import asyncio
import contextlib
import itertools
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from websockets.asyncio.client import ClientConnection

from bench.clients import close_all
from bench.common import (
    BENCH_DIR,
    LIMITS_UNREACHED,
    add_number,
    add_output,
    add_parley_env,
    elapsed_since,
    finish,
    fmt,
    fresh_workdir,
    loadavg,
    log,
    new_parser,
    parley_env,
    report_head,
)
from bench.fixtures import create_visitor_tokens
from bench.handshakes import (
    HandshakeWindow,
    Target,
    measure_handshakes,
    open_many,
    parley_target,
    plain_target,
    pooled_handshakes,
    relay_target,
)
from bench.memory import SystemResult, measure_idle
from bench.memory import curve_stops as curve_stops  # tests/bench import it from here
from bench.procs import (
    CLIENT_CPU,
    SERVER_CPU,
    load_generator_on_cpu,
    start_parley,
    start_plain,
    start_relay,
)
from tests.processes import DemoDeployment, free_port, stop_process

OUTPUT = BENCH_DIR / "capacity.json"
WORKDIR = BENCH_DIR / "work-capacity"
WARM_UP_SOCKETS = 100
# The uncounted start of a handshake round after a run's first: enough for every worker to be in flight.
REFILL_SECONDS = 0.3
SYSTEMS = ("parley", "relay", "plain")
SYSTEM_NAMES = {"parley": "Parley", "relay": "bare consumer", "plain": "plain websockets"}


# --- The run ------------------------------------------------------------------------------------------


@dataclass
class Settings:
    """The command line, resolved."""

    levels: list[int]
    open_concurrency: int
    concurrency: int
    warmup: float
    duration: float
    rounds: int
    settle: float
    returning_visitors: int
    history_messages: int
    systems: list[str]
    output: Path
    parley_env: dict[str, str] = field(default_factory=dict)
    curve_points: int = 10


@dataclass
class System:
    """A server under test, started: its process, how it is reached and the handshake runs it gets."""

    name: str
    pid: int
    target: Target
    warm_up: Callable[[int], Awaitable[ClientConnection]]
    runs: list[tuple[str, Callable[[int], Awaitable[float]]]]


async def measure_memory(system: System, settings: Settings) -> SystemResult:
    """Warm the server up, then measure its idle memory and free the sockets."""
    result = SystemResult(system=system.target.name)
    # Lazy imports, thread pools, database connections and caches are paid before the baseline read.
    warm, _ = await open_many(system.warm_up, range(WARM_UP_SOCKETS), concurrency=settings.open_concurrency)
    await close_all(warm)
    held = await measure_idle(
        system.target,
        system.pid,
        result,
        levels=settings.levels,
        concurrency=settings.open_concurrency,
        settle=settings.settle,
        curve_points=settings.curve_points,
    )
    await close_all(held)
    return result


async def measure_all(systems: dict[str, System], settings: Settings) -> dict[str, SystemResult]:
    """Each system's idle memory in turn, then the handshake runs of all of them, taking turns by round.

    Measured one system after the other, a system could get the machine's fast minute and the next one
    its slow one (docs/decisions/0001). In rounds (A, B, C, then C, B, A, …) every system meets the same
    drift, and each pools its rounds.
    """
    results: dict[str, SystemResult] = {}
    for name, system in systems.items():
        log(f"{SYSTEM_NAMES[name]}:")
        results[name] = await measure_memory(system, settings)
    # Let the servers finish their disconnects before the handshake clock starts.
    await asyncio.sleep(settings.settle)
    log(f"handshakes, {settings.rounds} rounds of {settings.duration / settings.rounds:.1f} s each:")
    windows: dict[tuple[str, str], list[HandshakeWindow]] = {}
    counters: dict[tuple[str, str], itertools.count[int]] = {}
    order = list(systems)
    for round_ in range(settings.rounds):
        for name in order if round_ % 2 == 0 else reversed(order):
            for label, handshake in systems[name].runs:
                key = (name, label)
                window = await measure_handshakes(
                    handshake=handshake,
                    counter=counters.setdefault(key, itertools.count()),
                    concurrency=settings.concurrency,
                    # The first round warms a run up; later ones only fill the pipeline again.
                    warmup=settings.warmup if key not in windows else min(settings.warmup, REFILL_SECONDS),
                    duration=settings.duration / settings.rounds,
                )
                windows.setdefault(key, []).append(window)
    for (name, label), taken in windows.items():
        results[name].handshakes.append(
            pooled_handshakes(taken, name=name, label=label, concurrency=settings.concurrency)
        )
    return results


@contextlib.contextmanager
def parley_system(settings: Settings, workdir: Path) -> Iterator[System]:
    """Parley's visitor socket on one daphne process (SQLite, in-memory layer), with its visitors."""
    deployment = DemoDeployment(workdir=workdir, extra_env={**LIMITS_UNREACHED, **settings.parley_env})
    site_key = deployment.set_up()
    origin = f"http://localhost:{deployment.shop_port}"
    began = time.perf_counter()
    fresh = create_visitor_tokens(deployment, site_key=site_key, count=max(settings.levels))
    returning = create_visitor_tokens(
        deployment,
        site_key=site_key,
        count=settings.returning_visitors + WARM_UP_SOCKETS,
        messages=settings.history_messages,
        seen_ago=86400,
    )
    log(
        f"parley: {len(fresh)} fresh visitors and {len(returning)} with {settings.history_messages} messages "
        f"created in {time.perf_counter() - began:.1f} s"
    )
    process = start_parley(deployment, port=deployment.server_port, cpu=SERVER_CPU)
    try:
        target = parley_target(deployment.server_url, site_key=site_key, origin=origin, tokens=fresh)
        # Warm-up takes the last returning visitors, so every measured one still has a visit to record.
        warm_target = parley_target(
            deployment.server_url, site_key=site_key, origin=origin, tokens=returning[-WARM_UP_SOCKETS:]
        )
        returning_target = parley_target(
            deployment.server_url, site_key=site_key, origin=origin, tokens=returning[:-WARM_UP_SOCKETS]
        )
        yield System(
            name="parley",
            pid=process.pid,
            target=target,
            warm_up=warm_target.open_idle,
            runs=[("fresh visitor", target.handshake), ("returning visitor", returning_target.handshake)],
        )
    finally:
        stop_process(process)


@contextlib.contextmanager
def baseline_system(
    name: str, process: subprocess.Popen[bytes], target: Target, warm_up: Target
) -> Iterator[System]:
    """A baseline's started process: one kind of handshake ("connect"), counted at accept."""
    try:
        yield System(
            name=name,
            pid=process.pid,
            target=target,
            warm_up=warm_up.open_idle,
            runs=[("connect", target.handshake)],
        )
    finally:
        stop_process(process)


def relay_system(settings: Settings, workdir: Path) -> contextlib.AbstractContextManager[System]:
    """The bare consumer on one daphne process, in-memory layer."""
    port = free_port()
    process = start_relay(workdir, port=port, cpu=SERVER_CPU)
    url = f"http://127.0.0.1:{port}"
    return baseline_system(
        "relay", process, relay_target(url, prefix="idle"), relay_target(url, prefix="warm")
    )


def plain_system(settings: Settings, workdir: Path) -> contextlib.AbstractContextManager[System]:
    """The plain websockets echo server."""
    port = free_port()
    process = start_plain(workdir, port=port, cpu=SERVER_CPU)
    target = plain_target(f"http://127.0.0.1:{port}")
    return baseline_system("plain", process, target, target)


def note_reused_visitors(results: dict[str, SystemResult], settings: Settings) -> None:
    """Say so when returning handshakes outnumbered the returning visitors (the repeats wrote nothing)."""
    parley = results.get("parley")
    returning_run = parley.rate("returning visitor") if parley else None
    if returning_run is not None and returning_run.attempts > settings.returning_visitors:
        log(
            f"  note: {returning_run.attempts} returning handshakes shared {settings.returning_visitors} "
            "visitors; the repeats recorded no visit (raise --returning)"
        )


def ratio(parley: float | None, relay: float | None) -> float | None:
    """Parley's figure over the bare consumer's."""
    if parley is None or relay is None or relay <= 0:
        return None
    return parley / relay


def table_rows(results: dict[str, SystemResult], settings: Settings) -> list[dict[str, Any]]:
    """The figures, side by side, with their targets."""
    parley = results.get("parley")
    relay = results.get("relay")
    plain = results.get("plain")
    rows: list[dict[str, Any]] = []
    for sockets in settings.levels:
        values = {
            name: (level.per_socket_kib if (level := result.level(sockets)) else None)
            for name, result in results.items()
        }
        share = ratio(values.get("parley"), values.get("relay"))
        rows.append(
            {
                "figure": f"KiB per idle socket, N={sockets:,}",
                "parley": fmt(values.get("parley")),
                "relay": fmt(values.get("relay")),
                "plain": fmt(values.get("plain")),
                "ratio": share,
                "target": "<= 1.3x",
                "verdict": None if share is None else share <= 1.3,
            }
        )
    top = max(settings.levels)

    def opened(result: SystemResult | None) -> str:
        level = result.level(top) if result else None
        return "-" if level is None else f"{level.opened:,} ({level.failed} failed)"

    parley_top = parley.level(top) if parley else None
    rows.append(
        {
            "figure": f"sockets open of {top:,}",
            "parley": opened(parley),
            "relay": opened(relay),
            "plain": opened(plain),
            "ratio": None,
            "target": f"all {top:,}",
            "verdict": None if parley_top is None else parley_top.failed == 0,
        }
    )
    relay_rate = relay.rate("connect") if relay else None
    plain_rate = plain.rate("connect") if plain else None
    for label in ("fresh visitor", "returning visitor"):
        parley_rate = parley.rate(label) if parley else None
        share = ratio(
            parley_rate.rate if parley_rate else None,
            relay_rate.rate if relay_rate else None,
        )
        history = f", {settings.history_messages} msgs" if label == "returning visitor" else ""
        rows.append(
            {
                "figure": f"handshakes/s ({label}{history})",
                "parley": fmt(parley_rate.rate if parley_rate else None, 0),
                "relay": fmt(relay_rate.rate if relay_rate else None, 0),
                "plain": fmt(plain_rate.rate if plain_rate else None, 0),
                "ratio": share,
                "target": ">= 0.7x",
                "verdict": None if share is None else share >= 0.7,
            }
        )
        rows.append(
            {
                "figure": f"  open→ready p50/p99 ms ({label})",
                "parley": f"{fmt(parley_rate.p50_ms)}/{fmt(parley_rate.p99_ms)}" if parley_rate else "-",
                "relay": f"{fmt(relay_rate.p50_ms)}/{fmt(relay_rate.p99_ms)}" if relay_rate else "-",
                "plain": f"{fmt(plain_rate.p50_ms)}/{fmt(plain_rate.p99_ms)}" if plain_rate else "-",
                "ratio": None,
                "target": "",
                "verdict": None,
            }
        )
    return rows


def table(rows: list[dict[str, Any]], settings: Settings) -> str:
    """The result table."""
    header = (
        f"{'figure':<40}{'Parley':>18}{'bare consumer':>18}{'plain websockets':>18}"
        f"{'ratio':>8}  {'target':<12}verdict"
    )
    lines = [header, "-" * len(header)]
    for row in rows:
        verdict = "" if row["verdict"] is None else ("PASS" if row["verdict"] else "MISS")
        share = "" if row["ratio"] is None else f"{row['ratio']:.2f}x"
        lines.append(
            f"{row['figure']:<40}{row['parley']:>18}{row['relay']:>18}{row['plain']:>18}"
            f"{share:>8}  {row['target']:<12}{verdict}"
        )
    lines.append(
        "Ratio: Parley / bare consumer (a bare Channels consumer joining one group per socket). "
        f"One daphne process each, in-memory layer, server on CPU {SERVER_CPU}, load generator on CPU "
        f"{CLIENT_CPU}; handshakes: {settings.concurrency} in flight for {settings.duration:g} s in "
        f"{settings.rounds} rounds, the systems taking turns; Parley's "
        "counted at `ready`, the others at accept; each includes the close. Fresh visitor: no conversation, "
        "seen within the minute (the hello only reads). Returning: an open conversation with "
        f"{settings.history_messages} messages sent in `ready`, last seen a day ago (the hello records "
        "the visit)."
    )
    return "\n".join(lines)


def run(settings: "Settings | None" = None) -> dict[str, Any]:
    """Measure every system (progress on stderr, no table); return the report the JSON file holds."""
    settings = settings or parse_args([])
    started = time.monotonic()
    fresh_workdir(WORKDIR)
    load_before = loadavg()
    starters = {"parley": parley_system, "relay": relay_system, "plain": plain_system}
    with load_generator_on_cpu(CLIENT_CPU), contextlib.ExitStack() as servers:
        # Every server runs throughout, idle while another is measured, so the handshake runs can alternate.
        systems = {
            name: servers.enter_context(starters[name](settings, WORKDIR)) for name in settings.systems
        }
        results = asyncio.run(measure_all(systems, settings))
    note_reused_visitors(results, settings)
    rows = table_rows(results, settings)
    return {
        **report_head(
            "idle memory per socket and handshakes/s, one daphne process, in-memory layer",
            settings=settings,
            loadavg_before=load_before,
        ),
        "systems": {name: asdict(result) for name, result in results.items()},
        "rows": rows,
        "table": table(rows, settings),
        "elapsed_seconds": elapsed_since(started),
    }


def parse_args(argv: list[str] | None) -> Settings:
    """Read the command line."""
    parser = new_parser("bench.capacity", __doc__)
    parser.add_argument("--levels", default="1000,5000", help="idle socket counts (default 1000,5000)")
    add_number(parser, "--open-concurrency", 50, "sockets opening at once")
    add_number(parser, "--concurrency", 50, "handshakes in flight")
    add_number(parser, "--warmup", 1.0, "handshake seconds not counted")
    add_number(parser, "--duration", 10.0, "handshake seconds counted per run, over all rounds")
    add_number(parser, "--rounds", 4, "rounds the handshake runs are split into, the systems taking turns")
    add_number(parser, "--settle", 2.0, "seconds before the RSS reads")
    add_number(
        parser,
        "--returning",
        8000,
        "returning visitors (one per handshake; more handshakes reuse them and write nothing)",
    )
    add_number(parser, "--history", 3, "messages each returning visitor has")
    parser.add_argument(
        "--systems", default=",".join(SYSTEMS), help=f"which to measure (default {','.join(SYSTEMS)})"
    )
    add_parley_env(parser)
    add_number(
        parser, "--curve-points", 10, "RSS reads, evenly spaced, while opening up to the highest level"
    )
    add_output(parser, OUTPUT)
    parser.add_argument("--quick", action="store_true", help="smoke run: N=500, 3 s handshake runs")
    args = parser.parse_args(argv)
    systems = [name.strip() for name in str(args.systems).split(",") if name.strip()]
    if not systems or any(name not in SYSTEMS for name in systems):
        parser.error(f"--systems takes names from {', '.join(SYSTEMS)}")
    settings = Settings(
        levels=sorted({int(level) for level in str(args.levels).split(",") if level.strip()}),
        open_concurrency=args.open_concurrency,
        concurrency=args.concurrency,
        warmup=args.warmup,
        duration=args.duration,
        rounds=args.rounds,
        settle=args.settle,
        returning_visitors=args.returning,
        history_messages=args.history,
        systems=systems,
        output=args.output,
        parley_env=parley_env(args.parley_env),
        curve_points=args.curve_points,
    )
    if args.quick:
        settings.levels, settings.warmup, settings.duration, settings.rounds = [500], 0.5, 3.0, 1
        settings.returning_visitors = min(settings.returning_visitors, 2000)
    if (
        not settings.levels
        or settings.levels[0] < 1
        or min(settings.concurrency, settings.curve_points, settings.rounds) < 1
    ):
        parser.error("--levels, --concurrency, --rounds and --curve-points must be positive")
    return settings


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark, print the table, write the JSON; exit 0 whatever the numbers say."""
    settings = parse_args(argv)
    report = run(settings)
    return finish(report, settings.output, table=report["table"], note=f"; logs in {WORKDIR}")


if __name__ == "__main__":
    sys.exit(main())
