"""All benchmarks in one table against the issue's targets, and their curves as SVG charts.

Run `python -m bench.report` from the repository root after `make bench` (or any of its benchmarks). It
reads whichever of build/bench/{widget_weight,host_page,capacity,fanout,latency,abuse}.json exist, prints one
table, writes build/bench/summary.json and draws docs/images/bench-{latency,memory,handshakes}.svg.
It measures nothing: verdicts are the benchmarks' own.
"""

import json
import sys
from dataclasses import asdict, fields
from pathlib import Path
from typing import Any

from bench.common import BENCH_DIR, new_parser
from bench.latency_windows import LAYER_NAMES, Measurement, topology_name
from bench.report_abuse import abuse_rows
from bench.report_charts import TIMES as TIMES  # tests/bench use it from here
from bench.report_charts import draw, latency_topologies, latest_by_rate, processes_of
from bench.report_rows import (
    DASH,
    EN_DASH,
    MET,
    MISSED,
    NO_TARGET,
    UNDECIDED,
    ms,
    ratio_text,
    status,
    target_text,
)
from bench.report_rows import Row as Row  # tests/bench use it from here
from tests.processes import REPO

IMAGES_DIR = REPO / "docs" / "images"
BENCHMARKS = ("widget_weight", "host_page", "capacity", "fanout", "latency", "abuse")
# The socket counts the issue sets memory targets for; a run at other counts (--quick) leaves them not run.
MEMORY_LEVELS = (1000, 5000)
FANOUT_MODES = ("1 process, in-memory", "2 processes, redis-pubsub")
# The target that no benchmark's JSON carries: Parley's highest sustained rate against the relay's.
RATE_TARGET = 0.7


def load(directory: Path) -> dict[str, dict[str, Any] | None]:
    """Each benchmark's JSON, or None where it has not been run."""
    results: dict[str, dict[str, Any] | None] = {}
    for name in BENCHMARKS:
        path = directory / f"{name}.json"
        results[name] = json.loads(path.read_text()) if path.exists() else None
    return results


# --- Rows, one builder per benchmark ------------------------------------------------------------------


def widget_rows(report: dict[str, Any] | None) -> list[Row]:
    """The loader's and the whole widget's gzip size against their budgets, and as served."""
    figures = {
        "widget.js": "Widget before the panel opens (gzip -9)",
        "total": "Whole widget, loader + panel (gzip -9)",
    }
    served_figure = f"  as served ({report['samples'] if report else 'a few'} fetches)"
    if report is None:
        return [
            Row(figure, benchmark="widget_weight")
            for name in figures
            for figure in (figures[name], served_figure)
        ]
    measured = {row["name"]: row for row in report["rows"]}
    # Peers' published sizes (not measured) are the whole widget's baseline, as in docs/performance.md.
    peers = ", ".join(
        f"{peer['name']} {peer['published'].removesuffix(' compressed')}"
        for peer in report.get("peers", [])[:2]
    )
    rows: list[Row] = []
    for name, figure in figures.items():
        weight = measured.get(name)
        if weight is None:
            rows += [Row(figure, benchmark="widget_weight"), Row(served_figure, benchmark="widget_weight")]
            continue
        baseline = f"{peers} (published)" if name == "total" and peers else DASH
        target = f"≤ {weight['budget_gzip']:,} B" if weight.get("budget_gzip") else ""
        served = f"{weight['served_min']:,}{EN_DASH}{weight['served_max']:,} B"
        rows += [
            Row(
                figure,
                f"{weight['gzip9']:,} B",
                baseline,
                "",
                target,
                status(weight["verdict"]),
                "widget_weight",
            ),
            Row(served_figure, served, DASH, "", target, status(weight["served_verdict"]), "widget_weight"),
        ]
    console = report.get("console")
    if console is not None:
        rows.append(
            Row(
                "Agent console bundle (gzip -9)",
                f"{console['gzip9']:,} B",
                DASH,
                "",
                f"≤ {console['budget_gzip']:,} B",
                status(console["verdict"]),
                "widget_weight",
            )
        )
    return rows


