"""The console and the admin run in Chromium under their strict Content-Security-Policy without a
single violation: login, the live socket, the inbox, the lockout page and the admin's pages."""

from collections.abc import Iterator

import pytest
from playwright.sync_api import ConsoleMessage, Page, expect

from e2e.conftest import page_errors, screenshot
from e2e.test_live_chat import log_in, open_chat_on_shop
from tests.processes import DemoDeployment, demo_deployment

ADMIN_PAGES = [
    "/admin/",
    "/admin/sites/site/",
    "/admin/sites/site/add/",
    "/admin/sites/sitemembership/",
    "/admin/auth/user/",
    "/admin/auth/user/add/",
]


@pytest.fixture(scope="module")
def deployment(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DemoDeployment]:
    """A deployment of this module's own: its conversations and lockouts reach no other test's inbox."""
    with demo_deployment(tmp_path_factory.mktemp("csp-deployment")) as running:
        yield running


def csp_violations(page: Page) -> list[str]:
    """A list that fills with every message Chromium logs about a Content-Security-Policy refusal."""
    found: list[str] = []

    def record(message: ConsoleMessage) -> None:
        text = message.text
        if "Content Security Policy" in text or "Content-Security-Policy" in text or "Refused to" in text:
            found.append(f"{page.url}: {text}")

    page.on("console", record)
    return found


def test_the_console_logs_in_connects_and_shows_the_inbox_without_a_csp_violation(
    deployment: DemoDeployment, new_context
) -> None:
    """Log in, the socket online, the inbox shown → no CSP violation, no page error."""
    page = new_context(viewport={"width": 1280, "height": 760}).new_page()
    violations = csp_violations(page)
    uncaught = page_errors(page)
    response = page.goto(f"{deployment.server_url}/console/login/")
    assert response is not None
    assert "default-src 'none'" in response.headers["content-security-policy"]
    log_in(page, deployment)
    expect(page.locator('[data-console="status"]')).to_have_attribute("data-state", "online")
    expect(page.locator('[data-console="inbox"]')).to_be_visible()
    # A conversation arrives live, is opened and answered: the thread's rendering runs under the policy too.
    visitor = new_context().new_page()
    composer = open_chat_on_shop(visitor, deployment)
    composer.fill("Is the CSP strict?")
    composer.press("Enter")
    page.locator('[data-console="conversation"]', has_text="Is the CSP strict?").click()
    reply = page.locator('[data-console="reply"]')
    reply.fill("As strict as it gets.")
    reply.press("Enter")
    expect(page.locator('[data-console="message"][data-author="agent"]').last).to_contain_text(
        "As strict as it gets."
    )
    screenshot(page, "csp-console")
    page.wait_for_timeout(300)
    assert violations == []
    assert uncaught == []
    # The watch itself works: an inline style added now is refused, and Chromium says so.
    page.evaluate(
        "document.head.append(Object.assign(document.createElement('style'), {textContent: 'p{}'}))"
    )
    page.wait_for_timeout(300)
    assert any("style-src" in violation for violation in violations), violations


def test_the_admin_pages_run_without_a_csp_violation(deployment: DemoDeployment, new_context) -> None:
    """The demo agent (staff) through the admin's index, lists and add forms → no CSP violation."""
    page = new_context(viewport={"width": 1280, "height": 900}).new_page()
    violations = csp_violations(page)
    uncaught = page_errors(page)
    page.goto(f"{deployment.server_url}/admin/login/")
    page.fill("#id_login", deployment.username)
    page.fill("#id_password", deployment.password)
    page.click("button[type=submit]")  # the admin's login is the console's
    expect(page.locator("#site-name")).to_be_visible()
    for path in ADMIN_PAGES:
        response = page.goto(f"{deployment.server_url}{path}")
        assert response is not None
        assert response.status == 200, path
        assert "script-src 'self'" in response.headers["content-security-policy"]
        page.wait_for_load_state("load")
    for listing in ("/admin/auth/user/", "/admin/sites/site/"):
        # A change form (the user's has the password widget and the many-to-many selectors).
        page.goto(f"{deployment.server_url}{listing}")
        page.locator("#result_list tbody th a").first.click()
        expect(page.locator("input[type=submit][name=_save]")).to_be_visible()
        page.wait_for_load_state("load")
    screenshot(page, "csp-admin-site")
    page.goto(f"{deployment.server_url}/admin/password_change/")
    expect(page.locator("#id_old_password")).to_be_visible()
    page.wait_for_timeout(300)
    assert violations == []
    assert uncaught == []


def test_the_lockout_page_is_the_consoles_without_a_csp_violation(
    deployment: DemoDeployment, new_context
) -> None:
    """Five wrong passwords for one username → the lockout page, styled, with no CSP violation."""
    page = new_context(viewport={"width": 1000, "height": 700}).new_page()
    violations = csp_violations(page)
    for _ in range(5):
        page.goto(f"{deployment.server_url}/console/login/")
        page.fill("#id_login", "intruder")
        page.fill("#id_password", "guess")
        page.click("button[type=submit]")
    expect(page.locator("h1")).to_have_text("Too many failed logins")
    assert page.locator(".login-card").evaluate("node => getComputedStyle(node).display") != "inline"
    screenshot(page, "csp-lockout")
    assert violations == []
