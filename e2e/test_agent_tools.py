"""The agent tools in real Chromium: the visitor sidebar follows the visitor's page, canned replies expand,
and a private note never reaches the widget (its DOM or its socket)."""

import re
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import Page, WebSocket, expect

from e2e.conftest import screenshot
from e2e.test_accessibility import assert_accessible
from e2e.test_live_chat import log_in
from tests.processes import DemoDeployment, demo_deployment

WIDE = {"width": 1360, "height": 800}


@pytest.fixture(scope="module")
def deployment(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DemoDeployment]:
    """A deployment of this module's own: its conversations and canned replies reach no other test."""
    with demo_deployment(tmp_path_factory.mktemp("tools-deployment")) as running:
        yield running


def visitor_says(visitor: Page, deployment: DemoDeployment, text: str) -> None:
    """Open the shop, open the chat and send one message."""
    visitor.goto(deployment.shop_url)
    visitor.locator('[data-parley="launcher"]').click()
    composer = visitor.locator('[data-parley="input"]')
    composer.fill(text)
    composer.press("Enter")
    expect(visitor.locator('[data-parley="message"][data-author="visitor"]').last).to_contain_text(text)


def open_in_console(agent: Page, text: str) -> None:
    """Open the conversation whose preview shows `text`."""
    agent.locator('[data-console="conversation"]', has_text=text).click()
    expect(agent.locator('[data-console="thread-body"]')).to_be_visible()


def create_canned(agent: Page, *, shortcut: str, title: str, body: str) -> None:
    """Create a canned reply in the console's dialog, then close it."""
    agent.locator('[data-console="canned-open"]').click()
    dialog = agent.locator('[data-console="canned-dialog"]')
    expect(dialog).to_be_visible()
    dialog.locator('[data-console="canned-add"]').click()
    dialog.locator('[data-console="canned-shortcut"]').fill(shortcut)
    dialog.locator('[data-console="canned-name"]').fill(title)
    dialog.locator('[data-console="canned-body"]').fill(body)
    dialog.locator('[data-console="canned-save"]').click()
    expect(dialog.locator(f'[data-console="canned-item"][data-shortcut="{shortcut}"]')).to_be_visible()
    agent.keyboard.press("Escape")
    expect(dialog).to_be_hidden()


def widget_html(visitor: Page) -> str:
    """Everything the widget shows, from inside its shadow root."""
    return str(visitor.evaluate("document.getElementById('parley-widget').shadowRoot.innerHTML"))


def test_the_sidebar_follows_the_visitor_across_pages_and_pushstate(
    deployment: DemoDeployment, new_context: Any
) -> None:
    """Page address and title change live on a pushState and on a real navigation, with the chat open or
    closed (no panel loaded); the rest of the context (browser, local time, language, visits) is there;
    only http(s) addresses are links."""
    hello = f"Sidebar check {uuid.uuid4().hex[:6]}"
    visitor = new_context(timezone_id="Asia/Tokyo", locale="ja-JP").new_page()
    visitor_says(visitor, deployment, hello)
    agent = new_context(viewport=WIDE).new_page()
    log_in(agent, deployment)
    open_in_console(agent, hello)
    sidebar = agent.locator('[data-console="sidebar"]')
    page_link = sidebar.locator('[data-console="sidebar-page"] a')
    expect(page_link).to_have_attribute("href", deployment.shop_url.rstrip("/") + "/")
    expect(page_link).to_have_attribute("rel", "noopener noreferrer nofollow")
    expect(sidebar.locator('[data-console="sidebar-local-time"]')).to_contain_text("Asia/Tokyo")
    expect(sidebar.locator('[data-console="sidebar-language"]')).to_contain_text("ja-JP")
    expect(sidebar.locator('[data-console="sidebar-browser"]')).to_contain_text("Chrome")
    expect(sidebar.locator('[data-console="sidebar-visits"]')).to_contain_text("1")
    expect(sidebar.locator('[data-console="sidebar-name"]')).to_have_text(
        re.compile(r"^[A-Z][a-z]+ [A-Z][a-z]+$")
    )

    # A single-page app's route change: the History API, no page load.
    visitor.evaluate("history.pushState({}, '', '/spa/checkout'); document.title = 'Checkout'")
    expect(page_link).to_have_attribute("href", re.compile(r"/spa/checkout$"), timeout=5_000)
    expect(page_link).to_have_text("Checkout")
    visitor.evaluate("history.replaceState({}, '', '/spa/checkout?step=pay')")
    expect(page_link).to_have_attribute("href", re.compile(r"/spa/checkout\?step=pay$"), timeout=5_000)
    # A real navigation: a new page load, a new socket.
    visitor.goto(deployment.shop_url.rstrip("/") + "/?from=sidebar")
    expect(page_link).to_have_attribute("href", re.compile(r"\?from=sidebar$"), timeout=8_000)
    # The thread's header follows too.
    expect(agent.locator('[data-console="thread-url-text"]')).to_contain_text("from=sidebar")
    screenshot(agent, "sidebar")

    # The chat closed on a new page view: no panel is loaded, and the loader's pings carry the route.
    visitor.evaluate("Parley('close')")
    visitor.goto(deployment.shop_url.rstrip("/") + "/?closed=1")
    expect(page_link).to_have_attribute("href", re.compile(r"\?closed=1$"), timeout=8_000)
    visitor.evaluate("history.pushState({}, '', '/spa/closed-route'); document.title = 'Closed route'")
    expect(page_link).to_have_attribute("href", re.compile(r"/spa/closed-route$"), timeout=15_000)
    expect(page_link).to_have_text("Closed route")
    assert visitor.evaluate("document.querySelectorAll('script[src*=\"/widget/panel\"]').length") == 0


