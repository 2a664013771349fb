"""What the widget costs a host page in headless Chromium: launcher time, main-thread blocking, first open.

Run `python -m bench.host_page` from the repository root. It starts a real server, copies the demo shop
page (with and without the embed code) onto a page server of its own, and loads each page in a fresh
browser context several times, alternating, taking medians: the page without the widget, a first-time
visitor (empty storage) and a returning one (the storage a first visit left, HTTP cache still empty).
"""

import argparse
import json
import os
import platform
import statistics
import sys
import tempfile
import threading
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import partial
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from playwright.sync_api import Browser, Page, StorageState, sync_playwright

from e2e.conftest import CHROMIUM_ARGS, chromium_executable
from tests.processes import DemoDeployment, free_port

OUTPUT = Path(__file__).resolve().parent.parent / "build" / "bench" / "host_page.json"
RUNS = 5
# Long tasks are counted from navigation until this long after the load event.
SETTLE_MS = 3000
# Pause between loads (see `quiet`).
QUIET_SECONDS = 1.0
LONG_TASK_MS = 50
LAUNCHER_TARGET_MS = 50
BLOCKING_TARGET_MS = 10
HTTP_TIMEOUT = 10.0
PAGE_TIMEOUT_MS = 15_000
LAUNCHER = '[data-parley="launcher"]'
# Enough for RunTask (with its CPU time), EvaluateScript and navigationStart, and little more.
TRACE_CATEGORIES = ["disabled-by-default-devtools.timeline", "devtools.timeline", "blink.user_timing"]

# Runs before any script of the page. It records, on the page's own clock (performance.now(), ms
# since navigation): long tasks, the widget script's load event, the first frame with the launcher
# rendered, and after a click on the launcher the first frames with the panel shown and online.
# Watching starts from DOM mutations, so the page without the widget pays only an idle observer.
INIT_SCRIPT = """
(() => {
  const bench = (window.__parleyBench = {
    longTasks: [], scriptLoad: null, launcherAdded: null, launcherVisible: null,
    click: null, panelRendered: null, panelVisible: null, panelSettled: null, online: null,
  });
  try {
    new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) bench.longTasks.push([entry.startTime, entry.duration]);
    }).observe({ type: 'longtask', buffered: true });
  } catch (error) {
    bench.longTaskError = String(error);
  }
  // load does not bubble and never reaches window from an element, so catch it on the document.
  document.addEventListener('load', (event) => {
    const target = event.target;
    const isWidget = target instanceof HTMLScriptElement && /\\/widget\\.js$/.test(target.src);
    if (isWidget && bench.scriptLoad === null) bench.scriptLoad = performance.now();
  }, true);
  let root = null;
  const rendered = (node) => {
    const box = node.getBoundingClientRect();
    return box.width > 0 && box.height > 0 && getComputedStyle(node).visibility === 'visible';
  };
  const watchLauncher = () => {
    const launcher = root.querySelector('[data-parley="launcher"]');
    if (launcher && rendered(launcher)) bench.launcherVisible = performance.now();
    else if (performance.now() - bench.launcherAdded < 10000) requestAnimationFrame(watchLauncher);
  };
  const observer = new MutationObserver((records) => {
    for (const record of records) {
      for (const node of record.addedNodes) {
        if (node.shadowRoot && node.shadowRoot.querySelector('[data-parley="launcher"]')) {
          root = node.shadowRoot;
          bench.launcherAdded = performance.now();
          observer.disconnect();
          requestAnimationFrame(watchLauncher);
          return;
        }
      }
    }
  });
  observer.observe(document, { childList: true, subtree: true });
  const watchPanel = () => {
    const now = performance.now();
    const panel = root.querySelector('[data-parley="panel"]');
    if (panel && rendered(panel)) {
      bench.panelRendered = bench.panelRendered ?? now;
      const opacity = Number(getComputedStyle(panel).opacity);
      if (opacity > 0) bench.panelVisible = bench.panelVisible ?? now;
      if (opacity === 1) bench.panelSettled = bench.panelSettled ?? now;
    }
    const status = root.querySelector('[data-parley="status"]');
    if (status && status.getAttribute('data-state') === 'online') bench.online = bench.online ?? now;
    const done = bench.panelSettled !== null && bench.online !== null;
    if (!done && now - bench.click < 10000) requestAnimationFrame(watchPanel);
  };
  document.addEventListener('click', (event) => {
    const onLauncher = event.composedPath().some(
      (node) => node.getAttribute && node.getAttribute('data-parley') === 'launcher',
    );
    if (root && bench.click === null && onLauncher) {
      bench.click = performance.now();
      requestAnimationFrame(watchPanel);
    }
  }, true);
})();
"""

