"""Typing indicators and read receipts between the widget and the console, in real Chromium."""

from playwright.sync_api import Page, expect

from e2e.conftest import screenshot
from e2e.test_live_chat import log_in, open_chat_on_shop
from tests.processes import DemoDeployment


def visitor_writes(visitor: Page, text: str, seq: int) -> None:
    """The visitor sends a message and sees it stored."""
    composer = visitor.locator('[data-parley="input"]')
    composer.fill(text)
    composer.press("Enter")
    expect(visitor.locator(f'[data-parley="message"][data-seq="{seq}"]')).to_contain_text(text)


def agent_opens(agent: Page, text: str) -> None:
    """The agent opens the conversation whose preview shows `text`."""
    agent.locator('[data-console="conversation"]', has_text=text).click()
    expect(agent.locator('[data-console="message"][data-author="visitor"]').last).to_contain_text(text)


def test_typing_shows_and_clears_both_ways(deployment: DemoDeployment, new_context) -> None:
    """The agent sees the visitor typing until the box is empty; the visitor sees the agent until it sends."""
    visitor = new_context().new_page()
    open_chat_on_shop(visitor, deployment)
    visitor_writes(visitor, "Typing test: are you there?", 1)
    agent = new_context(viewport={"width": 1280, "height": 760}).new_page()
    log_in(agent, deployment)
    agent_opens(agent, "Typing test: are you there?")

    agent_typing = agent.locator('[data-console="typing"]')
    expect(agent_typing).to_be_hidden()
    visitor.locator('[data-parley="input"]').fill("I have a question about")
    expect(agent_typing).to_be_visible()
    expect(agent_typing).to_contain_text("is typing…")
    screenshot(agent, "console-visitor-typing")
    visitor.locator('[data-parley="input"]').fill("")
    expect(agent_typing).to_be_hidden()

    visitor_typing = visitor.locator('[data-parley="typing"]')
    expect(visitor_typing).to_be_hidden()
    reply = agent.locator('[data-console="reply"]')
    reply.fill("Let me check that for")
    expect(visitor_typing).to_be_visible()
    expect(visitor_typing).to_contain_text("is typing…")
    screenshot(visitor, "widget-agent-typing")
    reply.fill("Let me check that for you.")
    reply.press("Enter")
    expect(visitor.locator('[data-parley="message"][data-author="agent"]')).to_contain_text("Let me check")
    expect(visitor_typing).to_be_hidden()


def test_seen_appears_for_the_visitor_and_the_agent(deployment: DemoDeployment, new_context) -> None:
    """Once the agent opens the conversation the visitor's message shows Seen; the agent's reply read in the
    open widget shows Seen by visitor in the console."""
    visitor = new_context().new_page()
    open_chat_on_shop(visitor, deployment)
    visitor_writes(visitor, "Seen test: hello?", 1)
    own = visitor.locator('[data-parley="message"][data-seq="1"]')
    expect(own).not_to_have_attribute("data-seen", "")
    agent = new_context(viewport={"width": 1280, "height": 760}).new_page()
    log_in(agent, deployment)
    agent_opens(agent, "Seen test: hello?")
    expect(own).to_have_attribute("data-seen", "")
    expect(own.locator(".meta")).to_contain_text("Seen")
    screenshot(visitor, "widget-seen")

    reply = agent.locator('[data-console="reply"]')
    reply.fill("Hello, how can I help?")
    reply.press("Enter")
    # The widget is open in a visible tab: it reads the reply, and the console says so.
    seen = agent.locator('[data-console="message"][data-author="agent"] [data-console="seen"]')
    expect(seen).to_have_count(1)
    expect(seen).to_have_text("Seen by visitor")
    screenshot(agent, "console-seen-by-visitor")


def test_the_unread_badge_clears_in_a_second_tab(deployment: DemoDeployment, new_context) -> None:
    """A reply raises the badge in both of the visitor's tabs; reading it in one clears the other."""
    context = new_context()
    first = context.new_page()
    open_chat_on_shop(first, deployment)
    visitor_writes(first, "Badge test: two tabs", 1)
    first.locator('[data-parley="close"]').click()
    second = context.new_page()
    second.goto(deployment.shop_url)  # the same visitor (its token is in the shop's localStorage)
    expect(second.locator('[data-parley="launcher"]')).to_be_visible()

    agent = new_context(viewport={"width": 1280, "height": 760}).new_page()
    log_in(agent, deployment)
    agent_opens(agent, "Badge test: two tabs")
    reply = agent.locator('[data-console="reply"]')
    reply.fill("Here is your answer.")
    reply.press("Enter")

    for tab in (first, second):
        expect(tab.locator('[data-parley="badge"]')).to_have_text("1")
    second.bring_to_front()
    second.locator('[data-parley="launcher"]').click()
    expect(second.locator('[data-parley="message"][data-author="agent"]')).to_contain_text(
        "Here is your answer."
    )
    expect(second.locator('[data-parley="badge"]')).to_be_hidden()
    expect(first.locator('[data-parley="badge"]')).to_be_hidden()
    expect(first.locator('[data-parley="launcher"]')).to_have_attribute("aria-label", "Open chat")
