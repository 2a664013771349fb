"""Fan-out: 50 agents of one site online, visitors start conversations; when has the last agent heard?

Run `python -m bench.fanout --help` from the repository root. Parley is measured on one daphne process
with the in-memory layer and on two processes sharing a Redis (agents split across them); the baseline
is the bare relay consumer with the same receivers in one group and one sender.
"""

import asyncio
import sys
import time
from collections.abc import Coroutine
from dataclasses import asdict
from typing import Any

from bench.clients import error_name
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
from bench.fanout_measure import FanoutRun, Settings, describe, measure_parley, measure_relay
from bench.fixtures import clear_conversations, create_agents, create_visitor_tokens
from bench.procs import CLIENT_CPU, SERVER_CPU, load_generator_on_cpu, start_parley, start_relay, stop_all
from tests.processes import DemoDeployment, free_port
from tests.services import RedisServer

OUTPUT = BENCH_DIR / "fanout.json"
WORKDIR = BENCH_DIR / "work-fanout"
LAYERS = ("redis-pubsub", "redis")
# Roughly the size of Parley's inbox.update frame, so the relay moves as many bytes per receiver.
RELAY_FRAME_BYTES = 800


# --- The run ------------------------------------------------------------------------------------------


def measured(
    coroutine: Coroutine[Any, Any, FanoutRun], *, mode: str, system: str, processes: int, receivers: int
) -> FanoutRun:
    """Run one measurement; a failure becomes a row that says what failed instead of ending the run."""
    try:
        result = asyncio.run(coroutine)
    except Exception as error:
        log(f"  {system} ({mode}) failed: {error_name(error)}: {error}")
        result = FanoutRun(
            mode=mode,
            system=system,
            processes=processes,
            receivers=receivers,
            rate=0.0,
            sent=0,
            complete=0,
            missing_notifications=0,
            last_p50_ms=None,
            last_p99_ms=None,
            last_max_ms=None,
            first_p50_ms=None,
            spread_p50_ms=None,
            spread_p99_ms=None,
            ack_p50_ms=None,
            achieved_rate=0.0,
            frame_bytes=None,
            errors={f"failed: {error_name(error)}: {str(error)[:160]}": 1},
        )
    else:
        log(describe(result))
    return result


def run_topology(
    deployment: DemoDeployment,
    settings: Settings,
    *,
    processes: int,
    layer: str,
    redis_url: str = "",
    site_key: str,
    cookies: list[str],
    tokens: list[str],
    runs: tuple[str, str],
) -> list[FanoutRun]:
    """Parley, then the relay with as many receivers and bytes, on one process (in-memory layer) or on
    two sharing a Redis (agents split across them, visitors on the first)."""
    mode = "1 process, in-memory" if processes == 1 else f"2 processes, {layer}"
    # One process is pinned; two are not, one daphne process per core as docs/deploy.md runs them.
    cpu = SERVER_CPU if processes == 1 else None
    ports = [deployment.server_port, *(free_port() for _ in range(processes - 1))]
    servers = [start_parley(deployment, port=port, cpu=cpu) for port in ports]
    try:
        parley = measured(
            measure_parley(
                mode=mode,
                agent_urls=[f"http://localhost:{port}" for port in ports],
                visitor_url=deployment.server_url,
                agent_origin=deployment.server_url,
                shop_origin=f"http://localhost:{deployment.shop_port}",
                site_key=site_key,
                cookies=cookies,
                tokens=tokens,
                settings=settings,
                run=runs[0],
            ),
            mode=mode,
            system="Parley",
            processes=processes,
            receivers=len(cookies),
        )
    finally:
        stop_all(servers)
    relay_ports = [free_port() for _ in range(processes)]
    servers = [
        start_relay(deployment.workdir, port=port, cpu=cpu, layer=layer, redis_url=redis_url)
        for port in relay_ports
    ]
    try:
        urls = [f"http://127.0.0.1:{port}" for port in relay_ports]
        relay = measured(
            measure_relay(
                mode=mode,
                receiver_urls=urls,
                sender_url=urls[0],
                receivers_count=len(cookies),
                frame_bytes=parley.frame_bytes or RELAY_FRAME_BYTES,
                settings=settings,
                run=runs[1],
            ),
            mode=mode,
            system="bare relay",
            processes=processes,
            receivers=len(cookies),
        )
    finally:
        stop_all(servers)
    return [parley, relay]


def run_redis(
    deployment: DemoDeployment, settings: Settings, *, site_key: str, cookies: list[str], tokens: list[str]
) -> list[FanoutRun]:
    """The two-process topology, around a Redis of its own."""
    redis = RedisServer(deployment.workdir)
    redis.start()
    try:
        deployment.extra_env.update({"REDIS_URL": redis.url, "PARLEY_CHANNEL_LAYER": settings.layer})
        return run_topology(
            deployment,
            settings,
            processes=2,
            layer=settings.layer,
            redis_url=redis.url,
            site_key=site_key,
            cookies=cookies,
            tokens=tokens,
            runs=("c", "d"),
        )
    finally:
        redis.kill()


