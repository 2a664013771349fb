"""What the widget costs a host page in headless Chromium: launcher time, main-thread blocking, first open.

Run `python -m bench.host_page` from the repository root. It starts a real server, copies the demo shop
page (with and without the embed code) onto a page server of its own, and loads each page in a fresh
browser context several times, alternating, taking medians: the page without the widget, a first-time
visitor (empty storage) and a returning one (the storage a first visit left, HTTP cache still empty).
"""

import os
import statistics
import sys
import tempfile
import threading
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from functools import partial
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from playwright.sync_api import Browser, sync_playwright

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
from bench.page_load import LONG_TASK_MS, SETTLE_MS, figures, load_page, trace_figures
from e2e.conftest import CHROMIUM_ARGS, chromium_executable
from tests.processes import DemoDeployment, free_port

OUTPUT = BENCH_DIR / "host_page.json"
RUNS = 5
# Pause between loads (see `quiet`).
QUIET_SECONDS = 1.0
LAUNCHER_TARGET_MS = 50
BLOCKING_TARGET_MS = 10
HTTP_TIMEOUT = 10.0


def fetch(url: str) -> tuple[bytes, dict[str, str]]:
    """GET a URL: the body and the headers."""
    with urllib.request.urlopen(url, timeout=HTTP_TIMEOUT) as response:  # noqa: S310 (loopback URL we built)
        return response.read(), dict(response.headers.items())


class PageHandler(BaseHTTPRequestHandler):
    """Serves fixed pages with the headers the demo shop sends (its strict CSP included)."""

    def __init__(self, *args: Any, pages: dict[str, tuple[bytes, dict[str, str]]], **kwargs: Any) -> None:
        self.pages = pages
        super().__init__(*args, **kwargs)

    def do_GET(self) -> None:
        """Serve a page, or 404."""
        page = self.pages.get(self.path.split("?", 1)[0])
        if page is None:
            self.send_error(404)
            return
        body, headers = page
        self.send_response(200)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: the benchmark prints its own progress."""


@contextmanager
def page_server(port: int, pages: dict[str, tuple[bytes, dict[str, str]]]) -> Iterator[str]:
    """Serve ``pages`` on a loopback port in a thread; yield the origin."""
    server = ThreadingHTTPServer(("127.0.0.1", port), partial(PageHandler, pages=pages))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://localhost:{port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def host_pages(shop_url: str, server_url: str) -> dict[str, tuple[bytes, dict[str, str]]]:
    """The demo shop as served, the same page without its embed code, and with only an inert copy of the
    script, all with the shop's headers."""
    html, headers = fetch(shop_url)
    css, css_headers = fetch(shop_url + "shop.css")
    # The embed code (the config's preload hint, then the script tag) appears once as markup and once
    # escaped inside <pre>; only the markup is removed.
    tag_start = html.rfind(b'<link rel="preload" href="' + server_url.encode())
    tag_end = html.find(b"</script>", tag_start) + len(b"</script>")
    if tag_start < 0 or server_url.encode() + b"/widget.js" not in html[tag_start:tag_end]:
        raise RuntimeError("the demo shop page has no embed code to remove")
    inert_tag = f'<script async src="{server_url}/widget.js"></script>'.encode()
    kept = ("Content-Type", "Content-Security-Policy", "Cache-Control")
    page_headers = {name: headers[name] for name in kept if name in headers}
    return {
        "/with-widget.html": (html, page_headers),
        "/without-widget.html": (html[:tag_start] + html[tag_end:], page_headers),
        # The same bytes from the same server, but without data-site the loader only logs an error: what
        # any async script of this size costs the page, apart from what the widget then does.
        "/with-inert-script.html": (html[:tag_start] + inert_tag + html[tag_end:], page_headers),
        "/shop.css": (css, {name: css_headers[name] for name in kept if name in css_headers}),
    }


