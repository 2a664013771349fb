"""A visitor on a third-party page chats live with an agent in the console, in real Chromium."""

import re

from playwright.sync_api import Locator, Page, expect

from e2e.conftest import console_messages, page_errors, screenshot
from tests.processes import DemoDeployment

VISITOR_MESSAGE = "Hi! Where is my order #1234?"
# Typed markup must reach the other side as text, never as HTML.
VISITOR_MARKUP = '<img src=x onerror="document.title=1"> <b>is this bold?</b>'
AGENT_REPLY = "Hello! Order #1234 left our roastery this morning."


def log_in(page: Page, deployment: DemoDeployment, username: str | None = None) -> None:
    """Log in to the console as the demo agent (or another agent with the demo password)."""
    page.goto(f"{deployment.server_url}/console/")
    expect(page).to_have_url(re.compile(r"/console/login/"))
    page.fill("#id_login", username or deployment.username)
    page.fill("#id_password", deployment.password)
    page.click("button[type=submit]")
    expect(page).to_have_url(re.compile(r"/console/$"))
    expect(page.locator('[data-console="status"]')).to_have_attribute("data-state", "online")


def open_chat_on_shop(page: Page, deployment: DemoDeployment) -> Locator:
    """Open the demo shop, open the chat and return its message box."""
    page.goto(deployment.shop_url)
    page.locator('[data-parley="launcher"]').click()
    return page.locator('[data-parley="input"]')


def visitor_messages(page: Page) -> list[str]:
    """The texts of the messages the widget shows, in order."""
    return [text.strip() for text in page.locator('[data-parley="message"]').all_text_contents()]


def test_visitor_and_agent_chat_live_across_origins(deployment: DemoDeployment, new_context) -> None:
    """The visitor writes, the agent sees it live and replies, the visitor sees the reply and keeps it."""
    agent = new_context(viewport={"width": 1280, "height": 760}).new_page()
    log_in(agent, deployment)
    inbox_items = agent.locator('[data-console="conversation"]')
    expect(inbox_items).to_have_count(0)

    visitor = new_context(viewport={"width": 1200, "height": 760}).new_page()
    uncaught = page_errors(visitor)
    console_errors = console_messages(visitor, "error")
    visitor.goto(deployment.shop_url)
    visitor.locator('[data-parley="launcher"]').click()
    expect(visitor.locator('[data-parley="panel"]')).to_be_visible()
    expect(visitor.locator('[data-parley="status"]')).to_have_attribute("data-state", "online")
    composer = visitor.locator('[data-parley="input"]')
    composer.fill(VISITOR_MESSAGE)
    composer.press("Enter")
    expect(visitor.locator('[data-parley="message"][data-author="visitor"][data-seq="1"]')).to_contain_text(
        VISITOR_MESSAGE
    )

    # The agent's inbox shows the new conversation without a reload, marked unread.
    expect(inbox_items).to_have_count(1)
    expect(inbox_items.first).to_have_attribute("data-unread", "true")
    expect(inbox_items.first.locator('[data-console="preview"]')).to_contain_text(VISITOR_MESSAGE)

    composer.fill(VISITOR_MARKUP)
    composer.press("Enter")
    expect(visitor.locator('[data-parley="message"][data-seq="2"]')).to_contain_text("<b>is this bold?</b>")
    expect(inbox_items.first.locator('[data-console="preview"]')).to_contain_text("is this bold?")

    inbox_items.first.click()
    thread = agent.locator('[data-console="thread"]')
    expect(thread.locator('[data-console="message"][data-author="visitor"]')).to_have_count(2)
    expect(thread.locator('[data-console="message"][data-seq="2"]')).to_contain_text(
        '<img src=x onerror="document.title=1">'
    )
    assert thread.locator("img[src=x], b").count() == 0
    expect(inbox_items.first).to_have_attribute("data-unread", "false")

    reply = agent.locator('[data-console="reply"]')
    reply.fill(AGENT_REPLY)
    reply.press("Enter")
    expect(thread.locator('[data-console="message"][data-author="agent"][data-seq="3"]')).to_contain_text(
        AGENT_REPLY
    )

    # The visitor sees the reply without reloading.
    expect(visitor.locator('[data-parley="message"][data-author="agent"]')).to_contain_text(AGENT_REPLY)
    screenshot(visitor, "widget-open")
    screenshot(agent, "console")

    # After a reload the whole conversation is still there, each message once, in order.
    visitor.reload()
    visitor.locator('[data-parley="launcher"]').click()
    expect(visitor.locator('[data-parley="message"][data-seq="3"]')).to_contain_text(AGENT_REPLY)
    texts = visitor_messages(visitor)
    stored = [
        text
        for text in texts
        if any(part in text for part in (VISITOR_MESSAGE, "is this bold?", AGENT_REPLY))
    ]
    assert len(stored) == 3, texts
    assert VISITOR_MESSAGE in stored[0]
    assert "is this bold?" in stored[1]
    assert AGENT_REPLY in stored[2]
    assert visitor.title() != "1"
    errors = uncaught + console_errors
    assert not [error for error in errors if "Parley" in error or "Uncaught" in error], errors


