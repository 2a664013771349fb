"""`make audit`: known vulnerabilities in the locked dependencies (pip-audit and npm audit), one verdict each.

A vulnerability found fails. An advisory service that cannot be reached, or that cannot audit the
packages, is reported on one line and does not fail, unless PARLEY_AUDIT_REQUIRED=1: an offline machine
can still run `make test`, a CI that must audit sets the variable.
"""

import json
import os
import subprocess
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

REPO = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
# Locked, hash-checked requirements: pip-audit reads them without installing anything (--disable-pip).
PIP_AUDIT = [
    str(BIN / "pip-audit"),
    "--disable-pip",
    "--require-hashes",
    "-r",
    "requirements/prod.txt",
    "-r",
    "requirements/dev.txt",
    "--format",
    "json",
    "--progress-spinner",
    "off",
]
# npm audit reads frontend/package-lock.json; dev dependencies are included (npm's default).
NPM_AUDIT = ["npm", "audit", "--audit-level=high", "--json"]
NPM_FAILING_SEVERITIES = ("high", "critical")
COMMAND_TIMEOUT_SECONDS = 300

Status = Literal["clean", "vulnerable", "unavailable"]


@dataclass(frozen=True)
class Verdict:
    """What one audit concluded: its status, a one-line summary, and each vulnerable package."""

    service: str
    status: Status
    summary: str
    findings: tuple[str, ...] = ()


def _json_object(text: str) -> dict[str, Any] | None:
    try:
        decoded = json.loads(text)
    except ValueError:
        return None
    return decoded if isinstance(decoded, dict) else None


def _last_line(text: str) -> str:
    lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
    return lines[-1][:300] if lines else "no output"


def pip_audit_verdict(*, returncode: int, stdout: str, stderr: str) -> Verdict:
    """The verdict of a `pip-audit --format json` run from its exit status and output."""
    service = "pip-audit (PyPI advisories)"
    report = _json_object(stdout)
    dependencies = report.get("dependencies") if report else None
    if not isinstance(dependencies, list):
        return Verdict(service, "unavailable", f"no report (exit {returncode}): {_last_line(stderr)}")
    findings = tuple(
        f"{dependency['name']} {dependency.get('version', '?')}: "
        + ", ".join(str(vuln.get("id")) for vuln in dependency["vulns"])
        for dependency in dependencies
        if dependency.get("vulns")
    )
    if findings:
        return Verdict(service, "vulnerable", f"{len(findings)} vulnerable package(s)", findings)
    # pip-audit exits 0 and says "No known vulnerabilities found" even when it audited nothing.
    skipped = [dependency for dependency in dependencies if dependency.get("skip_reason")]
    if skipped:
        return Verdict(
            service,
            "unavailable",
            f"could not audit {len(skipped)} of {len(dependencies)} packages: {skipped[0]['skip_reason']}",
        )
    return Verdict(service, "clean", f"{len(dependencies)} packages, no known vulnerabilities")


def npm_audit_verdict(*, returncode: int, stdout: str, stderr: str) -> Verdict:
    """The verdict of an `npm audit --json` run (npm 7 or newer) from its exit status and output."""
    service = "npm audit (registry advisories)"
    report = _json_object(stdout)
    if report is None:
        return Verdict(service, "unavailable", f"no report (exit {returncode}): {_last_line(stderr)}")
    metadata = report.get("metadata")
    counts = metadata.get("vulnerabilities") if isinstance(metadata, dict) else None
    vulnerabilities = report.get("vulnerabilities")
    if not isinstance(counts, dict) or not isinstance(vulnerabilities, dict):
        raw_error = report.get("error")
        error: dict[str, Any] = raw_error if isinstance(raw_error, dict) else {}
        answer = report.get("message") or error.get("summary") or error.get("code") or _last_line(stderr)
        return Verdict(service, "unavailable", f"the advisory endpoint answered: {answer}")
    findings = tuple(
        f"{name} ({entry.get('severity')})"
        for name, entry in sorted(vulnerabilities.items())
        if isinstance(entry, dict) and entry.get("severity") in NPM_FAILING_SEVERITIES
    )
    lower = {severity: counts.get(severity, 0) for severity in ("low", "moderate") if counts.get(severity)}
    below = f" (below the bar: {', '.join(f'{n} {s}' for s, n in lower.items())})" if lower else ""
    if findings:
        return Verdict(service, "vulnerable", f"{len(findings)} high or critical{below}", findings)
    return Verdict(service, "clean", f"no high or critical vulnerabilities{below}")


def exit_status(verdicts: Sequence[Verdict], *, required: bool) -> int:
    """1 when a vulnerability was found, or when an audit could not run and auditing is required; else 0."""
    if any(verdict.status == "vulnerable" for verdict in verdicts):
        return 1
    if required and any(verdict.status == "unavailable" for verdict in verdicts):
        return 1
    return 0


def report_lines(verdicts: Sequence[Verdict], *, required: bool) -> list[str]:
    """What `make audit` prints: one line per audit, then each vulnerable package."""
    lines: list[str] = []
    for verdict in verdicts:
        line = f"audit: {verdict.service}: {verdict.status}: {verdict.summary}"
        if verdict.status == "unavailable":
            line += (
                "; failing (PARLEY_AUDIT_REQUIRED=1)"
                if required
                else "; not failing (PARLEY_AUDIT_REQUIRED=1 fails)"
            )
        lines.append(line)
        lines.extend(f"  {finding}" for finding in verdict.findings)
    return lines


def _run(command: list[str], *, cwd: Path) -> tuple[int, str, str]:
    try:
        done = subprocess.run(  # noqa: S603 - fixed commands, no shell
            command, cwd=cwd, capture_output=True, text=True, timeout=COMMAND_TIMEOUT_SECONDS, check=False
        )
    except (OSError, subprocess.TimeoutExpired) as error:
        return 1, "", f"{command[0]} did not run: {error}"
    return done.returncode, done.stdout, done.stderr


def main() -> int:
    """Run both audits, print their verdicts and return the exit status."""
    required = os.environ.get("PARLEY_AUDIT_REQUIRED", "0") == "1"
    pip_status, pip_out, pip_err = _run(PIP_AUDIT, cwd=REPO)
    npm_status, npm_out, npm_err = _run(NPM_AUDIT, cwd=REPO / "frontend")
    verdicts = [
        pip_audit_verdict(returncode=pip_status, stdout=pip_out, stderr=pip_err),
        npm_audit_verdict(returncode=npm_status, stdout=npm_out, stderr=npm_err),
    ]
    print("\n".join(report_lines(verdicts, required=required)))
    return exit_status(verdicts, required=required)


if __name__ == "__main__":
    sys.exit(main())
