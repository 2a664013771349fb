"""Typing: other visitors' visitor -> agent p99 while 500 visitors type, against the same figure quiet.

Run `python -m bench.typing --help` from the repository root; bench/README.md explains the output. One
Parley process as it ships (daphne through server.serve, on Redis and PostgreSQL, the default limits,
trusting one proxy so each client's X-Forwarded-For is its address). Senders are bench.abuse's victims
(their own addresses, a modest aggregate rate, a console reading them); the load is `bench.typists`: 500
visitors each sending `typing` start every 2 s (what the widget sends while someone types without pause,
the most the server relays per socket), their conversations followed by console sockets that read every
relayed frame. The typists and their consoles connect once and stay connected; quiet and typing windows
alternate (only the typing is switched) and are pooled per kind; the target is typing p99 within 1.5x of
quiet, nothing lost.
"""

import asyncio
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench.abuse import deployed, run_guarded
from bench.abuse_p99 import P99Result, P99Settings, measure_p99
from bench.common import (
    BENCH_DIR,
    add_number,
    add_output,
    add_parley_env,
    elapsed_since,
    fmt,
    loadavg,
    log,
    new_parser,
    parley_env,
    report_head,
)
from bench.fixtures import create_agents, create_visitor_tokens
from bench.procs import start_parley
from tests.processes import DemoDeployment, stop_process

OUTPUT = BENCH_DIR / "typing.json"
WORKDIR = BENCH_DIR / "work-typing"


@dataclass
class Settings:
    """The command line, resolved."""

    p99: P99Settings
    typists: int
    interval: float
    agents: int
    parley_env: dict[str, str]
    output: Path


def measure(deployment: DemoDeployment, settings: Settings, *, site_key: str, origin: str) -> P99Result:
    """Create the senders, the typists and their consoles, then alternate quiet and typing windows."""
    victims = create_visitor_tokens(deployment, site_key=site_key, count=settings.p99.victims, messages=1)
    typists = create_visitor_tokens(deployment, site_key=site_key, count=settings.typists, messages=1)
    cookie, *typists_agents = create_agents(deployment, site_key=site_key, count=1 + settings.agents)
    log(
        f"typing: {settings.p99.victims} senders at {settings.p99.rate} msg/s; {settings.typists} "
        f"typists every {settings.interval} s, followed by {settings.agents} agents"
    )
    return asyncio.run(
        measure_p99(
            url=deployment.server_url,
            site_key=site_key,
            shop_origin=origin,
            cookie=cookie,
            victim_tokens=victims,
            attacker_tokens=[],
            settings=settings.p99,
            load_module="bench.typists",
            # Hundreds of hellos and the consoles' opens, on a machine the run keeps busy.
            load_start_timeout=180.0,
            load_stays=True,
            load_orders={
                "url": deployment.server_url,
                "site_key": site_key,
                "origin": origin,
                "tokens": typists,
                "cookies": typists_agents,
                "interval": settings.interval,
            },
        )
    )


def run(settings: Settings) -> dict[str, Any]:
    """Start Redis, PostgreSQL and Parley, measure quiet and typing windows, stop all."""
    started = time.monotonic()
    load_before = loadavg()
    with deployed(WORKDIR, settings.parley_env) as (deployment, site_key, origin):
        server = start_parley(deployment, port=deployment.server_port, cpu=None)
        try:
            result = measure(deployment, settings, site_key=site_key, origin=origin)
        finally:
            stop_process(server)
    ratio = result.ratio
    return {
        **report_head(
            "typing: other visitors' p99 while 500 visitors type",
            settings=settings,
            loadavg_before=load_before,
        ),
        "quiet": result.as_json(settings.p99.target_ratio)["quiet"],
        "typing": result.as_json(settings.p99.target_ratio)["abuse"],
        "ratio": None if ratio is None else round(ratio, 2),
        "target_ratio": settings.p99.target_ratio,
        "verdict": result.verdict(settings.p99.target_ratio),
        "typists": result.attacks,
        "elapsed_seconds": elapsed_since(started),
    }


