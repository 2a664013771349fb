"""The charts bench.report draws from the benchmarks' JSON (plain SVG by bench/charts.py), and the reading
of latency.json's measurements that its rows share."""

from collections.abc import Iterable
from pathlib import Path
from typing import Any

from bench import charts
from bench.latency_windows import topology_name

# Latency topologies the issue asks for, as (processes, layer).
TOPOLOGIES = ((1, "inmemory"), (2, "redis-pubsub"), (2, "redis"))
# Drawn on the handshake chart; capacity.json holds that verdict.
HANDSHAKE_TARGET = 0.7
SYSTEM_NAMES = {"parley": "Parley", "relay": "bare Channels consumer", "plain": "plain websockets"}
# One colour per system in the memory and handshake charts.
SYSTEM_COLOURS = {"parley": charts.PALETTE[0], "relay": charts.PALETTE[1], "plain": charts.PALETTE[2]}
# Spelled out: ruff rightly flags the bare character as a look-alike of x.
TIMES = "\N{MULTIPLICATION SIGN}"


def processes_of(entry: dict[str, Any]) -> int:
    """How many processes a latency measurement spanned (absent: two, as bench.latency has always run)."""
    # An in-memory layer cannot span processes, whatever an older file left out.
    return int(entry.get("processes") or (1 if entry.get("layer") == "inmemory" else 2))


def latency_topologies(report: dict[str, Any] | None) -> list[tuple[int, str]]:
    """The issue's topologies, then any other the run measured, in a stable order."""
    seen = {(processes_of(entry), entry["layer"]) for entry in (report or {}).get("measurements", [])}
    return [*TOPOLOGIES, *sorted(seen - set(TOPOLOGIES))]


def latest_by_rate(measurements: Iterable[dict[str, Any]]) -> dict[int, dict[str, Any]]:
    """One measurement per rate: the last, which is the one bench.latency kept when it measured twice."""
    chosen: dict[int, dict[str, Any]] = {}
    for entry in measurements:
        chosen[int(entry["rate"])] = entry
    return dict(sorted(chosen.items()))


def date_of(report: dict[str, Any]) -> str:
    """The day a benchmark ran, for a chart's subtitle."""
    return str(report.get("generated_at", ""))[:10]


def latency_chart(report: dict[str, Any]) -> str:
    """p99 (log) against offered rate: one line per system and topology, the step limit drawn across."""
    settings = report.get("settings", {})
    p99_limit = float(settings.get("p99_limit_ms", 50.0))
    series: list[charts.Series] = []
    described: list[str] = []
    for position, (processes, layer) in enumerate(latency_topologies(report)):
        topology = topology_name(processes, layer)
        for system, name, dash in (
            ("parley", "Parley", charts.SOLID),
            ("relay", "bare relay", charts.DASHED),
        ):
            by_rate = latest_by_rate(
                entry
                for entry in report.get("measurements", [])
                if entry["system"] == system and entry["layer"] == layer and processes_of(entry) == processes
            )
            points = [
                charts.Point(rate, entry["p99_ms"], failed=bool(entry["lost"]))
                for rate, entry in by_rate.items()
                if entry["p99_ms"] is not None
            ]
            if not points:
                continue
            series.append(
                charts.Series(
                    f"{name}, {topology}",
                    points,
                    colour=charts.PAIRS[position % len(charts.PAIRS)][system == "relay"],
                    marker=charts.MARKERS[position % len(charts.MARKERS)],
                    dash=dash,
                )
            )
            described.append(
                f"{name}, {topology}: "
                + ", ".join(f"{point.y:g} ms at {point.x:g} msg/s" for point in points)
                + "."
            )
    rooms = settings.get("rooms")
    duration = settings.get("duration")
    rounds = settings.get("rounds") or 1
    rate = settings.get("rate")
    pooled = f" (the {rate} msg/s point: {rounds} windows)" if duration and rounds > 1 and rate else ""
    subtitle = ", ".join(
        part
        for part in (
            f"{rooms} rooms" if rooms else "",
            f"{duration:g} s measured per point{pooled}" if duration else "",
            date_of(report),
        )
        if part
    )
    return charts.line_chart(
        title="Visitor → agent p99 latency against message rate",
        subtitle=subtitle,
        description="p99 latency in milliseconds (log scale) against offered messages per second, Parley "
        f"(solid) and a bare Channels relay (dashed); hollow points lost messages. {' '.join(described)}",
        x_axis=charts.Axis("offered rate (messages/s)"),
        y_axis=charts.Axis("p99 latency (ms, log scale)", log=True),
        series=series,
        reference=charts.Reference(p99_limit, f"{p99_limit:g} ms"),
        failed_label="messages lost",
    )