def host_page_rows(report: dict[str, Any] | None) -> list[Row]:
    """When the launcher shows, for a first-time and a returning visitor, and what the widget adds to the
    host page's main-thread blocking."""
    # (figure, scenario in the JSON, figure key, verdict key or None for a figure without a target)
    launcher_figures = (
        (
            "Launcher visible after the script tag's load event",
            "widget",
            "launcher_after_script_load_ms",
            "launcher_visible",
        ),
        ("  after widget.js arrived", "widget", "launcher_after_widget_js_ms", None),
        ("  after the page's first paint", "widget", "launcher_after_first_paint_ms", None),
        (
            "  returning visitor (cached config), after the load event",
            "returning",
            "launcher_after_script_load_ms",
            "launcher_visible_returning",
        ),
        (
            "  returning visitor (cached config), after widget.js arrived",
            "returning",
            "launcher_after_widget_js_ms",
            None,
        ),
    )
    blocking_figure = "Added main-thread blocking time"
    # A host_page.json from before the target was counted from the load event judged other figures.
    if report is None or "launcher_after_script_load_ms" not in report["targets"]:
        return [Row(figure, benchmark="host_page") for figure, *_ in launcher_figures] + [
            Row(blocking_figure, benchmark="host_page")
        ]
    medians = report["medians"]
    widget, base = medians["widget"], medians["baseline"]
    targets, verdicts = report["targets"], report["verdicts"]
    runs = f"median of {report['runs']}"

    def whole_ms(value: float | None) -> str:
        return DASH if value is None else f"{value:.0f} ms"

    launcher_target = f"≤ {targets['launcher_after_script_load_ms']} ms"
    rows = [
        # A host_page.json from before the returning visitor was measured has no such scenario: not run.
        Row(figure, benchmark="host_page")
        if scenario not in medians
        else Row(
            figure,
            f"{whole_ms(medians[scenario].get(key))} ({runs})",
            DASH,
            "",
            launcher_target if verdict else "",
            status(verdicts.get(verdict)) if verdict else NO_TARGET,
            "host_page",
        )
        for figure, scenario, key, verdict in launcher_figures
    ]
    rows.append(
        Row(
            blocking_figure,
            whole_ms(widget.get("blocking_ms")),
            f"{whole_ms(base.get('blocking_ms'))} (same page without the widget)",
            "",
            f"< {targets['added_blocking_ms']} ms added",
            status(verdicts.get("added_blocking")),
            "host_page",
        )
    )
    return rows


