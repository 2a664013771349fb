"""Abuse: other visitors' p99 while one IP's 40 sockets push, and memory under never-reading tabs.

Run `python -m bench.abuse --help` from the repository root; bench/README.md explains the output. Both
scenarios run on one Parley process as it ships (daphne through server.serve, on Redis and PostgreSQL),
with the server's default limits, trusting one proxy (PARLEY_TRUSTED_PROXY_COUNT=1) so each client's
X-Forwarded-For is its address; each is measured beside its quiet figure of the same run.
"""

import asyncio
import shutil
import signal
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench.abuse_p99 import P99Result, P99Settings, measure_p99
from bench.abuse_tabs import TabsResult, TabsSettings, measure_tabs
from bench.clients import error_name
from bench.common import (
    BENCH_DIR,
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
from bench.fixtures import create_agents, create_visitor_tokens
from bench.procs import start_parley, stop_on_signal
from tests.processes import DemoDeployment, stop_process
from tests.services import PostgresCluster, RedisServer

OUTPUT = BENCH_DIR / "abuse.json"
WORKDIR = BENCH_DIR / "work-abuse"
SCENARIOS = ("p99", "tabs")


@dataclass
class Settings:
    """The command line, resolved."""

    scenarios: list[str]
    p99: P99Settings
    tabs: TabsSettings
    parley_env: dict[str, str]
    output: Path


def deployment_env(redis: RedisServer, postgres: PostgresCluster, extra: dict[str, str]) -> dict[str, str]:
    """Parley as docs/deploy.md runs it behind one proxy, with no limit lifted."""
    return {
        "DATABASE_URL": postgres.url,
        "REDIS_URL": redis.url,
        "DATABASE_CONN_MAX_AGE": "60",
        # Every client of the run is on loopback: the address the server counts is the forwarded one.
        "PARLEY_TRUSTED_PROXY_COUNT": "1",
        **extra,
    }


@contextmanager
def deployed(workdir: Path, extra_env: dict[str, str]) -> Iterator[tuple[DemoDeployment, str, str]]:
    """Redis, PostgreSQL and the demo deployment set up as deployment_env says, in a fresh `workdir`:
    the deployment, its site key and the shop's origin; every process stopped afterwards."""
    fresh_workdir(workdir)
    redis = RedisServer(workdir)
    postgres = PostgresCluster(workdir / "pg")
    deployment = DemoDeployment(workdir=workdir)
    try:
        redis.start()
        postgres.start()
        deployment.extra_env = deployment_env(redis, postgres, extra_env)
        site_key = deployment.set_up()
        yield deployment, site_key, f"http://localhost:{deployment.shop_port}"
    finally:
        deployment.stop_all()
        redis.kill()
        postgres.stop()
        shutil.rmtree(workdir / "pg", ignore_errors=True)


def run_guarded(
    measure: Callable[[], dict[str, Any]],
    *,
    output: Path,
    table: Callable[[dict[str, Any]], str],
    workdir: Path,
) -> int:
    """Measure with Ctrl-C and SIGTERM stopping every process, print the table, write the JSON; exit 0
    whatever the numbers say (130 when interrupted, 1 when it could not measure)."""
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, stop_on_signal)
    try:
        report = measure()
    except KeyboardInterrupt:
        log("Interrupted; every process was stopped.")
        return 130
    except Exception as error:
        log(f"The benchmark failed: {error!r}; server logs in {workdir}")
        return 1
    return finish(report, output, table=table(report), note=f"; logs in {workdir}")


def run(settings: Settings) -> dict[str, Any]:
    """Start Redis, PostgreSQL and Parley, run the scenarios (a fresh server process each), stop all."""
    started = time.monotonic()
    load_before = loadavg()
    results: dict[str, Any] = {}
    with deployed(WORKDIR, settings.parley_env) as (deployment, site_key, shop_origin):
        for scenario in settings.scenarios:
            server = start_parley(deployment, port=deployment.server_port, cpu=None)
            try:
                if scenario == "p99":
                    results["p99"] = run_p99(deployment, settings.p99, site_key=site_key, origin=shop_origin)
                else:
                    results["tabs"] = run_tabs(
                        deployment, settings.tabs, site_key=site_key, origin=shop_origin, pid=server.pid
                    )
            except Exception as error:
                # One scenario that could not measure says why, and the other still runs.
                log(f"{scenario} failed: {error_name(error)}: {error}")
                results[scenario] = {"failed": f"{error_name(error)}: {str(error)[:300]}"}
            finally:
                stop_process(server)
    report: dict[str, Any] = {
        **report_head(
            "abuse: other visitors' p99 under one IP's push, memory under never-reading tabs",
            settings=settings,
            loadavg_before=load_before,
        ),
        **results,
        "elapsed_seconds": elapsed_since(started),
    }
    return report