# Read after the settle time: the page's timings and the resources it fetched.
COLLECT_SCRIPT = """
() => {
  const navigation = performance.getEntriesByType('navigation')[0];
  const paint = performance.getEntriesByName('first-contentful-paint')[0];
  return {
    ...window.__parleyBench,
    domContentLoaded: navigation.domContentLoadedEventEnd,
    loadEnd: navigation.loadEventEnd,
    firstContentfulPaint: paint ? paint.startTime : null,
    resources: performance.getEntriesByType('resource').map((entry) => ({
      name: entry.name, startTime: entry.startTime, responseEnd: entry.responseEnd,
    })),
  };
}
"""


def log(message: str) -> None:
    """Progress on stderr, so stdout is just the table."""
    print(message, file=sys.stderr, flush=True)


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


@dataclass
class Run:
    """What one page load recorded (ms on the page's clock), its Chromium trace and the storage it left."""

    url: str
    page: dict[str, Any]
    trace: bytes | None = None
    storage: StorageState | None = None

    def resource_end(self, suffix: str) -> float | None:
        """responseEnd of the first resource whose URL ends with ``suffix``."""
        for entry in self.page["resources"]:
            if entry["name"].split("?", 1)[0].endswith(suffix):
                return float(entry["responseEnd"])
        return None

    def blocking(self) -> tuple[float, float]:
        """Total blocking time from navigation until the settle time, and the longest long task."""
        window_end = self.page["loadEnd"] + SETTLE_MS
        tasks = [duration for start, duration in self.page["longTasks"] if start < window_end]
        return sum(max(0.0, d - LONG_TASK_MS) for d in tasks), max(tasks, default=0.0)


def since(end: float | None, start: float | None) -> float | None:
    """end - start when both were recorded."""
    return None if end is None or start is None else end - start


def load_page(
    browser: Browser,
    url: str,
    *,
    open_chat: bool,
    traced: bool = False,
    storage: StorageState | None = None,
    keep_storage: bool = False,
) -> Run:
    """Load ``url`` in a fresh context (empty HTTP cache; empty storage unless ``storage`` is given), let it
    settle, optionally open the chat; with ``keep_storage``, return the storage the load left."""
    context = browser.new_context(storage_state=storage)
    try:
        context.set_default_timeout(PAGE_TIMEOUT_MS)
        context.add_init_script(INIT_SCRIPT)
        page = context.new_page()
        if traced:
            browser.start_tracing(page=page, categories=TRACE_CATEGORIES)
        try:
            page.goto(url, wait_until="load")
            settle(page)
            if open_chat:
                # Locate the launcher now, then click by coordinates: Playwright's selector engine
                # would otherwise be compiled in the page right after the click, inside the figure.
                box = page.locator(LAUNCHER).bounding_box()
                if box is None:
                    raise RuntimeError("the launcher is not on the page")
                page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
                wait_for(page, "b.panelSettled !== null && b.online !== null")
            result = page.evaluate(COLLECT_SCRIPT)
        finally:
            trace = browser.stop_tracing() if traced else None
        storage_left = context.storage_state() if keep_storage else None
        return Run(url=url, page=result, trace=trace, storage=storage_left)
    finally:
        context.close()


def settle(page: Page) -> None:
    """Wait until SETTLE_MS after the load event, on the page's clock."""
    # Waited out here first: an evaluate right after the load event would run on the page's main thread
    # while the widget may still be drawing its launcher, and add Playwright's own work to the figure.
    page.wait_for_timeout(SETTLE_MS)
    load_end, now = page.evaluate(
        "() => [performance.getEntriesByType('navigation')[0].loadEventEnd, performance.now()]"
    )
    page.wait_for_timeout(max(0.0, load_end + SETTLE_MS - now))


def wait_for(page: Page, condition: str, timeout: float = 10.0) -> None:
    """Poll a condition on window.__parleyBench (as `b`); a timeout leaves the figure missing."""
    # Polled from here: wait_for_function would compile Playwright's injected script in the page
    # while the panel opens, inside the figures.
    check = f"() => {{ const b = window.__parleyBench; return {condition}; }}"
    deadline = time.monotonic() + timeout
    while not page.evaluate(check):
        if time.monotonic() > deadline:
            log(f"  timed out waiting for {condition}")
            return
        page.wait_for_timeout(50)


def figures(run: Run, *, widget: bool) -> dict[str, float | None]:
    """The figures of one untraced run, in ms."""
    page = run.page
    blocking, longest = run.blocking()
    result: dict[str, float | None] = {
        "blocking_ms": blocking,
        "longest_long_task_ms": longest,
        "first_contentful_paint_ms": page["firstContentfulPaint"],
        "load_event_ms": page["loadEnd"],
    }
    if widget:
        widget_end = run.resource_end("/widget.js")
        result |= {
            "launcher_after_widget_js_ms": since(page["launcherVisible"], widget_end),
            "launcher_after_script_load_ms": since(page["launcherVisible"], page["scriptLoad"]),
            "launcher_from_navigation_ms": page["launcherVisible"],
            # The frame callback that sees the launcher runs before that frame is painted, so 0 or less
            # means the launcher was in the page's first painted frame: nothing can show sooner.
            "launcher_after_first_paint_ms": since(page["launcherVisible"], page["firstContentfulPaint"]),
            "widget_js_response_end_ms": widget_end,
            "script_executed_after_widget_js_ms": since(page["scriptLoad"], widget_end),
            "config_after_widget_js_ms": since(run.resource_end("/config"), widget_end),
            "open_panel_visible_ms": since(page["panelVisible"], page["click"]),
            "open_panel_settled_ms": since(page["panelSettled"], page["click"]),
            "open_panel_js_ms": since(run.resource_end("/widget/panel.js"), page["click"]),
            "open_online_ms": since(page["online"], page["click"]),
        }
    return result


