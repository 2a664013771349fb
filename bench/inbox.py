"""The inbox on a big PostgreSQL database: server time of its views, counts and search, and what the
size costs a visitor's message.

Seeds 100,000 conversations and 1,000,000 messages (bench/inbox_seed.py), then measures inside a Django
process the p95 of each inbox view's first page, the counts and searches (bench/inbox_timing.py;
targets: views 50 ms, search 100 ms), and visitor→agent p99 at 200 msg/s on one process, on the seeded
database against the same run on an empty one (bench.latency's fixed-rate windows; target 1.2x).
Run `python -m bench.inbox --help` from the repository root.
"""

import json
import signal
import time
from dataclasses import asdict
from typing import Any

from bench import latency
from bench.common import (
    BENCH_DIR,
    add_number,
    add_output,
    elapsed_since,
    finish,
    fmt,
    log,
    new_parser,
    report_head,
)
from bench.fixtures import django_shell
from bench.inbox_seed import seed
from bench.latency_topology import Deployment, Settings
from bench.latency_windows import Row
from bench.procs import stop_on_signal

OUTPUT = BENCH_DIR / "inbox.json"
VIEW_TARGET_MS = 50.0
SEARCH_TARGET_MS = 100.0
SEEDED_RATIO_TARGET = 1.2

IDS = """
from django.contrib.auth.models import User
from server.sites.models import Site
from server.sites.services import do_add_site_member
site = Site.objects.get(public_key={key!r})
colleague = User.objects.create_user(username="colleague", password="bench-colleague-1")
do_add_site_member(site=site, user=colleague)
print(site.pk, User.objects.get(username={username!r}).pk, colleague.pk)
"""


def seeded(results: dict[str, Any], *, conversations: int, messages: int, repeats: int) -> Any:
    """The `prepare` of bench.latency.run: seed the demo site, then time the inbox's reads."""

    def prepare(deployment: Deployment) -> None:
        username = deployment.parley.username
        code = IDS.format(key=deployment.site_key, username=username)
        site_id, agent_id, colleague_id = (
            int(part) for part in django_shell(deployment.parley, code)[-1].split()
        )
        results["seed_seconds"] = round(
            seed(
                url=deployment.postgres.url,
                site_id=site_id,
                agent_id=agent_id,
                colleague_id=colleague_id,
                conversations=conversations,
                messages=messages,
            ),
            1,
        )
        log(f"seeded in {results['seed_seconds']} s; timing the inbox's reads")
        timing = f"from bench.inbox_timing import main; main(username={username!r}, repeats={repeats})"
        results["reads"] = json.loads(django_shell(deployment.parley, timing)[-1])

    return prepare


def fixed_rate_p99(rows: list[Row], rate: int) -> float | None:
    """Parley's pooled p99 at the fixed rate."""
    return next((row.parley.p99_ms for row in rows if row.rate == rate), None)


def table(results: dict[str, Any]) -> str:
    """The figures against their targets."""
    lines = [f"{'read':<44} {'p50 ms':>8} {'p95 ms':>8}  target", "-" * 72]
    for name, figures in results["reads"].items():
        target = SEARCH_TARGET_MS if name.startswith("search") else VIEW_TARGET_MS
        verdict = "ok" if (figures["p95_ms"] or 0) <= target else "OVER"
        lines.append(
            f"{name:<44} {fmt(figures['p50_ms'], 2):>8} {fmt(figures['p95_ms'], 2):>8}  {target:g} {verdict}"
        )
    empty, full = results["p99_empty_ms"], results["p99_seeded_ms"]
    ratio = full / empty if empty and full else None
    lines += [
        "",
        f"visitor→agent p99 at {results['rate']} msg/s, one process: empty {fmt(empty)} ms, seeded "
        f"{fmt(full)} ms, ratio {'-' if ratio is None else f'{ratio:.2f}x'} (target {SEEDED_RATIO_TARGET}x)",
        f"Seeded {results['conversations']} conversations, {results['conversations'] * results['messages']} "
        f"messages in {results['seed_seconds']} s.",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Measure, print the table, write the JSON; exit 0 whatever the numbers say."""
    parser = new_parser("bench.inbox", __doc__)
    add_number(parser, "--conversations", 100_000, "conversations seeded")
    add_number(parser, "--messages", 10, "messages in each seeded conversation")
    add_number(parser, "--repeats", 40, "times each read is timed")
    add_number(parser, "--rate", 200, "visitor→agent fixed rate, msg/s")
    add_number(parser, "--rooms", 50, "rooms of one visitor and one agent")
    add_number(parser, "--rounds", 3, "windows each system gets at the fixed rate")
    add_number(parser, "--duration", 8.0, "seconds measured in each window")
    add_output(parser, OUTPUT)
    parser.add_argument("--quick", action="store_true", help="smoke run: 2,000 conversations, short windows")
    args = parser.parse_args(argv)
    if args.quick:
        args.conversations, args.repeats, args.rounds, args.duration = 2_000, 5, 1, 3.0
    settings = Settings(
        topologies=["1-inmemory"],
        rooms=args.rooms,
        rate=args.rate,
        steps=[],
        warmup=2.0,
        duration=args.duration,
        rounds=args.rounds,
        straggle=3.0,
        settle=20.0,
        p99_limit_ms=50.0,
        budget_ratio=1.5,
        agent_sockets=1,
        time_limit=600.0,
        output=args.output,
    )
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, stop_on_signal)
    started = time.monotonic()
    results: dict[str, Any] = {
        "conversations": args.conversations,
        "messages": args.messages,
        "rate": args.rate,
    }
    try:
        log("visitor→agent on an empty database")
        empty_rows, _, _ = latency.run(settings)
        log("seeding, timing the inbox, then visitor→agent on the seeded database")
        prepare = seeded(
            results, conversations=args.conversations, messages=args.messages, repeats=args.repeats
        )
        seeded_rows, _, _ = latency.run(settings, prepare=prepare)
    except KeyboardInterrupt:
        log("Interrupted; every process was stopped.")
        return 130
    except Exception as error:
        log(f"The benchmark failed: {error!r}")
        log(latency.server_errors())
        return 1
    results["p99_empty_ms"] = fixed_rate_p99(empty_rows, args.rate)
    results["p99_seeded_ms"] = fixed_rate_p99(seeded_rows, args.rate)
    report = {
        **report_head("inbox", settings=settings),
        **results,
        "latency_rows": {
            "empty": [asdict(row) for row in empty_rows],
            "seeded": [asdict(row) for row in seeded_rows],
        },
        "elapsed_seconds": elapsed_since(started),
    }
    return finish(report, args.output, table=table(results))


if __name__ == "__main__":
    raise SystemExit(main())