def run_p99(
    deployment: DemoDeployment, settings: P99Settings, *, site_key: str, origin: str
) -> dict[str, Any]:
    """The latency scenario, its visitors and console created first."""
    # Conversations already open: what is measured is not held up by the limits on starting them.
    victims = create_visitor_tokens(deployment, site_key=site_key, count=settings.victims, messages=1)
    attackers = create_visitor_tokens(deployment, site_key=site_key, count=settings.attackers)
    (cookie,) = create_agents(deployment, site_key=site_key, count=1)
    log(f"p99: {settings.victims} victims at {settings.rate} msg/s, {settings.attackers} attackers of one IP")
    result: P99Result = asyncio.run(
        measure_p99(
            url=deployment.server_url,
            site_key=site_key,
            shop_origin=origin,
            cookie=cookie,
            victim_tokens=victims,
            attacker_tokens=attackers,
            settings=settings,
        )
    )
    return result.as_json(settings.target_ratio)


def run_tabs(
    deployment: DemoDeployment, settings: TabsSettings, *, site_key: str, origin: str, pid: int
) -> dict[str, Any]:
    """The memory scenario, its visitor and flooding agents created first."""
    (token,) = create_visitor_tokens(deployment, site_key=site_key, count=1, messages=1)
    cookies = create_agents(deployment, site_key=site_key, count=settings.agents)
    log(f"tabs: {settings.tabs} never-reading tabs, flooded by the visitor and {settings.agents} agents")
    result: TabsResult = asyncio.run(
        measure_tabs(
            url=deployment.server_url,
            site_key=site_key,
            origin=origin,
            pid=pid,
            token=token,
            cookies=cookies,
            settings=settings,
        )
    )
    return result.as_json(settings)


def table(report: dict[str, Any]) -> str:
    """The two figures beside their quiet ones."""
    lines = [f"{'figure':<58} {'quiet':>12} {'abused':>12} {'figure':>10} {'target':>9}  verdict", "-" * 115]
    for scenario in SCENARIOS:
        if "failed" in report.get(scenario, {}):
            lines.append(f"{scenario} could not measure: {report[scenario]['failed']}")
    p99 = report.get("p99")
    if p99 and "failed" not in p99:
        quiet, abuse = p99["quiet"], p99["abuse"]
        ratio = "-" if p99["ratio"] is None else f"{p99['ratio']:.2f}x"
        lines.append(
            f"{'p99 visitor->agent of other visitors, ms':<58} {fmt(quiet['p99_ms']):>12} "
            f"{fmt(abuse['p99_ms']):>12} {ratio:>10} {'<= ' + format(p99['target_ratio'], 'g') + 'x':>9}  "
            f"{p99['verdict']}"
        )
        attack = p99["attack"]
        lines.append(
            f"  victims lost {quiet['lost']} quiet, {abuse['lost']} attacked; p50 {fmt(quiet['p50_ms'])} / "
            f"{fmt(abuse['p50_ms'])} ms. Attackers: {attack['acked']} stored "
            f"({attack['acked_per_second']}/s), {attack['rate_limited']} rate_limited (retry_after max "
            f"{attack['retry_after_max']}), refused {attack['refused']}, closed {attack['closed']}"
        )
    tabs = report.get("tabs")
    if tabs and "failed" not in tabs:
        lines.append(
            f"{'server RSS with never-reading tabs flooded, MiB':<58} {tabs['quiet_rss_kib'] / 1024:>12.1f} "
            f"{tabs['peak_rss_kib'] / 1024:>12.1f} {'+' + format(tabs['growth_mib'], '.1f'):>10} "
            f"{'<= ' + format(tabs['target_mib'], 'g'):>9}  {tabs['verdict']}"
        )
        flood = tabs["flood"]
        lines.append(
            f"  tabs opened {tabs['tabs_opened']}, after the flood {tabs['tabs_after']}. Flood: "
            f"{flood['acked']} stored in {flood['seconds']} s ({flood['acked_per_second']}/s, "
            f"{flood['frame_bytes']} B frames, {flood['fanned_out_mib']} MiB owed to the tabs), "
            f"{flood['rate_limited']} rate_limited, closed {flood['closed']}"
        )
    lines.append(
        "Each figure beside its quiet one of the same run. p99: visitors each from an address of their own, "
        "attacked by one address's sockets pushing as fast as allowed; target: attacked p99 <= 2x quiet, "
        "nothing lost. Memory: peak RSS (sampled every 100 ms) minus the settled quiet RSS with every socket "
        "open; target: growth <= 50 MiB with every tab open."
    )
    return "\n".join(lines)


