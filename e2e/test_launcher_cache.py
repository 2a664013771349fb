"""A returning visitor's launcher is drawn from the config cached in localStorage; the server still rules."""

import json
import time
from typing import Any

from playwright.sync_api import Page, Route, expect

from e2e.conftest import console_messages, page_errors, screenshot
from tests.processes import DemoDeployment

LAUNCHER = '[data-parley="launcher"]'
CHANGED_SITE = {
    "name": "Renamed Roastery",
    "color": "#0a7d32",
    "greeting": "Welcome back! Ask us anything.",
    "position": "left",
}


def config_pattern(deployment: DemoDeployment) -> str:
    """The URL pattern of the site's config request."""
    return f"{deployment.server_url}/api/widget/sites/*/config"


def first_visit(page: Page, deployment: DemoDeployment) -> str:
    """Load the shop once so the widget caches the config; return the cache's localStorage key."""
    page.goto(deployment.shop_url)
    expect(page.locator(LAUNCHER)).to_be_visible()
    keys = page.evaluate("() => Object.keys(localStorage).filter((key) => key.endsWith(':config'))")
    assert len(keys) == 1, keys
    return str(keys[0])


def cached_config(page: Page, key: str) -> Any:
    """The cached config as the widget stored it (None when absent or emptied)."""
    text = page.evaluate("(key) => localStorage.getItem(key)", key)
    return json.loads(text) if text else None


def hold_config_requests(page: Page, deployment: DemoDeployment) -> list[Route]:
    """Intercept the config request and keep it unanswered; the test answers it from the list."""
    held: list[Route] = []

    def hold(route: Route) -> None:
        held.append(route)

    page.route(config_pattern(deployment), hold)
    return held


def wait_for_held(page: Page, held: list[Route]) -> Route:
    """The first held config request, once the page has made it."""
    deadline = time.monotonic() + 10
    while not held:
        assert time.monotonic() < deadline, "the widget never asked for its config"
        page.wait_for_timeout(20)
    return held[0]


def test_a_returning_visitor_sees_the_launcher_before_the_config_answers(
    deployment: DemoDeployment, new_context
) -> None:
    """On the next page view the launcher is drawn from the cached config while the config request waits."""
    page = new_context().new_page()
    errors = page_errors(page)
    key = first_visit(page, deployment)
    site = cached_config(page, key)
    assert site["name"], site
    assert site["color"].startswith("#"), site

    held = hold_config_requests(page, deployment)
    page.reload()
    request = wait_for_held(page, held)
    launcher = page.locator(LAUNCHER)
    expect(launcher).to_be_visible()
    expect(launcher).to_have_attribute("aria-label", "Open chat")
    request.continue_()
    launcher.click()
    expect(page.locator('[data-parley="panel"]')).to_contain_text(site["name"])
    assert not errors, errors


def test_a_changed_config_is_applied_and_cached(deployment: DemoDeployment, new_context) -> None:
    """A config that changed since it was cached replaces the cached look: colour, side, name, greeting."""
    page = new_context(viewport={"width": 1000, "height": 700}).new_page()
    key = first_visit(page, deployment)
    launcher = page.locator(LAUNCHER)
    old_color = launcher.evaluate("(node) => getComputedStyle(node).backgroundColor")
    assert old_color != "rgb(10, 125, 50)"

    held = hold_config_requests(page, deployment)
    page.reload()
    request = wait_for_held(page, held)
    expect(launcher).to_have_css("background-color", old_color)
    answer = request.fetch()
    request.fulfill(response=answer, json={**answer.json(), "site": CHANGED_SITE})

    expect(launcher).to_have_css("background-color", "rgb(10, 125, 50)")
    box = launcher.bounding_box()
    assert box is not None
    assert box["x"] < 100, box  # moved to the left edge
    assert cached_config(page, key) == CHANGED_SITE
    screenshot(page, "launcher-changed-config")
    launcher.click()
    panel = page.locator('[data-parley="panel"]')
    expect(panel.locator('[data-parley="head"]')).to_contain_text(CHANGED_SITE["name"])
    expect(page.locator('[data-parley="greeting"]')).to_contain_text(CHANGED_SITE["greeting"])


def test_a_failed_config_fetch_removes_the_cached_launcher(deployment: DemoDeployment, new_context) -> None:
    """When the config request fails (site gone, origin refused), the cached launcher and the cache go."""
    page = new_context().new_page()
    console_errors = console_messages(page, "error")
    key = first_visit(page, deployment)

    held = hold_config_requests(page, deployment)
    page.reload()
    request = wait_for_held(page, held)
    launcher = page.locator(LAUNCHER)
    expect(launcher).to_be_visible()
    # What the server sends a refused origin: an error without CORS headers, so the fetch fails.
    request.fulfill(status=403, json={"error": {"code": "origin_not_allowed", "message": "refused"}})

    expect(launcher).to_have_count(0)
    expect(page.locator("#parley-widget")).to_have_count(0)
    assert cached_config(page, key) is None
    assert any("Parley: chat unavailable" in text for text in console_errors), console_errors


def test_an_unreadable_cache_is_ignored(deployment: DemoDeployment, new_context) -> None:
    """Corrupt JSON in the cache draws nothing until the server's config arrives, which replaces it."""
    page = new_context().new_page()
    errors = page_errors(page)
    key = first_visit(page, deployment)
    page.evaluate("(key) => localStorage.setItem(key, '{not json')", key)

    held = hold_config_requests(page, deployment)
    page.reload()
    request = wait_for_held(page, held)
    expect(page.locator(LAUNCHER)).to_have_count(0)
    request.continue_()
    expect(page.locator(LAUNCHER)).to_be_visible()
    assert cached_config(page, key)["name"]
    assert not errors, errors


def test_the_embed_codes_preload_hint_serves_the_widgets_config_request(
    deployment: DemoDeployment, new_context
) -> None:
    """A first visit fetches its config once, by the embed code's preload hint, and the widget uses it."""
    page = new_context().new_page()
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url) if "/config" in request.url else None)
    # Chromium warns about a preload nobody used within a few seconds, and about one that did not match.
    warnings = console_messages(page, "warning")
    errors = page_errors(page)
    page.goto(deployment.shop_url)
    expect(page.locator(LAUNCHER)).to_be_visible()
    page.wait_for_timeout(3500)
    assert len(requests) == 1, requests
    initiators = page.evaluate(
        "() => performance.getEntriesByType('resource')"
        ".filter((entry) => entry.name.endsWith('/config')).map((entry) => entry.initiatorType)"
    )
    assert initiators == ["link"]
    assert [warning for warning in warnings if "preload" in warning] == []
    assert errors == []
