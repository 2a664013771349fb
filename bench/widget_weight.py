"""Bytes a host page downloads for the widget: the loader up front, and loader + panel in all.

Run `python -m bench.widget_weight` from the repository root after `make frontend`. It reads the built
bundles and their budgets (frontend/dist/sizes.json), serves them from a real daphne process and fetches
them with and without `Accept-Encoding: gzip`. The server sends the bundles gzipped once at -9, so what a
visitor downloads is the gzip -9 figure the budgets are set in; the benchmark checks each gzipped answer
against it byte for byte.
"""

import gzip
import json
import os
import statistics
import sys
import tempfile
import time
import urllib.request
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from bench.common import BENCH_DIR, add_output, elapsed_since, finish, log, new_parser, report_head
from tests.processes import REPO, DemoDeployment

OUTPUT = BENCH_DIR / "widget_weight.json"
# Where `make frontend` writes the bundles; the server reads the same setting.
DIST = Path(os.environ.get("PARLEY_FRONTEND_DIST", REPO / "frontend" / "dist"))
HTTP_TIMEOUT = 10.0
# The server gzips each bundle once at -9 (mtime 0, no BREACH padding: see server/widget_api/views.py
# `_script_response`), so every answer should be the gzip -9 bytes; a few fetches check it does not vary.
SAMPLES = 5
URLS = {"widget.js": "/widget.js", "panel.js": "/widget/panel.js"}
# For context only, from the vendors' own published figures; not measured here.
PEERS = [
    ("Crisp", "~130 KB compressed"),
    ("Chatwoot", "~170 KB compressed"),
    ("Intercom", "~600 KB gzip before a 65% cut"),
]


@dataclass
class Weight:
    """One bundle (or the sum of both): raw bytes, gzip -9, and gzip as served (the same bytes)."""

    name: str
    raw: int
    gzip9: int
    served_min: int
    served_median: float
    served_max: int
    content_encoding: str

    def __add__(self, other: "Weight") -> "Weight":
        """The sum of two bundles, as the bytes a visitor downloads for both."""
        return Weight(
            name=f"{self.name} + {other.name}",
            raw=self.raw + other.raw,
            gzip9=self.gzip9 + other.gzip9,
            served_min=self.served_min + other.served_min,
            served_median=self.served_median + other.served_median,
            served_max=self.served_max + other.served_max,
            content_encoding=self.content_encoding,
        )


def fetch(url: str, *, headers: dict[str, str]) -> tuple[bytes, dict[str, str]]:
    """GET a URL without decoding it: urllib hands back the bytes exactly as they were sent."""
    request = urllib.request.Request(url, headers=headers)  # noqa: S310 (a loopback http URL we built)
    with urllib.request.urlopen(request, timeout=HTTP_TIMEOUT) as response:  # noqa: S310
        return response.read(), {key.lower(): value for key, value in response.headers.items()}


def gzip_bytes(data: bytes, level: int) -> int:
    """Size of ``data`` gzipped at ``level`` with no file name and a fixed mtime."""
    return len(gzip.compress(data, compresslevel=level, mtime=0))


def measure_bundle(server_url: str, name: str) -> Weight:
    """Fetch one bundle plain and gzipped, check both are the build's output (gzipped: byte for byte its
    gzip -9), and size them."""
    built = (DIST / name).read_bytes()
    raw, _ = fetch(server_url + URLS[name], headers={"Accept-Encoding": "identity"})
    if raw != built:
        raise RuntimeError(f"{name}: the server sent {len(raw)} bytes, not the {len(built)}-byte build")
    served: list[int] = []
    encoding = ""
    for _ in range(SAMPLES):
        body, headers = fetch(server_url + URLS[name], headers={"Accept-Encoding": "gzip"})
        encoding = headers.get("content-encoding", "identity")
        if encoding == "gzip" and body != gzip.compress(built, compresslevel=9, mtime=0):
            raise RuntimeError(f"{name}: the gzipped answer is not the build's gzip -9 bytes")
        served.append(len(body))
    return Weight(
        name=name,
        raw=len(raw),
        gzip9=gzip_bytes(raw, 9),
        served_min=min(served),
        served_median=statistics.median(served),
        served_max=max(served),
        content_encoding=encoding,
    )


def measure_config(server_url: str, site_key: str, origin: str) -> dict[str, Any]:
    """The other request before the panel opens: the site's config JSON (context, not budgeted)."""
    body, headers = fetch(
        f"{server_url}/api/widget/sites/{site_key}/config",
        headers={"Accept-Encoding": "gzip", "Origin": origin},
    )
    return {"served": len(body), "content_encoding": headers.get("content-encoding", "identity")}


