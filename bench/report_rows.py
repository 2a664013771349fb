"""The report's rows and how their cells are written: verdicts, ratios, latencies, targets."""

from dataclasses import dataclass

from bench.report_charts import TIMES

MET, MISSED, NOT_RUN, NO_TARGET, UNDECIDED = "met", "missed", "not run", "no target", "undecided"
DASH = "—"
# Spelled out: ruff rightly flags the bare character as a look-alike of -.
EN_DASH = "\N{EN DASH}"


@dataclass
class Row:
    """A figure of the issue's targets: Parley's value, the named baseline's, and the verdict."""

    figure: str
    parley: str = DASH
    baseline: str = DASH
    ratio: str = ""
    target: str = ""
    status: str = NOT_RUN
    benchmark: str = ""


def status(verdict: object) -> str:
    """A benchmark's PASS/MISS (or True/False) as met/missed; no verdict means no target."""
    if verdict in ("PASS", True):
        return MET
    if verdict in ("MISS", False):
        return MISSED
    return NO_TARGET


def ratio_text(value: float | None) -> str:
    """A ratio with its multiplication sign: two decimals under 10, none above; nothing when unknown."""
    if value is None:
        return ""
    return f"{value:.2f}{TIMES}" if value < 10 else f"{value:,.0f}{TIMES}"


def ms(value: float | None, *, unit: bool = True) -> str:
    """A latency: one decimal under 100 ms, none above."""
    if value is None:
        return DASH
    text = f"{value:.1f}" if value < 100 else f"{value:,.0f}"
    return f"{text} ms" if unit else text


def target_text(text: str) -> str:
    """A benchmark's ASCII target ("<= 1.3x") as the docs write it, with ≤ and a multiplication sign."""
    pretty = text.replace("<=", "≤").replace(">=", "≥")
    return pretty[:-1] + TIMES if pretty.endswith("x") and pretty[-2:-1].isdigit() else pretty