def median(runs: list[dict[str, float | None]], key: str) -> float | None:
    """Median of one figure over the runs that recorded it."""
    values = [value for run in runs if (value := run.get(key)) is not None]
    return round(statistics.median(values), 1) if values else None


Results = dict[str, list[dict[str, float | None]]]


# The pages measured: without the widget, with an inert copy of its script, a first-time visitor, and a
# returning one.
SCENARIOS = ("baseline", "inert", "widget", "returning")


def measure(browser: Browser, origin: str, runs: int) -> Results:
    """Alternate the scenarios so a busy moment on the machine hits all alike; then the traced loads."""
    urls = {
        "baseline": f"{origin}/without-widget.html",
        "inert": f"{origin}/with-inert-script.html",
        "widget": f"{origin}/with-widget.html",
        "returning": f"{origin}/with-widget.html",
    }
    # A first load of each warms the browser (process start, font and code caches outside contexts).
    # The first-time visitor's also leaves what a returning visitor has in storage: it opened the chat,
    # so that is a visitor token besides whatever the widget keeps for its launcher.
    load_page(browser, urls["baseline"], open_chat=False)
    load_page(browser, urls["inert"], open_chat=False)
    storage = load_page(browser, urls["widget"], open_chat=True, keep_storage=True).storage
    options: dict[str, dict[str, Any]] = {
        "baseline": {"open_chat": False},
        "inert": {"open_chat": False},
        "widget": {"open_chat": True},
        # A fresh context with that storage: the HTTP cache is empty, as for a visit after it expired.
        "returning": {"open_chat": False, "storage": storage},
    }
    load_page(browser, urls["returning"], **options["returning"])
    results: Results = {name: [] for name in SCENARIOS}
    for number in range(runs):
        for name in rotated(SCENARIOS, number):
            quiet()
            run = load_page(browser, urls[name], **options[name])
            results[name].append(figures(run, widget=name != "baseline"))
        log(f"  load {number + 1}/{runs} done")
    # Traced loads are separate: tracing slows the page a little, so it stays out of the figures above.
    for number in range(runs):
        for name in rotated(SCENARIOS, number):
            quiet()
            run = load_page(browser, urls[name], traced=True, **options[name])
            results[name][number] |= trace_figures(run, widget=name != "baseline")
        log(f"  traced load {number + 1}/{runs} done")
    return results


def rotated(names: tuple[str, ...], turn: int) -> tuple[str, ...]:
    """``names`` starting at a different one each turn, so no scenario always follows the same one."""
    start = turn % len(names)
    return names[start:] + names[:start]


def quiet() -> None:
    """Let the previous load's aftermath pass before the next load starts."""
    # Closing a context that had the chat open leaves work for both cores (the server handling the
    # closed socket, Chromium tearing the renderer down); it landed in the next load's wait for widget.js
    # to run.
    time.sleep(QUIET_SECONDS)


def run(runs: int = RUNS) -> dict[str, Any]:
    """Start a server and the page server, measure the scenarios in Chromium, return the JSON-able results."""
    started = time.monotonic()
    load_before = os.getloadavg()[0]
    with tempfile.TemporaryDirectory(prefix="parley-bench-host-page-") as workdir:
        deployment = DemoDeployment(workdir=Path(workdir))
        page_port = free_port()
        log("Setting up a server…")
        deployment.set_up()
        # The widget only talks to allowed origins: add the page server's next to the shop's.
        deployment.manage(
            "parley_demo",
            "--host-origin",
            f"http://localhost:{deployment.shop_port}",
            "--host-origin",
            f"http://localhost:{page_port}",
            "--username",
            deployment.username,
            f"--password={deployment.password}",  # "=" keeps a password that starts with "-" a value
        )
        try:
            deployment.start_server()
            shop = deployment.start_shop()
            pages = host_pages(deployment.shop_url, deployment.server_url)
            deployment.stop(shop)  # its page is copied; one process less competing for the CPU
            with page_server(page_port, pages) as origin, sync_playwright() as driver:
                browser = driver.chromium.launch(executable_path=chromium_executable(), args=CHROMIUM_ARGS)
                try:
                    log(f"Loading each page {runs} times, then {runs} times traced…")
                    results = measure(browser, origin, runs)
                    version = browser.version
                finally:
                    browser.close()
        finally:
            deployment.stop_all()
    medians = {
        name: {key: median(loads, key) for key in sorted({key for load in loads for key in load})}
        for name, loads in results.items()
    }
    return {
        **report_head(
            "host-page cost of the widget in headless Chromium",
            chromium=version,
            loadavg_1min_before=load_before,
        ),
        "runs": runs,
        "settle_ms": SETTLE_MS,
        "targets": {
            "launcher_after_script_load_ms": LAUNCHER_TARGET_MS,
            "added_blocking_ms": BLOCKING_TARGET_MS,
        },
        "medians": medians,
        "verdicts": verdicts(medians),
        "per_run": results,
        "elapsed_seconds": elapsed_since(started),
    }


