"""make audit's verdicts, from outputs captured of pip-audit and npm audit: clean, vulnerable, unreachable."""

import json

import pytest

from scripts.audit import Verdict, exit_status, npm_audit_verdict, pip_audit_verdict, report_lines

PIP_CLEAN = json.dumps(
    {
        "dependencies": [
            {"name": "django", "version": "5.2.9", "vulns": []},
            {"name": "channels", "version": "4.3.2", "vulns": []},
        ],
        "fixes": [],
    }
)
PIP_VULNERABLE = json.dumps(
    {
        "dependencies": [
            {"name": "django", "version": "5.2.9", "vulns": []},
            {
                "name": "daphne",
                "version": "4.2.1",
                "vulns": [{"id": "PYSEC-2025-1", "fix_versions": ["4.2.2"], "aliases": ["CVE-2025-1"]}],
            },
        ],
        "fixes": [],
    }
)
# What this machine's PyPI mirror gives: every per-version JSON answers 404, pip-audit exits 0.
PIP_NOT_FOUND = json.dumps(
    {
        "dependencies": [
            {
                "name": "annotated-types",
                "skip_reason": "Dependency not found on PyPI and could not be audited: "
                "annotated-types (0.8.0)",
            },
            {
                "name": "asgiref",
                "skip_reason": "Dependency not found on PyPI and could not be audited: asgiref",
            },
        ],
        "fixes": [],
    }
)
PIP_CONNECTION_REFUSED = (
    "Traceback (most recent call last):\n  ...\nrequests.exceptions.ConnectionError: HTTPConnectionPool("
    "host='127.0.0.1', port=1): Max retries exceeded with url: /v1/query (Caused by NewConnectionError("
    "'Failed to establish a new connection: [Errno 111] Connection refused'))\n"
)
NPM_COUNTS = {"info": 0, "low": 0, "moderate": 0, "high": 0, "critical": 0, "total": 0}
NPM_CLEAN = json.dumps(
    {"auditReportVersion": 2, "vulnerabilities": {}, "metadata": {"vulnerabilities": NPM_COUNTS}}
)
NPM_MODERATE_ONLY = json.dumps(
    {
        "auditReportVersion": 2,
        "vulnerabilities": {"esbuild": {"name": "esbuild", "severity": "moderate", "via": []}},
        "metadata": {"vulnerabilities": {**NPM_COUNTS, "moderate": 1, "total": 1}},
    }
)
NPM_VULNERABLE = json.dumps(
    {
        "auditReportVersion": 2,
        "vulnerabilities": {
            "vite": {"name": "vite", "severity": "high", "via": [], "isDirect": True},
            "nanoid": {"name": "nanoid", "severity": "critical", "via": []},
            "esbuild": {"name": "esbuild", "severity": "moderate", "via": []},
        },
        "metadata": {"vulnerabilities": {**NPM_COUNTS, "moderate": 1, "high": 1, "critical": 1, "total": 3}},
    }
)
# What this machine's registry gives: the bulk advisory endpoint answers 405.
NPM_METHOD_NOT_ALLOWED = json.dumps(
    {
        "message": "405 Method Not Allowed - POST https://registry.npmjs.org/-/npm/v1/security/advisories/bulk",
        "method": "POST",
        "statusCode": 405,
        "body": "",
        "error": {"summary": "", "detail": ""},
    }
)
NPM_OFFLINE = json.dumps(
    {
        "error": {
            "code": "ENOTFOUND",
            "summary": "request to https://registry.npmjs.org/-/npm/v1/security/advisories/bulk failed, "
            "reason: getaddrinfo ENOTFOUND registry.npmjs.org",
            "detail": "",
        }
    }
)


def test_pip_audit_with_every_package_audited_and_no_vulns_is_clean():
    """pip-audit JSON with no vulns and no skipped package → clean."""
    verdict = pip_audit_verdict(returncode=0, stdout=PIP_CLEAN, stderr="")
    assert verdict.status == "clean"
    assert "2 packages" in verdict.summary


def test_pip_audit_with_a_vuln_is_vulnerable_and_names_it():
    """A dependency with a vuln → vulnerable, naming the package, version and advisory id."""
    verdict = pip_audit_verdict(returncode=1, stdout=PIP_VULNERABLE, stderr="Found 1 known vulnerability")
    assert verdict.status == "vulnerable"
    assert verdict.findings == ("daphne 4.2.1: PYSEC-2025-1",)


