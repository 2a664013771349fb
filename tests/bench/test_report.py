"""bench.report: one table from the benchmarks' JSON, and well-formed SVG charts."""

import json
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

from bench import charts, report
from bench.capacity import curve_stops
from bench.report_abuse import abuse_rows

SVG = "{http://www.w3.org/2000/svg}"


def measurement(system: str, rate: int, p99: float, *, layer: str = "redis-pubsub", lost: int = 0):
    """One latency measurement as bench.latency writes it."""
    return {
        "system": system,
        "layer": layer,
        "rate": rate,
        "sent": rate * 8,
        "received": rate * 8 - lost,
        "lost": lost,
        "p50_ms": p99 / 4,
        "p90_ms": p99 / 2,
        "p99_ms": p99,
        "max_ms": p99,
        "achieved_rate": float(rate),
        "send_lag_p99_ms": 1.0,
    }


def latency_json() -> dict[str, Any]:
    """Relay stepped to 1,000 msg/s on pub/sub; Parley at 200 (sustained) and 1,000 (lossy)."""
    relay = [measurement("relay", rate, 2.0 + rate / 500) for rate in (200, 400, 1000)]
    parley = [measurement("parley", 200, 20.0), measurement("parley", 1000, 900.0, lost=30)]
    fixed = {
        "layer": "redis-pubsub",
        "rate": 200,
        "kind": "fixed",
        "relay": relay[0],
        "parley": parley[0],
        "p99_ratio": 8.33,
        "verdict": "MISS",
    }
    return {
        "generated_at": "2026-11-24T09:17:40Z",
        "settings": {"rate": 200, "budget_ratio": 1.5, "p99_limit_ms": 50.0, "rooms": 10, "duration": 3.0},
        "rows": [fixed],
        "measurements": [*relay, *parley],
    }


def capacity_json() -> dict[str, Any]:
    """Three systems at 1,000 idle sockets, with a memory curve for Parley only."""

    def system(name: str, per_socket: float, rate: float, labels: tuple[str, ...]) -> dict[str, Any]:
        rss = 70000 + round(per_socket * 1000)
        return {
            "system": name,
            "rss_before_kib": 70000,
            "levels": [
                {"sockets": 1000, "opened": 1000, "failed": 0, "rss_kib": rss, "per_socket_kib": per_socket}
            ],
            "handshakes": [
                {"label": label, "rate": rate / (i + 1), "p50_ms": 90.0} for i, label in enumerate(labels)
            ],
        }

    parley = system("parley", 34.3, 423, ("fresh visitor", "returning visitor"))
    parley["curve"] = [{"sockets": n, "rss_kib": 70000 + 34 * n} for n in (0, 500, 1000)]
    return {
        "generated_at": "2026-11-24T09:06:51Z",
        "settings": {"levels": [1000], "history_messages": 3, "concurrency": 50},
        "systems": {
            "parley": parley,
            "relay": system("relay", 31.4, 786, ("connect",)),
            "plain": system("plain", 16.0, 2400, ("connect",)),
        },
        "rows": [
            {"figure": "KiB per idle socket, N=1,000", "ratio": 1.092, "target": "<= 1.3x", "verdict": True},
            {"figure": "sockets open of 1,000", "ratio": None, "target": "all 1,000", "verdict": True},
            {"figure": "handshakes/s (fresh visitor)", "ratio": 0.54, "target": ">= 0.7x", "verdict": False},
            {
                "figure": "handshakes/s (returning visitor, 3 msgs)",
                "ratio": 0.27,
                "target": ">= 0.7x",
                "verdict": False,
            },
        ],
    }


def host_page_json(*, returning: bool = True) -> dict[str, Any]:
    """A first-time visitor missing the launcher target, a returning one meeting it."""

    def launcher(arrived: float, ran: float) -> dict[str, float | None]:
        return {
            "launcher_after_widget_js_ms": arrived,
            "launcher_after_script_load_ms": ran,
            "launcher_after_first_paint_ms": -2.6,
            "blocking_ms": 0.0,
        }

    medians = {"baseline": {"blocking_ms": 0.0}, "widget": launcher(87.2, 59.4)}
    verdicts = {"launcher_visible": "MISS", "added_blocking": "PASS"}
    if returning:
        medians["returning"] = launcher(31.6, 3.1)
        verdicts |= {"launcher_visible_returning": "PASS", "added_blocking_returning": "PASS"}
    return {
        "generated_at": "2026-11-24T10:02:11Z",
        "runs": 5,
        "targets": {"launcher_after_script_load_ms": 50, "added_blocking_ms": 10},
        "medians": medians,
        "verdicts": verdicts,
    }