def capacity_rows(report: dict[str, Any] | None) -> list[Row]:
    """Memory per idle socket at each socket count, sockets held, and handshakes per second."""
    systems: dict[str, Any] = report["systems"] if report else {}
    measured_levels: list[int] = report["settings"]["levels"] if report else []
    # The benchmark's own rows hold its ratios and verdicts; its figure text is how they are found.
    verdict_rows = {row["figure"]: row for row in report["rows"]} if report else {}

    def level(system: str, sockets: int) -> dict[str, Any] | None:
        levels = systems.get(system, {}).get("levels", [])
        return next((entry for entry in levels if entry["sockets"] == sockets), None)

    def handshakes(system: str, label: str) -> dict[str, Any] | None:
        runs = systems.get(system, {}).get("handshakes", [])
        return next((run for run in runs if run["label"] == label), None)

    def kib(entry: dict[str, Any] | None) -> str:
        return DASH if entry is None or entry["per_socket_kib"] is None else f"{entry['per_socket_kib']:.1f}"

    rows: list[Row] = []
    for sockets in sorted({*MEMORY_LEVELS, *measured_levels}):
        figure = f"Memory per idle visitor socket, N = {sockets:,}"
        verdict_row = verdict_rows.get(f"KiB per idle socket, N={sockets:,}")
        parley = level("parley", sockets)
        if verdict_row is None or parley is None:
            rows.append(Row(figure, benchmark="capacity"))
            continue
        rows.append(
            Row(
                figure,
                f"{kib(parley)} KiB",
                f"{kib(level('relay', sockets))} KiB (bare consumer), "
                f"{kib(level('plain', sockets))} (websockets)",
                ratio_text(verdict_row["ratio"]),
                target_text(verdict_row["target"]),
                status(verdict_row["verdict"]),
                "capacity",
            )
        )
    top = max(measured_levels, default=max(MEMORY_LEVELS))
    open_row = next((row for name, row in verdict_rows.items() if name.startswith("sockets open of")), None)
    parley_top = level("parley", top)
    if open_row is None or parley_top is None:
        rows.append(Row(f"Sockets open on one process (of {top:,})", benchmark="capacity"))
    else:

        def opened(system: str) -> str:
            entry = level(system, top)
            return DASH if entry is None else f"{entry['opened']:,}"

        rows.append(
            Row(
                f"Sockets open on one process (of {top:,})",
                f"{parley_top['opened']:,} of {top:,}",
                f"{opened('relay')} (bare consumer), {opened('plain')} (websockets)",
                "",
                open_row["target"],
                status(open_row["verdict"]),
                "capacity",
            )
        )
    history = (report or {}).get("settings", {}).get("history_messages", 3)
    for label, figure in (
        ("fresh visitor", "Handshakes/s, new visitor"),
        ("returning visitor", f"Handshakes/s, returning visitor ({history} messages of history)"),
    ):
        verdict_row = next(
            (row for name, row in verdict_rows.items() if name.startswith(f"handshakes/s ({label}")), None
        )
        parley_run = handshakes("parley", label)
        if verdict_row is None or parley_run is None:
            rows.append(Row(figure, benchmark="capacity"))
            continue
        relay_run, plain_run = handshakes("relay", "connect"), handshakes("plain", "connect")
        p50 = parley_run["p50_ms"]
        rows.append(
            Row(
                figure,
                f"{parley_run['rate']:,.0f}/s" + ("" if p50 is None else f" (p50 {p50:.0f} ms)"),
                f"{relay_run['rate'] if relay_run else 0:,.0f}/s (bare consumer), "
                f"{plain_run['rate'] if plain_run else 0:,.0f}/s (websockets)",
                ratio_text(verdict_row["ratio"]),
                target_text(verdict_row["target"]),
                status(verdict_row["verdict"]),
                "capacity",
            )
        )
    return rows


def sustained(entry: dict[str, Any], p99_limit_ms: float) -> bool:
    """bench.latency's own test of a sustained rate, applied to a measurement from its JSON."""
    known = {field.name for field in fields(Measurement)}
    values = {key: value for key, value in entry.items() if key in known} | {"processes": processes_of(entry)}
    return Measurement(**values).sustained(p99_limit_ms)


def rate_bounds(by_rate: dict[int, dict[str, Any]], p99_limit_ms: float) -> tuple[int | None, int | None]:
    """The highest rate sustained, and the lowest rate above it that was not."""
    passed = [rate for rate, entry in by_rate.items() if sustained(entry, p99_limit_ms)]
    highest = max(passed, default=None)
    failed = [rate for rate in by_rate if rate not in passed and (highest is None or rate > highest)]
    return highest, min(failed, default=None)


def bounds_text(low: int | None, high: int | None) -> str:
    """'≥ 200, < 2,000 msg/s' and the like."""
    if low is None and high is None:
        return DASH
    if low is None:
        return f"< {high:,} msg/s"
    if high is None:
        return f"≥ {low:,} msg/s"
    return f"≥ {low:,}, < {high:,} msg/s"