def table(report: dict[str, Any]) -> str:
    """The typing figure beside its quiet one."""
    quiet, typing = report["quiet"], report["typing"]
    ratio = "-" if report["ratio"] is None else f"{report['ratio']:.2f}x"
    lines = [
        f"{'figure':<50} {'quiet':>10} {'typing':>10} {'figure':>8} {'target':>8}  verdict",
        "-" * 100,
        f"{'p99 visitor->agent, ms':<50} {fmt(quiet['p99_ms']):>10} {fmt(typing['p99_ms']):>10} {ratio:>8} "
        f"{'<= ' + format(report['target_ratio'], 'g') + 'x':>8}  {report['verdict']}",
        f"  p50 {fmt(quiet['p50_ms'])} / {fmt(typing['p50_ms'])} ms; lost {quiet['lost']} quiet, "
        f"{typing['lost']} typing",
    ]
    for index, window in enumerate(report["typists"]):
        lines.append(
            f"  typing window {index + 1}: {window.get('typists')} typists, "
            f"{window.get('typing_sent', 0)} typing frames sent ({window.get('typing_sent_per_second')}/s), "
            f"{window.get('typing_relayed', 0)} relayed to {window.get('agent_sockets')} console sockets"
        )
    lines.append(
        "Windows alternate quiet and typing in the same run, the typists and their consoles connected "
        "through both; typing: each typist sends `typing` start every interval (the most the server relays "
        "per socket), its conversation followed by a console."
    )
    return "\n".join(lines)


def parse_args(argv: list[str] | None) -> Settings:
    """Read the command line."""
    parser = new_parser("bench.typing", __doc__)
    add_number(parser, "--victims", 40, "visitors whose latency is measured, each from its own address")
    add_number(parser, "--rate", 16, "their aggregate rate, msg/s")
    add_number(parser, "--typists", 500, "visitors typing, each from its own address")
    add_number(parser, "--interval", 2.0, "seconds between one typist's typing frames")
    add_number(parser, "--agents", 5, "agents whose console sockets follow the typists' conversations")
    add_number(parser, "--warmup", 2.0, "seconds sent before measuring a window")
    add_number(parser, "--duration", 8.0, "seconds measured in each window")
    add_number(parser, "--rounds", 2, "windows of each kind, quiet and typing alternating")
    add_number(parser, "--straggle", 3.0, "seconds to wait for late messages")
    add_number(parser, "--settle", 5.0, "at most this many seconds for a backlog to drain after a window")
    add_number(parser, "--target-ratio", 1.5, "allowed typing p99 / quiet p99")
    add_parley_env(parser)
    add_output(parser, OUTPUT)
    parser.add_argument(
        "--quick", action="store_true", help="smoke run: one round of 3 s windows, 50 typists"
    )
    args = parser.parse_args(argv)
    p99 = P99Settings(
        victims=args.victims,
        rate=args.rate,
        attackers=0,
        warmup=args.warmup,
        duration=args.duration,
        rounds=args.rounds,
        straggle=args.straggle,
        settle=args.settle,
        pause=0.0,
        in_flight=1,
        attack_max_frames=0,
        target_ratio=args.target_ratio,
    )
    settings = Settings(
        p99=p99,
        typists=args.typists,
        interval=args.interval,
        agents=args.agents,
        parley_env=parley_env(args.parley_env),
        output=args.output,
    )
    if args.quick:
        p99.rounds, p99.warmup, p99.duration = 1, 1.0, 3.0
        settings.typists = min(settings.typists, 50)
    if (
        min(p99.victims, p99.rate, p99.rounds, settings.typists, settings.agents) < 1
        or settings.interval <= 0
    ):
        parser.error("--victims, --rate, --rounds, --typists and --agents must be positive, --interval too")
    return settings


def main(argv: list[str] | None = None) -> int:
    """Measure, print the table, write the JSON; exit 0 whatever the numbers say."""
    settings = parse_args(argv)
    return run_guarded(lambda: run(settings), output=settings.output, table=table, workdir=WORKDIR)


if __name__ == "__main__":
    sys.exit(main())