def run_report(
    tmp_path: Path, *, host_page: dict[str, Any] | None = None
) -> tuple[dict[str, report.Row], Path]:
    """Write the JSON files, run the report; return its rows by figure and the images folder."""
    data, images = tmp_path / "bench", tmp_path / "images"
    data.mkdir()
    (data / "latency.json").write_text(json.dumps(latency_json()))
    (data / "capacity.json").write_text(json.dumps(capacity_json()))
    if host_page is not None:
        (data / "host_page.json").write_text(json.dumps(host_page))
    assert report.main(["--input", str(data), "--images", str(images)]) == 0
    rows = json.loads((data / "summary.json").read_text())["rows"]
    return {row["figure"]: report.Row(**row) for row in rows}, images


def test_rows_present_each_benchmarks_own_verdicts(tmp_path):
    """Figures carry the benchmark's values, ratio and verdict; a missing JSON or level reads "not run"."""
    rows, _ = run_report(tmp_path)
    memory = rows["Memory per idle visitor socket, N = 1,000"]
    assert (memory.parley, memory.ratio, memory.target, memory.status) == (
        "34.3 KiB",
        f"1.09{report.TIMES}",
        f"≤ 1.3{report.TIMES}",
        "met",
    )
    assert memory.baseline == "31.4 KiB (bare consumer), 16.0 (websockets)"
    assert rows["Memory per idle visitor socket, N = 5,000"].status == "not run"
    assert rows["Handshakes/s, new visitor"].status == "missed"
    p99 = rows["p99 visitor→agent at 200 msg/s, 2 processes, Redis pub/sub"]
    assert (p99.parley, p99.ratio, p99.status) == ("20.0 ms (p50 5.0)", f"8.33{report.TIMES}", "missed")
    assert rows["p99 visitor→agent at 200 msg/s, 1 process, in-memory"].status == "not run"
    assert rows["Widget before the panel opens (gzip -9)"].status == "not run"


def test_host_page_rows_show_first_time_and_returning_visitors(tmp_path):
    """Both visitors' launchers carry verdicts from the load event; arrival and first paint have no target."""
    rows, _ = run_report(tmp_path, host_page=host_page_json())
    loaded = rows["Launcher visible after the script tag's load event"]
    assert (loaded.parley, loaded.target, loaded.status) == ("59 ms (median of 5)", "≤ 50 ms", "missed")
    arrived = rows["  after widget.js arrived"]
    assert (arrived.parley, arrived.target, arrived.status) == ("87 ms (median of 5)", "", "no target")
    assert rows["  after the page's first paint"].parley == "-3 ms (median of 5)"
    returning = rows["  returning visitor (cached config), after the load event"]
    assert (returning.parley, returning.status) == ("3 ms (median of 5)", "met")
    returning_arrived = rows["  returning visitor (cached config), after widget.js arrived"]
    assert returning_arrived.parley == "32 ms (median of 5)"
    assert rows["Added main-thread blocking time"].status == "met"


def test_host_page_rows_from_before_the_returning_visitor_read_not_run(tmp_path):
    """An older host_page.json without the returning visitor still reports the first-time visitor."""
    rows, _ = run_report(tmp_path, host_page=host_page_json(returning=False))
    assert rows["Launcher visible after the script tag's load event"].status == "missed"
    assert rows["  returning visitor (cached config), after the load event"].status == "not run"


def test_highest_rate_is_bounded_by_what_was_measured(tmp_path):
    """Parley sustained 200 but not 1,000 against a relay sustaining 1,000: undecided against 0.7 of it."""
    rows, _ = run_report(tmp_path)
    rate = rows["Highest sustained rate, 2 processes, Redis pub/sub"]
    assert (rate.parley, rate.baseline) == ("≥ 200, < 1,000 msg/s", "≥ 1,000 msg/s (bare relay)")
    assert rate.status == "undecided"