def rate_status(parley: tuple[int | None, int | None], relay: tuple[int | None, int | None]) -> str:
    """Met or missed only when the rates measured settle it; otherwise undecided."""
    # Each true highest rate lies in [low, high): met needs Parley's low to reach the target share of the
    # relay's high, missed needs Parley's high to fall to that share of the relay's low.
    parley_low, parley_high = parley
    relay_low, relay_high = relay
    if relay_high is not None and parley_low is not None and parley_low >= RATE_TARGET * relay_high:
        return MET
    if relay_low is not None and parley_high is not None and parley_high <= RATE_TARGET * relay_low:
        return MISSED
    return UNDECIDED


def latency_rows(report: dict[str, Any] | None) -> list[Row]:
    """Per topology: p99 at the fixed rate against the relay's, and the highest rate each sustained."""
    settings: dict[str, Any] = (report or {}).get("settings", {})
    rate = settings.get("rate", 200)
    budget = settings.get("budget_ratio", 1.5)
    p99_limit = settings.get("p99_limit_ms", 50.0)
    rows: list[Row] = []
    for processes, layer in latency_topologies(report):
        topology = topology_name(processes, layer)
        figure = f"p99 visitor→agent at {rate:,} msg/s, {topology}"
        fixed = next(
            (
                row
                for row in (report or {}).get("rows", [])
                if "fixed" in row["kind"]
                and row["layer"] == layer
                and processes_of({"layer": layer, **row["parley"], **row}) == processes
            ),
            None,
        )
        if fixed is None:
            rows.append(Row(figure, benchmark="latency"))
        else:
            parley, relay = fixed["parley"], fixed["relay"]
            lost = f", {parley['lost']:,} lost" if parley["lost"] else ""
            relay_lost = f", {relay['lost']:,} lost" if relay["lost"] else ""
            rows.append(
                Row(
                    figure,
                    f"{ms(parley['p99_ms'])} (p50 {ms(parley['p50_ms'], unit=False)}{lost})",
                    f"{ms(relay['p99_ms'])} (bare relay, p50 {ms(relay['p50_ms'], unit=False)}{relay_lost})",
                    ratio_text(fixed["p99_ratio"]),
                    f"≤ {budget:g}{TIMES} relay, none lost",
                    status(fixed["verdict"]),
                    "latency",
                )
            )
        mine = [
            entry
            for entry in (report or {}).get("measurements", [])
            if entry["layer"] == layer and processes_of(entry) == processes
        ]
        figure = f"Highest sustained rate, {topology}"
        parley_bounds = rate_bounds(latest_by_rate(e for e in mine if e["system"] == "parley"), p99_limit)
        relay_bounds = rate_bounds(latest_by_rate(e for e in mine if e["system"] == "relay"), p99_limit)
        if not mine or parley_bounds == (None, None) or relay_bounds == (None, None):
            rows.append(Row(figure, benchmark="latency"))
            continue
        share = (
            parley_bounds[0] / relay_bounds[0]
            if parley_bounds[0] is not None and relay_bounds[0] is not None
            else None
        )
        rows.append(
            Row(
                figure,
                bounds_text(*parley_bounds),
                f"{bounds_text(*relay_bounds)} (bare relay)",
                ratio_text(share),
                f"≥ {RATE_TARGET:g}{TIMES} relay",
                rate_status(parley_bounds, relay_bounds),
                "latency",
            )
        )
    return rows


def mode_name(mode: str) -> str:
    """A fan-out topology ("2 processes, redis-pubsub") named as the latency rows name theirs."""
    count, _, layer = mode.partition(", ")
    return f"{count}, {LAYER_NAMES.get(layer, layer)}"