def verdicts(medians: dict[str, dict[str, float | None]]) -> dict[str, str]:
    """PASS or MISS for the figures with a target, for the first-time and the returning visitor."""

    def within(value: float | None, limit: float) -> str:
        return "PASS" if value is not None and value <= limit else "MISS"

    result: dict[str, str] = {}
    for name, suffix in (("widget", ""), ("returning", "_returning")):
        added = delta(medians, "blocking_ms", name)
        result |= {
            # The measure: from the script tag's load event, which fires once the script has run.
            # Counted from the arrival of its last byte instead, the figure also holds the browser's wait
            # to run it and the host page's own first frame, which the launcher cannot beat; it is
            # reported beside, without a verdict.
            "launcher_visible" + suffix: within(
                medians[name]["launcher_after_script_load_ms"], LAUNCHER_TARGET_MS
            ),
            "added_blocking" + suffix: "MISS" if added is None or added >= BLOCKING_TARGET_MS else "PASS",
        }
    return result


def delta(medians: dict[str, dict[str, float | None]], key: str, name: str = "widget") -> float | None:
    """A widget scenario's median minus the baseline's."""
    with_widget, baseline = medians[name].get(key), medians["baseline"].get(key)
    return None if with_widget is None or baseline is None else round(with_widget - baseline, 1)


def pair(wall: float | None, cpu: float | None) -> str:
    """Wall time with its CPU time in brackets."""
    return "-" if wall is None else f"{wall:.1f} ({fmt(cpu)})"


def cell(medians: dict[str, dict[str, float | None]], name: str, key: str | tuple[str, str]) -> str:
    """One scenario's median of a figure, or of a (wall, CPU) pair."""
    if isinstance(key, tuple):
        return pair(medians[name].get(key[0]), medians[name].get(key[1]))
    return fmt(medians[name].get(key))


def launcher_path(figures: dict[str, float | None]) -> str:
    """The steps to the launcher, in ms from navigation and after widget.js arrived."""
    return (
        f"widget.js arrives (responseEnd) {fmt(figures['widget_js_response_end_ms'])}, has run (script "
        f"load event) +{fmt(figures['script_executed_after_widget_js_ms'])}, config answered "
        f"+{fmt(figures['config_after_widget_js_ms'])}, launcher drawn "
        f"+{fmt(figures['launcher_after_widget_js_ms'])}"
    )


