"""axe-core over the widget (in its host page) and every console page, light and dark: no serious or
critical violation, and none of the landmark, list and scrolling rules issue 18 found broken."""

import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from e2e.test_live_chat import log_in, open_chat_on_shop
from tests.processes import REPO, DemoDeployment, demo_deployment

AXE = REPO / "frontend" / "node_modules" / "axe-core" / "axe.min.js"
SHOTS = Path(tempfile.gettempdir()) / "shots-robust"
# Failures at any impact: the widget must not add a banner to its host page, lists must stay lists
# (no <li> in a role="log"), and a scrolling message list must be reachable by keyboard.
ALWAYS_FAIL = {
    "landmark-no-duplicate-banner",
    "landmark-banner-is-top-level",
    "landmark-unique",
    "list",
    "listitem",
    "scrollable-region-focusable",
    "aria-dialog-name",
}
SCHEMES = ["light", "dark"]
LINKED_REPLY = "Our guide: https://example.com/guide (see step 2), or mailto:help@example.com."


@pytest.fixture(scope="module")
def deployment(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DemoDeployment]:
    """A deployment of this module's own: its lockouts and conversations reach no other test."""
    with demo_deployment(tmp_path_factory.mktemp("a11y-deployment")) as running:
        yield running


def axe_violations(page: Page, context: str | None = None) -> list[dict[str, Any]]:
    """The violations axe-core finds on the page (or within the CSS selector `context`)."""
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.add_script_tag(path=str(AXE))
    result: dict[str, Any] = page.evaluate(
        "async (context) => await axe.run("
        "context ? {include: [context]} : document, {resultTypes: ['violations']})",
        context,
    )
    return list(result["violations"])


def assert_accessible(page: Page, where: str, context: str | None = None) -> None:
    """No serious or critical violation, and none of ALWAYS_FAIL, on the page."""
    failing = [
        f"{where}: {violation['id']} ({violation['impact']}): {violation['help']} — "
        + "; ".join(
            f"{node['target']} {str(node.get('failureSummary', ''))[:300]}" for node in violation["nodes"][:4]
        )
        for violation in axe_violations(page, context)
        if violation["impact"] in {"serious", "critical"} or violation["id"] in ALWAYS_FAIL
    ]
    assert failing == [], "\n".join(failing)


def shot(page: Page, name: str) -> None:
    """A screenshot for people to look at (light and dark), under /tmp/shots-robust."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"))


@pytest.mark.parametrize("scheme", SCHEMES)
def test_the_widget_and_the_console_pass_axe(deployment: DemoDeployment, new_context, scheme: str) -> None:
    """Launcher, open panel with messages and links, login page, inbox with a conversation open: clean."""
    # axe is injected as a script element, which the pages' strict CSP would refuse.
    visitor = new_context(color_scheme=scheme, bypass_csp=True).new_page()
    visitor.goto(deployment.shop_url)
    expect(visitor.locator('[data-parley="launcher"]')).to_be_visible()
    assert_accessible(visitor, f"widget launcher ({scheme})")

    composer = open_chat_on_shop(visitor, deployment)
    composer.fill(f"Hello from a {scheme} page, see https://example.com/order/42.")
    composer.press("Enter")
    expect(visitor.locator('[data-parley="message"][data-seq]')).to_have_count(1)

    wide = {"width": 1280, "height": 760}
    agent = new_context(color_scheme=scheme, bypass_csp=True, viewport=wide).new_page()
    agent.goto(f"{deployment.server_url}/console/login/")
    assert_accessible(agent, f"console login ({scheme})")
    shot(agent, f"console-login-{scheme}")
    log_in(agent, deployment)
    agent.locator('[data-console="conversation"]').first.click()
    reply = agent.locator('[data-console="reply"]')
    reply.fill(LINKED_REPLY)
    reply.press("Enter")
    thread = agent.locator('[data-console="thread"] [data-console="message"]')
    expect(thread).to_have_count(2)
    expect(thread.last.locator("a")).to_have_count(2)
    assert_accessible(agent, f"console inbox with a conversation open ({scheme})")
    shot(agent, f"console-thread-{scheme}")

    agent_message = visitor.locator('[data-parley="message"][data-author="agent"]')
    expect(agent_message).to_have_count(1)
    expect(agent_message.locator("a")).to_have_count(2)
    assert_accessible(visitor, f"widget panel open with messages ({scheme})")
    shot(visitor, f"widget-open-{scheme}")


@pytest.mark.parametrize("scheme", SCHEMES)
def test_the_widget_full_screen_on_a_phone_passes_axe(
    deployment: DemoDeployment, new_context, scheme: str
) -> None:
    """The panel full screen on a narrow viewport: clean too."""
    phone = {"viewport": {"width": 390, "height": 740}, "is_mobile": True, "has_touch": True}
    visitor = new_context(color_scheme=scheme, bypass_csp=True, **phone).new_page()
    composer = open_chat_on_shop(visitor, deployment)
    composer.fill("Hello from a phone")
    composer.press("Enter")
    expect(visitor.locator('[data-parley="message"][data-seq]')).to_have_count(1)
    assert_accessible(visitor, f"widget full screen ({scheme})")
    shot(visitor, f"widget-phone-{scheme}")


@pytest.mark.parametrize("scheme", SCHEMES)
def test_the_lockout_page_passes_axe(deployment: DemoDeployment, new_context, scheme: str) -> None:
    """Five wrong passwords → the lockout page: clean."""
    page = new_context(color_scheme=scheme, bypass_csp=True).new_page()
    for _ in range(5):
        page.goto(f"{deployment.server_url}/console/login/")
        page.fill("#id_login", f"intruder-{scheme}")
        page.fill("#id_password", "guess")
        page.click("button[type=submit]")
    expect(page.locator("h1")).to_have_text("Too many failed logins")
    assert_accessible(page, f"lockout page ({scheme})")
    shot(page, f"console-lockout-{scheme}")