def budgets() -> dict[str, int]:
    """The gzip budgets of the loader and of the whole widget, as the build checks them."""
    sizes = json.loads((DIST / "sizes.json").read_text())
    return {"widget.js": sizes["bundles"]["widget.js"]["budget"], "total": sizes["widget_total_budget"]}


def console_weight() -> dict[str, Any]:
    """The agent console's bundle as built (served as a static file to agents, not to host pages)."""
    built = (DIST / "console.js").read_bytes()
    budget = json.loads((DIST / "sizes.json").read_text())["bundles"]["console.js"]["budget"]
    gzip9 = gzip_bytes(built, 9)
    return {"raw": len(built), "gzip9": gzip9, "budget_gzip": budget, "verdict": verdict(gzip9, budget)}


def verdict(value: float, budget: int) -> str:
    """PASS when within the budget."""
    return "PASS" if value <= budget else "MISS"


def run() -> dict[str, Any]:
    """Serve the bundles from a real server, size them, and return the JSON-able results."""
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="parley-bench-weight-") as workdir:
        deployment = DemoDeployment(workdir=Path(workdir))
        log("Setting up a server…")
        site_key = deployment.set_up()
        try:
            deployment.start_server()
            loader = measure_bundle(deployment.server_url, "widget.js")
            panel = measure_bundle(deployment.server_url, "panel.js")
            config = measure_config(
                deployment.server_url, site_key, f"http://localhost:{deployment.shop_port}"
            )
        finally:
            deployment.stop_all()
    total = loader + panel
    total.name = "total"
    limits = budgets()
    rows = []
    for weight in (loader, panel, total):
        budget = limits.get(weight.name)
        rows.append(
            {
                **asdict(weight),
                "budget_gzip": budget,
                # The documented budget is gzip -9; the served figure shows what a visitor pays.
                "verdict": None if budget is None else verdict(weight.gzip9, budget),
                "served_verdict": None if budget is None else verdict(weight.served_max, budget),
            }
        )
    return {
        **report_head("widget weight: bytes before the panel opens and for the whole widget"),
        "samples": SAMPLES,
        "rows": rows,
        "config_json": config,
        "console": console_weight(),
        "peers": [{"name": name, "published": figure} for name, figure in PEERS],
        "elapsed_seconds": elapsed_since(started),
    }


def table(results: dict[str, Any]) -> str:
    """The result table."""
    labels = {
        "widget.js": "widget.js (before open)",
        "panel.js": "panel.js (first open)",
        "total": "total (whole widget)",
    }
    header = f"{'figure':<24}{'raw':>8}{'gzip -9':>9}{'served gzip':>14}{'budget':>8}  {'gzip -9':<9}served"
    lines = [header, "-" * len(header)]
    for row in results["rows"]:
        served = f"{row['served_min']}-{row['served_max']}"
        budget = "-" if row["budget_gzip"] is None else row["budget_gzip"]
        lines.append(
            f"{labels[row['name']]:<24}{row['raw']:>8}{row['gzip9']:>9}{served:>14}{budget:>8}  "
            f"{row['verdict'] or '-':<9}{row['served_verdict'] or '-'}"
        )
    loader = results["rows"][0]
    total = results["rows"][2]
    config = results["config_json"]
    lines += [
        f"Bytes of response body. Served gzip: {results['samples']} fetches with Accept-Encoding: gzip "
        f"({loader['content_encoding']}); the server sends each bundle gzipped once at -9 without padding "
        f"(each answer checked byte for byte), so it sends {loader['gzip9']} bytes for widget.js and "
        f"{total['gzip9']} in all.",
        f"Budgets: widget.js <= {loader['budget_gzip']}, total <= {total['budget_gzip']} gzip bytes; "
        "verdicts on gzip -9 (the documented measure) and on the largest served answer.",
        f"Also before the panel opens: the config JSON, {config['served']} bytes "
        f"({config['content_encoding']}).",
        f"The agent console (console.js): {results['console']['raw']} bytes, {results['console']['gzip9']} "
        f"gzip -9 (budget {results['console']['budget_gzip']}: {results['console']['verdict']}).",
        "Peers (published, not measured): " + ", ".join(f"{name} {figure}" for name, figure in PEERS) + ".",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Measure, print the table, write the JSON; exit 0 whatever the numbers say."""
    parser = new_parser("bench.widget_weight", __doc__)
    add_output(parser, OUTPUT)
    args = parser.parse_args(argv)
    results = run()
    return finish(results, args.output, table=table(results))


if __name__ == "__main__":
    sys.exit(main())
