"""Visitor→agent latency on one daphne process and on two through Redis: Parley against a bare relay.

Run `python -m bench.latency --help` from the repository root; bench/README.md explains the output.
"""

import asyncio
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import asdict
from typing import Any

from bench.common import (
    BENCH_DIR,
    LIMITS_UNREACHED,
    add_number,
    add_output,
    elapsed_since,
    finish,
    fmt,
    fresh_workdir,
    log,
    new_parser,
    report_head,
)
from bench.latency_topology import Deployment, Settings, highest_sustained, run_topology
from bench.latency_windows import Measurement, Row, topology_name
from bench.procs import ASGI_SERVERS, cpus_kept_awake, start_parley, start_relay, stop_all, stop_on_signal
from tests.processes import DemoDeployment, free_port
from tests.services import PostgresCluster, RedisServer

# Where the visitor and the agent sockets live: one process with the in-memory layer, or one process
# each, talking through Redis (pub/sub, Parley's default, or channels-redis's RedisChannelLayer).
TOPOLOGIES = {"1-inmemory": (1, "inmemory"), "2-redis-pubsub": (2, "redis-pubsub"), "2-redis": (2, "redis")}
DEFAULT_TOPOLOGIES = ("1-inmemory", "2-redis-pubsub")
OUTPUT = BENCH_DIR / "latency.json"
WORKDIR = BENCH_DIR / "work"
# Setting up a topology (up to 4 processes, R sessions and sockets) and tearing it down, for the time budget.
TOPOLOGY_OVERHEAD_SECONDS = 15.0


def set_up(settings: Settings) -> Deployment:
    """Start Redis and PostgreSQL, migrate, and create the demo site and agent."""
    fresh_workdir(WORKDIR)
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
            **LIMITS_UNREACHED,
        },
    )
    return Deployment(
        workdir=WORKDIR, redis=redis, postgres=postgres, parley=parley, site_key="", parley_ports=ports
    )


def run(
    settings: Settings, *, prepare: Callable[[Deployment], None] | None = None
) -> tuple[list[Row], list[Measurement], dict[str, int | None]]:
    """Everything, with every process stopped on the way out; `prepare` fills the database first."""
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
        if prepare is not None:
            prepare(deployment)
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
                stop_all(started_processes)
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


def parse_args(argv: list[str] | None) -> Settings:
    """Read the command line."""
    parser = new_parser("bench.latency", __doc__)
    parser.add_argument(
        "--topology",
        action="append",
        choices=[*TOPOLOGIES, "all"],
        help=f"processes and channel layer, repeatable (default {' and '.join(DEFAULT_TOPOLOGIES)})",
    )
    add_number(parser, "--rooms", 50, "rooms of one visitor and one agent")
    add_number(parser, "--rate", 200, "the fixed rate, msg/s")
    parser.add_argument(
        "--steps",
        default="200,400,600,800,1000,1400,2000,2800,4000",
        help="rates each system steps through until one fails (comma-separated msg/s)",
    )
    add_number(parser, "--warmup", 2.0, "seconds sent before measuring")
    add_number(parser, "--duration", 8.0, "seconds measured in each window")
    add_number(parser, "--rounds", 5, "windows each system gets at the fixed rate, the two alternating")
    add_number(parser, "--straggle", 3.0, "seconds to wait for late messages")
    add_number(
        parser,
        "--settle",
        20.0,
        "at most this many seconds for a backlog to drain before the next measurement",
    )
    add_number(parser, "--p99-limit", 50.0, "relay p99 a step must stay under (ms)")
    add_number(parser, "--budget", 1.5, "allowed Parley p99 / relay p99")
    add_number(parser, "--agent-sockets", 1, "Parley console sockets sharing the rooms")
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
    add_number(parser, "--time-limit", 720.0, "seconds for the whole run (stepping stops early)")
    add_output(parser, OUTPUT)
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
    report: dict[str, Any] = {
        **report_head(
            "visitor-to-agent latency, one daphne process or two sharing a Redis", settings=settings
        ),
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
        "elapsed_seconds": elapsed_since(started),
    }
    return finish(
        report, settings.output, table=table(rows, measurements, settings), note=f"; logs in {WORKDIR}"
    )


if __name__ == "__main__":
    sys.exit(main())