def trace_figures(run: Run, *, widget: bool) -> dict[str, float | None]:
    """Main-thread tasks of a traced run, wall and CPU ms, including those long-task timing cannot see."""
    # CPU time is the steadier figure on a busy machine, where wall time includes waiting for a core.
    assert run.trace is not None
    events: list[dict[str, Any]] = json.loads(run.trace)["traceEvents"]
    navigation = next(
        event
        for event in events
        if event.get("name") == "navigationStart"
        and event.get("args", {}).get("data", {}).get("documentLoaderURL") == run.url
    )
    thread = (navigation["pid"], navigation["tid"])  # the renderer's main thread
    zero = navigation["ts"]
    on_main = [event for event in events if (event.get("pid"), event.get("tid")) == thread and "dur" in event]
    # Top-level tasks only: a nested run loop would count its tasks twice.
    tasks: list[dict[str, Any]] = []
    for event in sorted((e for e in on_main if e["name"] == "RunTask"), key=lambda e: e["ts"]):
        if not tasks or event["ts"] >= tasks[-1]["ts"] + tasks[-1]["dur"]:
            tasks.append(event)

    def ms(microseconds: float) -> float:
        return microseconds / 1000

    def window(start_ms: float, end_ms: float) -> list[dict[str, Any]]:
        return [task for task in tasks if start_ms <= ms(task["ts"] - zero) < end_ms]

    def longest(chosen: list[dict[str, Any]]) -> tuple[float | None, float | None]:
        if not chosen:
            return None, None
        task = max(chosen, key=lambda task: task["dur"])
        return ms(task["dur"]), ms(task.get("tdur", 0))

    def evaluation(suffix: str) -> tuple[float | None, float | None]:
        for event in on_main:
            if event["name"] == "EvaluateScript" and str(
                event.get("args", {}).get("data", {}).get("url", "")
            ).endswith(suffix):
                return ms(event["dur"]), ms(event.get("tdur", 0))
        return None, None

    page = run.page
    loading = window(0, page["loadEnd"] + SETTLE_MS)
    wall, cpu = longest(loading)
    result: dict[str, float | None] = {
        "main_thread_cpu_ms": sum(ms(task.get("tdur", 0)) for task in loading),
        "longest_task_wall_ms": wall,
        "longest_task_cpu_ms": cpu,
    }
    if widget:
        result["widget_js_eval_wall_ms"], result["widget_js_eval_cpu_ms"] = evaluation("/widget.js")
        result["panel_js_eval_wall_ms"], result["panel_js_eval_cpu_ms"] = evaluation("/widget/panel.js")
        if page["click"] is not None:
            opened = page["online"] if page["online"] is not None else page["click"] + 10_000
            opening = window(page["click"] - 1, opened + 1)
            result["open_longest_task_wall_ms"], result["open_longest_task_cpu_ms"] = longest(opening)
            result["open_main_thread_cpu_ms"] = sum(ms(task.get("tdur", 0)) for task in opening)
    return result


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
            "--password",
            deployment.password,
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
        "benchmark": "host-page cost of the widget in headless Chromium",
        "generated_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "platform": platform.platform(),
            "chromium": version,
            "loadavg_1min_before": load_before,
        },
        "runs": runs,
        "settle_ms": SETTLE_MS,
        "targets": {
            "launcher_after_script_load_ms": LAUNCHER_TARGET_MS,
            "added_blocking_ms": BLOCKING_TARGET_MS,
        },
        "medians": medians,
        "verdicts": verdicts(medians),
        "per_run": results,
        "elapsed_seconds": round(time.monotonic() - started, 1),
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


def fmt(value: float | None) -> str:
    """A figure in ms, or "-" when missing."""
    return "-" if value is None else f"{value:.1f}"


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
    parser = argparse.ArgumentParser(prog="python -m bench.host_page", description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=RUNS, help=f"loads of each page (default {RUNS})")
    parser.add_argument("--output", type=Path, default=OUTPUT, help=f"JSON results (default {OUTPUT})")
    args = parser.parse_args(argv)
    if args.runs < 1:
        parser.error("--runs must be positive")
    results = run(args.runs)
    print(table(results))
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(results, indent=2) + "\n")
    log(f"Wrote {args.output} ({results['elapsed_seconds']} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