def test_unread_badge_counts_replies_while_the_panel_is_closed(
    deployment: DemoDeployment, new_context
) -> None:
    """A reply that arrives while the panel is closed shows as a badge on the launcher."""
    visitor = new_context().new_page()
    composer = open_chat_on_shop(visitor, deployment)
    composer.fill("Anyone there?")
    composer.press("Enter")
    expect(visitor.locator('[data-parley="message"][data-seq="1"]')).to_be_visible()
    visitor.locator('[data-parley="close"]').click()
    expect(visitor.locator('[data-parley="panel"]')).to_be_hidden()

    agent = new_context().new_page()
    log_in(agent, deployment)
    item = agent.locator('[data-console="conversation"]', has_text="Anyone there?")
    item.click()
    reply = agent.locator('[data-console="reply"]')
    reply.fill("Yes, right here.")
    reply.press("Enter")
    expect(agent.locator('[data-console="message"][data-author="agent"]')).to_contain_text("Yes, right here.")

    expect(visitor.locator('[data-parley="badge"]')).to_have_text("1")
    visitor.locator('[data-parley="launcher"]').click()
    expect(visitor.locator('[data-parley="message"][data-author="agent"]')).to_contain_text(
        "Yes, right here."
    )
    expect(visitor.locator('[data-parley="badge"]')).to_be_hidden()


def test_the_console_requires_login(deployment: DemoDeployment, new_context) -> None:
    """Opening the console without a session lands on the login page; a wrong password is refused."""
    page = new_context().new_page()
    page.goto(f"{deployment.server_url}/console/")
    expect(page).to_have_url(re.compile(r"/console/login/"))
    page.fill("#id_login", deployment.username)
    page.fill("#id_password", "wrong-password")
    page.click("button[type=submit]")
    expect(page).to_have_url(re.compile(r"/console/login/"))
    expect(page.locator("body")).to_contain_text(
        re.compile("username and/or password you specified are not correct|Please enter", re.I)
    )


def test_closing_the_panel_gives_the_focus_back_to_the_launcher(
    deployment: DemoDeployment, new_context
) -> None:
    """Escape in the message box closes the panel and puts the focus on the launcher."""
    visitor = new_context().new_page()
    composer = open_chat_on_shop(visitor, deployment)
    expect(composer).to_be_focused()
    composer.press("Escape")
    expect(visitor.locator('[data-parley="panel"]')).to_be_hidden()
    expect(visitor.locator('[data-parley="launcher"]')).to_be_focused()


def test_a_panel_restored_open_on_load_leaves_the_pages_focus_alone(
    deployment: DemoDeployment, new_context
) -> None:
    """Open, then reload: the panel is open again, and the focus stays on the host page."""
    visitor = new_context().new_page()
    open_chat_on_shop(visitor, deployment)
    expect(visitor.locator('[data-parley="input"]')).to_be_focused()
    visitor.reload()
    expect(visitor.locator('[data-parley="launcher"]')).to_have_attribute("aria-expanded", "true")
    expect(visitor.locator('[data-parley="input"]')).to_be_visible()
    visitor.wait_for_timeout(500)
    assert visitor.evaluate("() => document.activeElement === document.body")
    visitor.locator('[data-parley="close"]').click()
    visitor.locator('[data-parley="launcher"]').click()
    expect(visitor.locator('[data-parley="input"]')).to_be_focused()
