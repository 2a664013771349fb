"""One page load in headless Chromium: what the page recorded about the widget, and its Chromium trace.

An init script runs before any script of the page and records, on the page's own clock, long tasks, the
widget script's load event, the launcher's first rendered frame and, after a click, the panel's; the
figures are read after a settle time. A traced load reads the main thread's tasks from the trace.
"""

import json
import time
from dataclasses import dataclass
from typing import Any

from playwright.sync_api import Browser, Page, StorageState

from bench.common import log

# Long tasks are counted from navigation until this long after the load event.
SETTLE_MS = 3000
LONG_TASK_MS = 50
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