def parse_args(argv: list[str] | None) -> Settings:
    """Read the command line."""
    parser = new_parser("bench.abuse", __doc__)
    parser.add_argument(
        "--scenario", action="append", choices=[*SCENARIOS], help="p99 or tabs, repeatable (default both)"
    )
    add_number(parser, "--victims", 40, "visitors whose latency is measured, each from its own address")
    add_number(parser, "--rate", 16, "the victims' aggregate rate, msg/s")
    add_number(parser, "--attackers", 40, "attacking sockets (a visitor each), all from one address")
    add_number(parser, "--warmup", 2.0, "seconds sent before measuring a window")
    add_number(parser, "--duration", 8.0, "seconds measured in each window")
    add_number(parser, "--rounds", 2, "windows of each kind, quiet and attacked alternating")
    add_number(parser, "--straggle", 3.0, "seconds to wait for late messages")
    add_number(parser, "--settle", 5.0, "at most this many seconds for a backlog to drain after a window")
    add_number(parser, "--pause", 0.2, "seconds a pusher waits after rate_limited without retry_after")
    add_number(parser, "--in-flight", 4, "messages a pusher keeps unanswered at most")
    add_number(parser, "--attack-max-frames", 5000, "messages one attacker sends in a window at most")
    add_number(parser, "--target-ratio", 2.0, "allowed attacked p99 / quiet p99")
    add_number(parser, "--tabs", 20, "tabs of the visitor that never read")
    add_number(parser, "--agents", 4, "agents' console sockets flooding the visitor's conversation")
    add_number(parser, "--seconds", 30.0, "seconds of flood")
    add_number(parser, "--body-chars", 4000, "characters of each flood message (PARLEY_MESSAGE_MAX_LENGTH)")
    add_number(parser, "--receive-buffer", 4096, "SO_RCVBUF of each tab, bytes")
    add_number(parser, "--flood-max-frames", 20000, "messages one flooding socket sends at most")
    add_number(parser, "--target-mib", 50.0, "allowed RSS growth, MiB")
    add_parley_env(parser)
    add_output(parser, OUTPUT)
    parser.add_argument(
        "--quick", action="store_true", help="smoke run: one round of 3 s windows, 5 s of flood, 4 tabs"
    )
    args = parser.parse_args(argv)
    settings = Settings(
        scenarios=list(dict.fromkeys(args.scenario or SCENARIOS)),
        p99=P99Settings(
            victims=args.victims,
            rate=args.rate,
            attackers=args.attackers,
            warmup=args.warmup,
            duration=args.duration,
            rounds=args.rounds,
            straggle=args.straggle,
            settle=args.settle,
            pause=args.pause,
            in_flight=args.in_flight,
            attack_max_frames=args.attack_max_frames,
            target_ratio=args.target_ratio,
        ),
        tabs=TabsSettings(
            tabs=args.tabs,
            agents=args.agents,
            seconds=args.seconds,
            body_chars=args.body_chars,
            receive_buffer=args.receive_buffer,
            sample_interval=0.1,
            pause=args.pause,
            in_flight=args.in_flight,
            max_frames=args.flood_max_frames,
            target_mib=args.target_mib,
        ),
        parley_env=parley_env(args.parley_env),
        output=args.output,
    )
    if args.quick:
        settings.p99.rounds, settings.p99.warmup, settings.p99.duration = 1, 1.0, 3.0
        settings.tabs.tabs, settings.tabs.seconds = min(args.tabs, 4), 5.0
    if min(settings.p99.victims, settings.p99.rate, settings.p99.attackers, settings.p99.rounds) < 1:
        parser.error("--victims, --rate, --attackers and --rounds must be positive")
    if min(settings.tabs.tabs, settings.tabs.agents) < 0 or settings.tabs.seconds <= 0:
        parser.error("--tabs and --agents cannot be negative, --seconds must be positive")
    return settings


def main(argv: list[str] | None = None) -> int:
    """Run the scenarios, print the table, write the JSON; exit 0 whatever the numbers say."""
    settings = parse_args(argv)
    return run_guarded(lambda: run(settings), output=settings.output, table=table, workdir=WORKDIR)


if __name__ == "__main__":
    sys.exit(main())