def fanout_rows(report: dict[str, Any] | None) -> list[Row]:
    """Until the last agent has a new conversation, p99, per topology, against the bare relay."""
    runs: list[dict[str, Any]] = (report or {}).get("runs", [])
    modes = list(dict.fromkeys([*FANOUT_MODES, *(run["mode"] for run in runs)]))
    agents = (report or {}).get("settings", {}).get("agents", 50)
    rows: list[Row] = []
    for mode in modes:
        figure = f"Fan-out, last of {agents} agents, p99, {mode_name(mode)}"
        parley = next((run for run in runs if run["mode"] == mode and run["system"] == "Parley"), None)
        relay = next((run for run in runs if run["mode"] == mode and run["system"] != "Parley"), None)
        if parley is None or parley["last_p99_ms"] is None:
            rows.append(Row(figure, benchmark="fanout"))
            continue
        missing = parley["missing_notifications"]
        relay_p99 = relay["last_p99_ms"] if relay else None
        rows.append(
            Row(
                figure,
                ms(parley["last_p99_ms"]) + (f", {missing:,} missing" if missing else ""),
                f"{ms(relay_p99)} (bare relay, one group)",
                ratio_text(parley["last_p99_ms"] / relay_p99 if relay_p99 else None),
                "",
                NO_TARGET,
                "fanout",
            )
        )
    return rows


def all_rows(results: dict[str, dict[str, Any] | None]) -> list[Row]:
    """Every figure of the issue's targets, in the order docs/performance.md lists them."""
    return [
        *widget_rows(results["widget_weight"]),
        *host_page_rows(results["host_page"]),
        *capacity_rows(results["capacity"]),
        *latency_rows(results["latency"]),
        *fanout_rows(results["fanout"]),
        *abuse_rows(results["abuse"]),
    ]


def table(rows: list[Row], results: dict[str, dict[str, Any] | None]) -> str:
    """The rows as a plain-text table, with where each figure came from."""
    titles = ("figure", "Parley", "baseline", "ratio", "target", "verdict")
    cells = [(row.figure, row.parley, row.baseline, row.ratio, row.target, row.status) for row in rows]
    widths = [max(len(cell[column]) for cell in [titles, *cells]) for column in range(len(titles))]
    right_aligned = {3}

    def line(cell: tuple[str, ...]) -> str:
        return "  ".join(
            value.rjust(width) if column in right_aligned else value.ljust(width)
            for column, (value, width) in enumerate(zip(cell, widths, strict=True))
        ).rstrip()

    lines = [line(titles), "-" * len(line(titles)), *(line(cell) for cell in cells)]
    sources = ", ".join(
        f"{name}.json {report.get('generated_at', '?')}" if report else f"{name}.json not found"
        for name, report in results.items()
    )
    lines += [
        f"From build/bench: {sources}.",
        "met/missed are each benchmark's own PASS/MISS; ratios are Parley over the named baseline. Highest "
        "sustained rate: p99 under the step limit, nothing lost, the pace kept (bench.latency); undecided "
        "when the rates measured cannot tell whether Parley reaches the target share of the relay's.",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Print the table, write summary.json and the charts."""
    parser = new_parser("bench.report", __doc__)
    parser.add_argument("--input", type=Path, default=BENCH_DIR, help=f"benchmark JSON (default {BENCH_DIR})")
    parser.add_argument("--images", type=Path, default=IMAGES_DIR, help=f"charts (default {IMAGES_DIR})")
    args = parser.parse_args(argv)
    results = load(args.input)
    rows = all_rows(results)
    print(table(rows, results))
    summary = {
        "sources": {name: report.get("generated_at") if report else None for name, report in results.items()},
        "rows": [asdict(row) for row in rows],
    }
    args.input.mkdir(parents=True, exist_ok=True)
    (args.input / "summary.json").write_text(json.dumps(summary, indent=2, ensure_ascii=False) + "\n")
    drawn = draw(results, args.images)
    print(
        f"Wrote {args.input / 'summary.json'}"
        + (f" and {', '.join(str(path) for path in drawn)}" if drawn else "; no charts (no data)"),
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