def test_charts_are_well_formed_svg_naming_every_series(tmp_path):
    """Each chart parses as XML, has a title and desc, and its legend names every series."""
    _, images = run_report(tmp_path)
    expected = {
        "bench-latency.svg": ["Parley, 2 processes, Redis pub/sub", "bare relay, 2 processes, Redis pub/sub"],
        "bench-memory.svg": ["Parley (34.3 KiB/socket", "bare Channels consumer", "plain websockets"],
        "bench-handshakes.svg": ["Parley, new visitor", "bare Channels consumer", "plain websockets"],
    }
    for name, series in expected.items():
        root = ET.parse(images / name).getroot()  # noqa: S314 (the report's own output)
        assert root.find(f"{SVG}title") is not None
        assert root.find(f"{SVG}desc") is not None
        texts = [element.text or "" for element in root.iter(f"{SVG}text")]
        for one in series:
            assert any(text.startswith(one) for text in texts), (name, one)
    latency = (images / "bench-latency.svg").read_text()
    assert "hollow: messages lost" in latency
    assert ">50 ms<" in latency


def test_charts_are_deterministic():
    """The same series give the same bytes; one point and a log axis are fine."""

    def draw() -> str:
        return charts.line_chart(
            title="t",
            description="d",
            x_axis=charts.Axis("x"),
            y_axis=charts.Axis("y", log=True),
            series=[charts.Series("one point", [charts.Point(200, 3.5, failed=True)])],
            reference=charts.Reference(50, "50 ms"),
        )

    assert draw() == draw()
    ET.fromstring(draw())  # noqa: S314 (our own output)


def test_memory_curve_reads_at_even_socket_counts():
    """RSS is read at every multiple of the step on the way to a level, and at the level itself."""
    assert curve_stops(0, 1000, 500) == [500, 1000]
    assert curve_stops(1000, 5000, 1500) == [1500, 3000, 4500, 5000]
    assert curve_stops(0, 300, 500) == [300]


def abuse_json() -> dict[str, Any]:
    """The p99 scenario missing its target with victims lost, the memory scenario meeting its own."""

    def measurement(p50: float, p99: float, lost: int) -> dict[str, Any]:
        return {"p50_ms": p50, "p99_ms": p99, "lost": lost}

    return {
        "generated_at": "2026-12-06T08:00:00Z",
        "settings": {"p99": {"attackers": 40}, "tabs": {"tabs": 20}},
        "p99": {
            "quiet": measurement(4.3, 9.3, 0),
            "abuse": measurement(56.7, 337.2, 3),
            "ratio": 36.26,
            "target_ratio": 2.0,
            "verdict": "MISS",
        },
        "tabs": {
            "quiet_rss_kib": 107827,
            "peak_rss_kib": 122163,
            "growth_mib": 14.0,
            "target_mib": 50.0,
            "verdict": "PASS",
            "tabs": 20,
            "tabs_opened": {"ready": 20},
        },
    }


def test_abuse_rows_set_each_figure_beside_its_quiet_one(tmp_path):
    """abuse.json → the attacked p99 over the quiet one, and the RSS growth over the quiet RSS."""
    rows, _ = run_report(tmp_path)
    assert rows["Server memory growth, 20 never-reading tabs flooded"].status == "not run"
    (tmp_path / "bench" / "abuse.json").write_text(json.dumps(abuse_json()))
    assert report.main(["--input", str(tmp_path / "bench"), "--images", str(tmp_path / "images")]) == 0
    summary = json.loads((tmp_path / "bench" / "summary.json").read_text())["rows"]
    rows = {row["figure"]: report.Row(**row) for row in summary}
    p99 = rows["p99 visitor→agent of other visitors while 40 sockets of one IP push"]
    assert (p99.parley, p99.baseline) == ("337 ms (p50 56.7, 3 lost)", "9.3 ms quiet (p50 4.3, same run)")
    assert (p99.ratio, p99.target, p99.status) == (
        f"36{report.TIMES}",
        f"≤ 2{report.TIMES} quiet, none lost",
        "missed",
    )
    memory = rows["Server memory growth, 20 never-reading tabs flooded"]
    assert (memory.parley, memory.baseline) == ("+14.0 MiB (peak 119 MiB)", "105 MiB quiet (same run)")
    assert (memory.target, memory.status) == ("≤ 50 MiB", "met")


def test_abuse_scenario_that_could_not_measure_reads_not_run():
    """A scenario recorded as failed → its row reads "not run"; the other keeps its verdict."""
    failed = abuse_json() | {"p99": {"failed": "RuntimeError: first message refused"}}
    p99, memory = abuse_rows(failed)
    assert (p99.status, memory.status) == ("not run", "met")