def test_a_canned_reply_is_created_and_expands_in_the_composer(
    deployment: DemoDeployment, new_context: Any
) -> None:
    """Created in the dialog, `/shortcut` lists it under the reply box, Tab expands it, Enter sends it."""
    hello = f"Canned check {uuid.uuid4().hex[:6]}"
    shortcut = f"ship{uuid.uuid4().hex[:4]}"
    answer = "Orders ship within 24 hours from our roastery."
    visitor = new_context().new_page()
    visitor_says(visitor, deployment, hello)
    agent = new_context(viewport=WIDE).new_page()
    log_in(agent, deployment)
    open_in_console(agent, hello)

    create_canned(agent, shortcut=shortcut, title="Shipping times", body=answer)

    reply = agent.locator('[data-console="reply"]')
    reply.fill("/" + shortcut[:3])
    suggestions = agent.locator('[data-console="canned-suggestions"]')
    expect(suggestions).to_contain_text("/" + shortcut)
    reply.fill("/" + shortcut)
    reply.press("Tab")
    expect(reply).to_have_value(answer)
    reply.press("Enter")
    expect(visitor.locator('[data-parley="message"][data-author="agent"]').last).to_contain_text(answer)


def test_a_private_note_never_reaches_the_widget(deployment: DemoDeployment, new_context: Any) -> None:
    """A note shows in the console (apart from the messages) and never in the widget's DOM or on any
    frame its socket receives, while the reply written after it does arrive."""
    hello = f"Note check {uuid.uuid4().hex[:6]}"
    secret = f"VIP customer, refund approved ({uuid.uuid4().hex[:10]})"
    visitor = new_context().new_page()
    received: list[str] = []

    def watch(socket: WebSocket) -> None:
        socket.on("framereceived", lambda payload: received.append(str(payload)))

    visitor.on("websocket", watch)
    visitor_says(visitor, deployment, hello)
    agent = new_context(viewport=WIDE).new_page()
    log_in(agent, deployment)
    open_in_console(agent, hello)

    agent.locator('[data-console="mode-note"]').click()
    expect(agent.locator('[data-console="composer"]')).to_have_attribute("data-mode", "note")
    reply = agent.locator('[data-console="reply"]')
    reply.fill(secret)
    reply.press("Enter")
    notes = agent.locator('[data-console="notes"]')
    expect(notes.locator('[data-console="note"]:not([data-pending])')).to_contain_text(secret)
    expect(agent.locator('[data-console="messages"]')).not_to_contain_text(secret)

    agent.locator('[data-console="mode-reply"]').click()
    reply.fill("A reply after the note.")
    reply.press("Enter")
    expect(visitor.locator('[data-parley="message"][data-author="agent"]').last).to_contain_text(
        "A reply after the note."
    )
    create_canned(agent, shortcut="refund", title="Refund policy", body="Refunds reach your card in 5 days.")
    reply.fill("/re")
    expect(agent.locator('[data-console="canned-suggestions"]')).to_contain_text("/refund")
    screenshot(agent, "notes-canned")
    assert received, "the visitor's socket was not watched"
    assert not [frame for frame in received if secret in frame or "activity" in frame]
    assert secret not in widget_html(visitor)
    visitor.reload()
    visitor.locator('[data-parley="launcher"]').click()
    expect(visitor.locator('[data-parley="message"][data-author="agent"]').last).to_contain_text(
        "A reply after the note."
    )
    assert secret not in widget_html(visitor)
    assert not [frame for frame in received if secret in frame]


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_agent_tools_pass_axe(deployment: DemoDeployment, new_context: Any, scheme: str) -> None:
    """The sidebar with a note, a note being written, /shortcut suggestions, and both dialogs: clean."""
    hello = f"Axe check {uuid.uuid4().hex[:6]}"
    visitor = new_context().new_page()
    visitor_says(visitor, deployment, hello)
    # axe is injected as a script element, which the console's strict CSP would refuse.
    agent = new_context(viewport=WIDE, color_scheme=scheme, bypass_csp=True).new_page()
    log_in(agent, deployment)
    open_in_console(agent, hello)
    expect(agent.locator('[data-console="sidebar-browser"]')).to_be_visible()
    reply = agent.locator('[data-console="reply"]')
    # Keys typed in the reply box are text: shortcuts work from anywhere else.
    agent.locator('[data-console="thread-title"]').click()
    expect(reply).not_to_be_focused()
    agent.keyboard.press("n")
    expect(reply).to_be_focused()
    expect(agent.locator('[data-console="composer"]')).to_have_attribute("data-mode", "note")
    reply.fill("Checked the order.")
    reply.press("Enter")
    expect(agent.locator('[data-console="note"]:not([data-pending])')).to_have_count(1)
    reply.fill("Next note, not sent")
    assert_accessible(agent, f"sidebar and a note being written ({scheme})")

    shortcut = f"ax{uuid.uuid4().hex[:4]}"
    create_canned(agent, shortcut=shortcut, title="Axe", body="Thanks for waiting.")
    agent.locator('[data-console="mode-reply"]').click()
    reply.fill("/ax")
    expect(agent.locator('[data-console="canned-suggestions"]')).to_be_visible()
    assert_accessible(agent, f"canned suggestions ({scheme})")

    agent.locator('[data-console="canned-open"]').click()
    agent.locator('[data-console="canned-add"]').click()
    assert_accessible(agent, f"canned replies dialog ({scheme})")
    agent.keyboard.press("Escape")
    agent.locator('[data-console="thread-title"]').click()
    agent.keyboard.press("?")
    expect(agent.locator('[data-console="shortcuts-dialog"]')).to_be_visible()
    assert_accessible(agent, f"shortcuts dialog ({scheme})")
    screenshot(agent, f"shortcuts-{scheme}")