def table(results: dict[str, Any]) -> str:
    """The result table: baseline, inert script, first-time visitor and returning visitor, each column after
    the baseline with its difference from the baseline where the baseline has the figure."""
    medians = results["medians"]
    verdict = results["verdicts"]

    def both(key: str) -> str:
        return f"{verdict[key]}/{verdict[key + '_returning']}"

    # (label, figure key or a (wall, CPU) pair of keys, whether the baseline has it, target, verdicts)
    rows: list[tuple[str, str | tuple[str, str], bool, str, str]] = [
        (
            "launcher visible after script load event",
            "launcher_after_script_load_ms",
            False,
            f"<= {LAUNCHER_TARGET_MS}",
            both("launcher_visible"),
        ),
        ("launcher visible after widget.js arrived", "launcher_after_widget_js_ms", False, "", ""),
        ("launcher visible after first paint", "launcher_after_first_paint_ms", False, "", ""),
        (
            "total blocking time, nav..load+3s",
            "blocking_ms",
            True,
            f"+ < {BLOCKING_TARGET_MS}",
            both("added_blocking"),
        ),
        ("longest long task (>= 50 ms)", "longest_long_task_ms", True, "", ""),
        ("first contentful paint", "first_contentful_paint_ms", True, "", ""),
        ("load event", "load_event_ms", True, "", ""),
        ("first open: click -> panel visible", "open_panel_visible_ms", False, "", ""),
        ("first open: click -> online", "open_online_ms", False, "", ""),
        ("traced: main-thread CPU, nav..load+3s", "main_thread_cpu_ms", True, "", ""),
        ("traced: longest task, wall (CPU)", ("longest_task_wall_ms", "longest_task_cpu_ms"), True, "", ""),
        ("traced: widget.js evaluation", ("widget_js_eval_wall_ms", "widget_js_eval_cpu_ms"), False, "", ""),
        (
            "traced: panel.js evaluation + mount",
            ("panel_js_eval_wall_ms", "panel_js_eval_cpu_ms"),
            False,
            "",
            "",
        ),
        (
            "traced: longest task, click..online",
            ("open_longest_task_wall_ms", "open_longest_task_cpu_ms"),
            False,
            "",
            "",
        ),
    ]
    title = f"figure (ms, median of {results['runs']})"
    columns = {"inert": "inert script", "widget": "first visit", "returning": "returning"}
    header = (
        f"{title:<40}{'baseline':>13}"
        + "".join(f"{heading:>13}{'delta':>7}" for heading in columns.values())
        + f"  {'target':<8}verdict (first/returning)"
    )
    lines = [header, "-" * len(header)]
    for label, key, paired, target, outcome in rows:
        first_key = key[0] if isinstance(key, tuple) else key
        compared = "".join(
            f"{cell(medians, name, key):>13}{fmt(delta(medians, first_key, name)) if paired else '-':>7}"
            for name in columns
        )
        lines.append(
            f"{label:<40}{cell(medians, 'baseline', key) if paired else '-':>13}{compared}"
            f"  {target:<8}{outcome}".rstrip()
        )
    lines += [
        f"Launcher path, ms from navigation. First visit: {launcher_path(medians['widget'])}; panel.js "
        f"arrives {fmt(medians['widget']['open_panel_js_ms'])} after the click. Returning visitor: "
        f"{launcher_path(medians['returning'])}.",
        f"Each load in a fresh browser context (empty HTTP cache), {QUIET_SECONDS:g} s after the previous "
        "one, the four scenarios alternated in a rotating order: the page without the widget, the page "
        "with an inert copy of widget.js (same bytes and server, no data-site: it runs and does nothing), "
        "a first-time visitor (empty storage; opens the chat after the settle time) and a returning one "
        "(starts from the storage a first visit that opened the chat left: the visitor token and the "
        "cached config; does not open the chat). Blocking: sum of (long task - "
        f"{LONG_TASK_MS} ms) until {SETTLE_MS} ms after load; a longest long task of 0 "
        "means none. Traced figures come from separate loads with a Chromium trace: tasks on the page's "
        "main thread, wall time (CPU time).",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Measure, print the table, write the JSON; exit 0 whatever the numbers say."""
    parser = new_parser("bench.host_page", __doc__)
    add_number(parser, "--runs", RUNS, "loads of each page")
    add_output(parser, OUTPUT)
    args = parser.parse_args(argv)
    if args.runs < 1:
        parser.error("--runs must be positive")
    results = run(args.runs)
    return finish(results, args.output, table=table(results))


if __name__ == "__main__":
    sys.exit(main())