def memory_curve(system: dict[str, Any]) -> list[tuple[int, int]]:
    """(open sockets, RSS KiB) from zero up: the sampled curve, or the levels alone for older files."""
    if system.get("curve"):
        return [(int(point["sockets"]), int(point["rss_kib"])) for point in system["curve"]]
    levels = [(level["opened"], level["rss_kib"]) for level in system["levels"]]
    return [(0, system["rss_before_kib"]), *levels]


def memory_chart(report: dict[str, Any]) -> str:
    """RSS growth against open idle sockets for Parley, the bare consumer and plain websockets."""
    series: list[charts.Series] = []
    described: list[str] = []
    for position, (key, name) in enumerate(SYSTEM_NAMES.items()):
        system = report["systems"].get(key)
        if not system:
            continue
        failed_at = {level["opened"] for level in system["levels"] if level["failed"]}
        before = system["rss_before_kib"]
        points = [
            charts.Point(sockets, (rss - before) / 1024, failed=sockets in failed_at)
            for sockets, rss in memory_curve(system)
        ]
        top = max(system["levels"], key=lambda level: level["sockets"], default=None)
        per_socket = (
            f" ({top['per_socket_kib']:.1f} KiB/socket at {top['sockets']:,})"
            if top and top["per_socket_kib"] is not None
            else ""
        )
        series.append(
            charts.Series(
                name + per_socket,
                points,
                colour=SYSTEM_COLOURS[key],
                marker=charts.MARKERS[position],
                dash=charts.DASHES[position],
            )
        )
        described.append(
            f"{name}: " + ", ".join(f"{point.y:.1f} MiB at {point.x:,.0f}" for point in points) + "."
        )
    return charts.line_chart(
        title="Server memory against open idle sockets",
        subtitle=f"one daphne process each, in-memory channel layer, {date_of(report)}",
        description="Growth of the server process's resident memory in MiB over the idle process, against "
        f"idle WebSocket connections held open. {' '.join(described)}",
        x_axis=charts.Axis("idle sockets open"),
        y_axis=charts.Axis("RSS growth (MiB)"),
        series=series,
        failed_label="some sockets failed to open",
    )


def handshakes_chart(report: dict[str, Any]) -> str:
    """Handshakes per second: Parley's new and returning visitors beside the two baselines."""
    systems = report["systems"]
    wanted = (
        ("parley", "fresh visitor", "Parley, new visitor"),
        ("parley", "returning visitor", "Parley, returning visitor"),
        ("relay", "connect", "bare Channels consumer"),
        ("plain", "connect", "plain websockets"),
    )
    bars: list[charts.Bar] = []
    for key, label, name in wanted:
        run = next((run for run in systems.get(key, {}).get("handshakes", []) if run["label"] == label), None)
        if run is not None:
            bars.append(charts.Bar(name, run["rate"], f"{run['rate']:,.0f}/s", SYSTEM_COLOURS[key]))
    relay_runs = systems.get("relay", {}).get("handshakes", [])
    relay = next((run for run in relay_runs if run["label"] == "connect"), None)
    reference = (
        charts.Reference(
            HANDSHAKE_TARGET * relay["rate"],
            f"target: {HANDSHAKE_TARGET:g}{TIMES} bare consumer ({HANDSHAKE_TARGET * relay['rate']:,.0f}/s)",
        )
        if relay
        else None
    )
    settings = report.get("settings", {})
    return charts.bar_chart(
        title="WebSocket handshakes per second, one process",
        subtitle=f"{settings.get('concurrency', '?')} in flight; Parley's counted at ready, the others at "
        f"accept; {date_of(report)}",
        description="Handshakes completed per second: "
        + ", ".join(f"{bar.label} {bar.value:,.0f}" for bar in bars)
        + (f"; the target is {HANDSHAKE_TARGET:g} times the bare consumer's." if relay else "."),
        axis=charts.Axis("handshakes per second (each socket opened, then closed)"),
        bars=bars,
        reference=reference,
    )


def draw(results: dict[str, dict[str, Any] | None], images: Path) -> list[Path]:
    """Write the charts whose benchmark has run; leave the others' images as they are."""
    drawn: list[Path] = []
    latency, capacity = results["latency"], results["capacity"]
    wanted = {
        "bench-latency.svg": (lambda: latency_chart(latency))
        if latency and latency.get("measurements")
        else None,
        "bench-memory.svg": (lambda: memory_chart(capacity)) if capacity else None,
        "bench-handshakes.svg": (lambda: handshakes_chart(capacity)) if capacity else None,
    }
    images.mkdir(parents=True, exist_ok=True)
    for name, render in wanted.items():
        if render is None:
            continue
        path = images / name
        path.write_text(render(), encoding="utf-8")
        drawn.append(path)
    return drawn