def table(results: list[FanoutRun], settings: Settings) -> str:
    """The result table."""
    header = (
        f"{'topology':<26}{'system':<12}{'events':>7}{'last p50':>10}{'p99':>8}{'max':>8}"
        f"{'first p50':>11}{'spread p50':>12}{'p99':>7}{'missing':>9}{'p99 ratio':>11}"
    )
    lines = [header, "-" * len(header)]
    relay_p99 = {result.mode: result.last_p99_ms for result in results if result.system == "bare relay"}
    for result in results:
        base = relay_p99.get(result.mode)
        share = (
            f"{result.last_p99_ms / base:.2f}x"
            if result.system == "Parley" and result.last_p99_ms is not None and base
            else ""
        )
        lines.append(
            f"{result.mode:<26}{result.system:<12}{result.sent:>7}{fmt(result.last_p50_ms):>10}"
            f"{fmt(result.last_p99_ms):>8}{fmt(result.last_max_ms):>8}{fmt(result.first_p50_ms):>11}"
            f"{fmt(result.spread_p50_ms):>12}{fmt(result.spread_p99_ms):>7}"
            f"{result.missing_notifications:>9}{share:>11}"
        )
    for result in results:
        if result.errors:
            lines.append(f"  {result.system} ({result.mode}) errors: {result.errors}")
    lines.append(
        f"ms from the visitor's message.send (relay: the sender's frame) until the last of {settings.agents} "
        f"agent sockets had its inbox.update (relay: the frame); first: the first of them; "
        f"spread: last - first (the fan-out itself). {settings.rate:g} new conversations/s for "
        f"{settings.duration:g} s after {settings.warmup:g} s of warm-up. missing = notifications never "
        f"received within {settings.straggle:g} s. Relay frames padded to Parley's inbox.update size. "
        f"One process: server on CPU {SERVER_CPU}, load generator on CPU {CLIENT_CPU}; two: unpinned."
    )
    return "\n".join(lines)


def run(settings: "Settings | None" = None) -> dict[str, Any]:
    """Set up, measure every topology, stop everything; return the report (also what the JSON holds)."""
    settings = settings or parse_args([])
    started = time.monotonic()
    fresh_workdir(WORKDIR)
    load_before = loadavg()
    deployment = DemoDeployment(workdir=WORKDIR, extra_env={**LIMITS_UNREACHED, **settings.parley_env})
    results: list[FanoutRun] = []
    site_key = deployment.set_up()
    cookies = create_agents(deployment, site_key=site_key, count=settings.agents)
    runs = 2 if settings.redis else 1
    tokens = create_visitor_tokens(deployment, site_key=site_key, count=settings.total * runs)
    log(f"{settings.agents} agents and {len(tokens)} visitors created")
    # Every server process is started and stopped (in `finally`) inside these two.
    with load_generator_on_cpu(CLIENT_CPU):
        results += run_topology(
            deployment,
            settings,
            processes=1,
            layer="inmemory",
            site_key=site_key,
            cookies=cookies,
            tokens=tokens[: settings.total],
            runs=("a", "b"),
        )
        if settings.redis:
            # Same starting point as the first topology, and the agents' `ready` frames stay small.
            clear_conversations(deployment, site_key=site_key)
            results += run_redis(
                deployment, settings, site_key=site_key, cookies=cookies, tokens=tokens[settings.total :]
            )
    return {
        **report_head(
            f"fan-out of new conversations to {settings.agents} agents, Parley against a bare relay",
            settings=settings,
            loadavg_before=load_before,
        ),
        "runs": [asdict(result) for result in results],
        "table": table(results, settings),
        "elapsed_seconds": elapsed_since(started),
    }


def parse_args(argv: list[str] | None) -> Settings:
    """Read the command line."""
    parser = new_parser("bench.fanout", __doc__)
    add_number(parser, "--agents", 50, "agent sockets of the site")
    add_number(parser, "--rate", 20.0, "new conversations per second")
    add_number(parser, "--warmup", 1.0, "seconds sent before measuring")
    add_number(parser, "--duration", 10.0, "seconds measured")
    add_number(parser, "--straggle", 5.0, "seconds to wait for late notifications")
    parser.add_argument(
        "--layer", choices=LAYERS, default="redis-pubsub", help="Redis layer of the two-process run"
    )
    parser.add_argument("--no-redis", action="store_true", help="skip the two-process Redis run")
    add_parley_env(parser, processes="processes")
    add_output(parser, OUTPUT)
    parser.add_argument("--quick", action="store_true", help="smoke run: 10 agents, 3 s at the rate")
    args = parser.parse_args(argv)
    settings = Settings(
        agents=args.agents,
        rate=args.rate,
        warmup=args.warmup,
        duration=args.duration,
        straggle=args.straggle,
        layer=args.layer,
        redis=not args.no_redis,
        output=args.output,
        parley_env=parley_env(args.parley_env),
    )
    if args.quick:
        settings.agents, settings.warmup, settings.duration = min(args.agents, 10), 0.5, 3.0
    if settings.agents < 1 or settings.rate <= 0 or settings.total <= settings.warm:
        parser.error("--agents, --rate and --duration must be positive")
    return settings


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark, print the table, write the JSON; exit 0 whatever the numbers say."""
    settings = parse_args(argv)
    report = run(settings)
    return finish(report, settings.output, table=report["table"], note=f"; logs in {WORKDIR}")


if __name__ == "__main__":
    sys.exit(main())
