"""What every benchmark shares: progress lines, percentiles, the JSON report and its command line."""

import argparse
import json
import math
import os
import platform
import shutil
import sys
import time
from dataclasses import asdict
from pathlib import Path
from typing import Any

from server.limits import checks as limits
from tests.processes import REPO

# Every benchmark writes build/bench/<name>.json; bench.report reads them from here.
BENCH_DIR = REPO / "build" / "bench"


def log(message: str) -> None:
    """Progress goes to stderr; stdout carries only the table."""
    print(message, file=sys.stderr, flush=True)


def percentile(ordered: list[float], share: float, *, digits: int | None = None) -> float | None:
    """Nearest-rank percentile of an ascending list, rounded to `digits` if given (None when empty)."""
    if not ordered:
        return None
    value = ordered[max(0, math.ceil(share * len(ordered)) - 1)]
    return value if digits is None else round(value, digits)


def fmt(value: float | None, digits: int = 1) -> str:
    """A figure for a table, or "-" when missing."""
    return "-" if value is None else f"{value:.{digits}f}"


def fresh_workdir(path: Path) -> None:
    """Empty a benchmark's work directory (server logs, databases) of the previous run."""
    shutil.rmtree(path, ignore_errors=True)
    path.mkdir(parents=True)


def loadavg() -> list[str]:
    """The machine's 1, 5 and 15 minute load averages, as /proc/loadavg writes them."""
    return Path("/proc/loadavg").read_text().split()[:3]


def generated_at() -> str:
    """The report's UTC timestamp."""
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())


def machine(**extra: Any) -> dict[str, Any]:
    """The machine a report was measured on, with a benchmark's own additions last."""
    return {
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "platform": platform.platform(),
        **extra,
    }


def report_head(benchmark: str, *, settings: Any = None, **machine_extra: Any) -> dict[str, Any]:
    """A report's first keys: what was measured, when, on which machine and (if given) with what settings."""
    head = {"benchmark": benchmark, "generated_at": generated_at(), "machine": machine(**machine_extra)}
    if settings is not None:
        head["settings"] = settings_json(settings)
    return head


def settings_json(settings: Any) -> dict[str, Any]:
    """A settings dataclass as JSON values (paths as strings)."""
    return {key: str(value) if isinstance(value, Path) else value for key, value in asdict(settings).items()}


def elapsed_since(started: float) -> float:
    """Seconds since a time.monotonic() reading, as reports round them."""
    return round(time.monotonic() - started, 1)


def write_report(output: Path, report: dict[str, Any], *, note: str = "") -> None:
    """Write a report as indented JSON and say where, how long the run took and `note`."""
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(json.dumps(report, indent=2) + "\n")
    log(f"Wrote {output} ({report['elapsed_seconds']} s){note}")


def finish(report: dict[str, Any], output: Path, *, table: str, note: str = "") -> int:
    """Print the table, write the report; a benchmark exits 0 whatever its numbers say."""
    print(table)
    write_report(output, report, note=note)
    return 0


def new_parser(module: str, doc: str | None) -> argparse.ArgumentParser:
    """A benchmark's argument parser, described by the first line of its module docstring."""
    return argparse.ArgumentParser(prog=f"python -m {module}", description=(doc or "").splitlines()[0])


def add_number(parser: argparse.ArgumentParser, flag: str, default: float, help: str) -> None:
    """An option of its default's type (int or float), the default said at the end of its help."""
    parser.add_argument(flag, type=type(default), default=default, help=f"{help} (default {default:g})")


def add_output(parser: argparse.ArgumentParser, default: Path) -> None:
    """The --output option: where the JSON report goes."""
    parser.add_argument("--output", type=Path, default=default, help=f"JSON results (default {default})")


def add_parley_env(parser: argparse.ArgumentParser, *, processes: str = "process") -> None:
    """The repeatable --parley-env NAME=VALUE option: extra settings for Parley's server processes."""
    parser.add_argument(
        "--parley-env",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help=f"an extra setting for Parley's {processes}, e.g. DATABASE_CONN_MAX_AGE=60 (repeatable)",
    )


# Parley's limits across sockets (server/limits/) raised out of reach: these benchmarks open thousands of
# sockets and send thousands of messages from one loopback address, which a deployment receives from as
# many clients. Raised, not turned off, so that every handshake and message still pays for its counting
# (a Redis round trip with REDIS_URL) and the figures include it. A benchmark of abuse keeps the
# production defaults instead; --parley-env sets any of them back.
LIMITS_UNREACHED = {limit.setting: "1000000000/minute" for limit in limits.ALL}


def parley_env(items: list[str]) -> dict[str, str]:
    """--parley-env's NAME=VALUE items as a mapping (an item without "=" is ignored)."""
    return dict(item.split("=", 1) for item in items if "=" in item)
