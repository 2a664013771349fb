"""The report's rows of bench.abuse: each abuse figure beside its quiet one of the same run."""

from typing import Any

from bench.report_charts import TIMES
from bench.report_rows import Row, ms, ratio_text, status


def abuse_rows(report: dict[str, Any] | None) -> list[Row]:
    """Other visitors' p99 under one IP's push, and the memory never-reading tabs cost, each beside its
    quiet figure of the same run."""
    settings: dict[str, Any] = (report or {}).get("settings", {})
    attackers = settings.get("p99", {}).get("attackers", 40)
    tabs_count = settings.get("tabs", {}).get("tabs", 20)
    p99_figure = f"p99 visitor→agent of other visitors while {attackers} sockets of one IP push"
    tabs_figure = f"Server memory growth, {tabs_count} never-reading tabs flooded"
    rows = [Row(p99_figure, benchmark="abuse"), Row(tabs_figure, benchmark="abuse")]
    p99 = (report or {}).get("p99")
    if p99 is not None and "failed" not in p99:
        quiet, abuse = p99["quiet"], p99["abuse"]
        lost = f", {abuse['lost']:,} lost" if abuse["lost"] else ""
        rows[0] = Row(
            p99_figure,
            f"{ms(abuse['p99_ms'])} (p50 {ms(abuse['p50_ms'], unit=False)}{lost})",
            f"{ms(quiet['p99_ms'])} quiet (p50 {ms(quiet['p50_ms'], unit=False)}, same run)",
            ratio_text(p99["ratio"]),
            f"≤ {p99['target_ratio']:g}{TIMES} quiet, none lost",
            status(p99["verdict"]),
            "abuse",
        )
    tabs = (report or {}).get("tabs")
    if tabs is not None and "failed" not in tabs:
        opened = tabs["tabs_opened"].get("ready", 0)
        rows[1] = Row(
            tabs_figure,
            f"+{tabs['growth_mib']:.1f} MiB (peak {tabs['peak_rss_kib'] / 1024:.0f} MiB"
            + (f", {opened} of {tabs['tabs']} tabs open" if opened != tabs["tabs"] else "")
            + ")",
            f"{tabs['quiet_rss_kib'] / 1024:.0f} MiB quiet (same run)",
            "",
            f"≤ {tabs['target_mib']:g} MiB",
            status(tabs["verdict"]),
            "abuse",
        )
    return rows
