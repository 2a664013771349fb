"""Hostile text rendered in real Chromium: markup and `javascript:` links in messages, visitor names, page
URLs and site names → shown as typed, in widget and console, creating no element and running nothing."""

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Locator, Page, expect

from e2e.conftest import page_errors, screenshot
from e2e.test_live_chat import log_in
from tests.processes import DemoDeployment

PWN = "window.__pwned=1"
SITE_NAME = f'Acme <img src=x onerror="{PWN}"><b>bold</b>'
MESSAGES = [
    f"<img src=x onerror={PWN}>",
    f"<script>{PWN}</script>",
    f'<a href="javascript:{PWN}">click me</a>',
    "javascript:alert(1)",
    f'<svg onload="{PWN}"></svg><iframe src="javascript:{PWN}"></iframe>',
]
AGENT_REPLY = f'<img src=x onerror="{PWN}"> <a href="javascript:{PWN}">help</a>'
VISITOR_NAME = f"<img src=x onerror={PWN}>Mallory"
VISITOR_EMAIL = f"<svg/onload={PWN}>@evil.test"
PAGE_URL = f"javascript:{PWN}//<img src=x onerror={PWN}>"
# Elements that text typed by someone must never become.
CREATED = "img[src=x], script:not([src]), b, a, svg[onload], iframe"


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DemoDeployment]:
    """A deployment of its own whose site is named with markup (the shared one keeps its clean name)."""
    deployment = DemoDeployment(workdir=tmp_path_factory.mktemp("hostile"))
    deployment.set_up()
    try:
        deployment.start_shop()  # it finds the demo site by its name, once, at startup
        deployment.manage(
            "shell", "-c", f"from server.sites.models import Site; Site.objects.update(name={SITE_NAME!r})"
        )
        deployment.start_server()
        yield deployment
    finally:
        deployment.stop_all()


def set_visitor_details(deployment: DemoDeployment) -> None:
    """Give every visitor a hostile name, email and last page URL (as an import or the admin could)."""
    fields = {"name": VISITOR_NAME, "email": VISITOR_EMAIL, "last_page_url": PAGE_URL}
    deployment.manage(
        "shell",
        "-c",
        f"from server.conversations.models import Visitor; Visitor.objects.update(**{json.dumps(fields)})",
    )


def assert_nothing_ran(page: Page, scope: Locator) -> None:
    """No hostile script ran on the page and nothing typed became an element under `scope`."""
    assert page.evaluate("() => window.__pwned") is None
    assert page.evaluate("() => document.title") != "1"
    assert scope.locator(CREATED).count() == 0, scope.inner_html()


def test_hostile_text_is_shown_as_text_in_widget_and_console(
    hostile: DemoDeployment, new_context, tmp_path: Path
) -> None:
    """Markup and javascript: links in messages, the agent's reply, the visitor's name, email and page URL
    and the site's name → visible exactly as typed in both apps; window.__pwned stays undefined; no img,
    script, link, svg or iframe is created from them."""
    visitor = new_context(viewport={"width": 1200, "height": 800}).new_page()
    visitor_errors = page_errors(visitor)
    visitor.goto(hostile.shop_url + f"?q=<img src=x onerror={PWN}>")
    visitor.locator('[data-parley="launcher"]').click()
    panel = visitor.locator('[data-parley="panel"]')
    expect(panel).to_be_visible()
    expect(visitor.locator('[data-parley="status"]')).to_have_attribute("data-state", "online")
    expect(panel).to_contain_text(SITE_NAME)
    composer = visitor.locator('[data-parley="input"]')
    for seq, body in enumerate(MESSAGES, start=1):
        composer.fill(body)
        composer.press("Enter")
        expect(visitor.locator(f'[data-parley="message"][data-seq="{seq}"]')).to_contain_text(body)
    # Closed while the details are set and shown: a tab's hello or page frame records its real URL.
    visitor_context = visitor.context
    visitor.close()
    set_visitor_details(hostile)

    agent = new_context(viewport={"width": 1280, "height": 800}).new_page()
    agent_errors = page_errors(agent)
    log_in(agent, hostile)
    row = agent.locator('[data-console="conversation"]').first
    expect(row).to_contain_text(VISITOR_NAME)
    row.click()
    thread = agent.locator('[data-console="thread"]')
    expect(thread.locator('[data-console="message"]')).to_have_count(len(MESSAGES))
    for seq, body in enumerate(MESSAGES, start=1):
        expect(thread.locator(f'[data-console="message"][data-seq="{seq}"]')).to_contain_text(body)
    expect(thread.locator('[data-console="thread-title"]')).to_have_text(VISITOR_NAME)
    expect(thread.locator('[data-console="thread-email"]')).to_have_text(VISITOR_EMAIL)
    expect(thread.locator('[data-console="thread-site"]')).to_have_text(SITE_NAME)
    expect(thread.locator('[data-console="thread-url-text"]')).to_have_text(PAGE_URL)

    reply = agent.locator('[data-console="reply"]')
    reply.fill(AGENT_REPLY)
    reply.press("Enter")
    reply_seq = len(MESSAGES) + 1
    expect(thread.locator(f'[data-console="message"][data-seq="{reply_seq}"]')).to_contain_text(AGENT_REPLY)
    visitor = visitor_context.new_page()
    reopened_errors = page_errors(visitor)
    visitor.goto(hostile.shop_url + f"?q=<img src=x onerror={PWN}>")
    visitor.locator('[data-parley="launcher"]').click()
    panel = visitor.locator('[data-parley="panel"]')
    expect(visitor.locator(f'[data-parley="message"][data-seq="{reply_seq}"]')).to_contain_text(AGENT_REPLY)

    screenshot(visitor, "security-hostile-text-widget")
    screenshot(agent, "security-hostile-text-console")
    assert_nothing_ran(visitor, panel)
    assert_nothing_ran(agent, agent.locator('[data-console="inbox"]'))
    assert_nothing_ran(agent, thread)
    assert agent.locator('a[href^="javascript:"]').count() == 0
    assert visitor.locator('a[href^="javascript:"]').count() == 0
    assert visitor_errors == []
    assert reopened_errors == []
    assert agent_errors == []