def test_pip_audit_that_skipped_packages_is_unavailable_even_though_it_exited_0():
    """Every package skipped as "not found on PyPI" (exit 0, "No known vulnerabilities found") →
    unavailable, saying how many and why: not a clean bill."""
    verdict = pip_audit_verdict(returncode=0, stdout=PIP_NOT_FOUND, stderr="No known vulnerabilities found")
    assert verdict.status == "unavailable"
    assert "could not audit 2 of 2 packages" in verdict.summary
    assert "not found on PyPI" in verdict.summary


def test_pip_audit_vulns_win_over_skipped_packages():
    """Some packages skipped, one vulnerable → vulnerable."""
    report = json.loads(PIP_VULNERABLE)
    report["dependencies"] += json.loads(PIP_NOT_FOUND)["dependencies"]
    assert pip_audit_verdict(returncode=1, stdout=json.dumps(report), stderr="").status == "vulnerable"


def test_pip_audit_that_could_not_connect_is_unavailable_with_its_error():
    """A traceback and no JSON → unavailable, quoting the error's last line."""
    verdict = pip_audit_verdict(returncode=1, stdout="", stderr=PIP_CONNECTION_REFUSED)
    assert verdict.status == "unavailable"
    assert "Connection refused" in verdict.summary


def test_npm_audit_clean_and_moderate_only_are_clean():
    """No vulnerabilities, or only below --audit-level=high → clean (the lower ones are counted)."""
    assert npm_audit_verdict(returncode=0, stdout=NPM_CLEAN, stderr="").status == "clean"
    moderate = npm_audit_verdict(returncode=0, stdout=NPM_MODERATE_ONLY, stderr="")
    assert moderate.status == "clean"
    assert "1 moderate" in moderate.summary


def test_npm_audit_high_or_critical_is_vulnerable_and_names_them():
    """A high and a critical package → vulnerable, each named with its severity; moderate ones not listed."""
    verdict = npm_audit_verdict(returncode=1, stdout=NPM_VULNERABLE, stderr="")
    assert verdict.status == "vulnerable"
    assert verdict.findings == ("nanoid (critical)", "vite (high)")


@pytest.mark.parametrize(
    ("stdout", "said"),
    [(NPM_METHOD_NOT_ALLOWED, "405 Method Not Allowed"), (NPM_OFFLINE, "ENOTFOUND"), ("", "no output")],
)
def test_npm_audit_whose_endpoint_fails_is_unavailable_saying_what_it_answered(stdout, said):
    """The bulk endpoint answering 405, no network, or nothing printed → unavailable, quoting the answer."""
    verdict = npm_audit_verdict(returncode=1, stdout=stdout, stderr="")
    assert verdict.status == "unavailable"
    assert said in verdict.summary


CLEAN = Verdict("x", "clean", "ok")
VULNERABLE = Verdict("x", "vulnerable", "1", ("p 1: ID",))
UNAVAILABLE = Verdict("x", "unavailable", "answered 405")


@pytest.mark.parametrize(
    ("verdicts", "required", "status"),
    [
        ([CLEAN, CLEAN], False, 0),
        ([CLEAN, VULNERABLE], False, 1),
        ([UNAVAILABLE, VULNERABLE], False, 1),
        ([UNAVAILABLE, CLEAN], False, 0),
        ([UNAVAILABLE, UNAVAILABLE], False, 0),
        ([UNAVAILABLE, CLEAN], True, 1),
        ([CLEAN, CLEAN], True, 0),
    ],
)
def test_exit_status_fails_on_vulns_and_on_unavailable_only_when_required(verdicts, required, status):
    """A vulnerability always fails; an unavailable service fails only with PARLEY_AUDIT_REQUIRED=1."""
    assert exit_status(verdicts, required=required) == status


def test_an_unavailable_service_is_one_line_saying_whether_it_fails():
    """Each verdict is one line (service, status, what it answered); findings follow, indented."""
    lines = report_lines([UNAVAILABLE, VULNERABLE], required=False)
    assert lines[0] == "audit: x: unavailable: answered 405; not failing (PARLEY_AUDIT_REQUIRED=1 fails)"
    assert lines[1:] == ["audit: x: vulnerable: 1", "  p 1: ID"]
    assert report_lines([UNAVAILABLE], required=True)[0].endswith("failing (PARLEY_AUDIT_REQUIRED=1)")
