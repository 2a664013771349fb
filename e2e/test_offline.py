"""Never drop a visitor, in real Chromium (docs/offline.md): no agent online → the away prompt takes an
email in the conversation; an agent's reply is emailed by the worker to a real SMTP server after the delay;
the email's link reopens the chat with the whole history in a fresh browser; a rating after a resolve
appears in the console."""

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import expect

from e2e.conftest import page_errors, screenshot
from e2e.test_lifecycle import agent_says, open_row, visitor_says
from e2e.test_live_chat import log_in, open_chat_on_shop, visitor_messages
from tests.processes import DemoDeployment
from tests.smtp import Inbox, text_body

IMAGES = Path(__file__).resolve().parent.parent / "docs" / "images"
QUESTION = "Do you ship to Canada?"
ANSWER = "We do: 5 to 7 days to Canada."


@pytest.fixture(scope="module")
def offline(tmp_path_factory: pytest.TempPathFactory, inbox: Inbox) -> Iterator[DemoDeployment]:
    """Parley, the demo shop and the task worker; replies are emailed 2 s after they are sent."""
    deployment = DemoDeployment(
        workdir=tmp_path_factory.mktemp("offline"),
        extra_env={**inbox.settings(), "PARLEY_EMAIL_REPLY_DELAY": "2"},
    )
    try:
        deployment.set_up()
        deployment.start_server()
        deployment.start_shop()
        deployment.start_worker()
        yield deployment
    finally:
        deployment.stop_all()


def test_a_reply_to_a_visitor_who_left_is_emailed_and_its_link_reopens_the_chat(
    offline: DemoDeployment, inbox: Inbox, new_context
) -> None:
    """Away prompt → email left in the conversation → the agent replies after the visitor left → email
    with a link → a fresh browser opens it → the panel opens with the whole conversation."""
    visitor = new_context(viewport={"width": 1000, "height": 760}).new_page()
    errors = page_errors(visitor)
    open_chat_on_shop(visitor, offline)
    away = visitor.locator('[data-parley="away"]')
    expect(away).to_be_visible()
    email_form = visitor.locator('[data-parley="email-form"]')
    expect(email_form).to_contain_text("we will reply here and by email")
    visitor.locator('[data-parley="email"]').fill("alice@example.com")
    IMAGES.mkdir(parents=True, exist_ok=True)
    visitor.screenshot(path=str(IMAGES / "widget-away-prompt.png"))
    email_form.locator("button").click()
    expect(visitor.locator('[data-parley="email-saved"]')).to_contain_text("alice@example.com")
    visitor_says(visitor, QUESTION)
    screenshot(visitor, "widget-away-email-saved")
    visitor.context.close()

    agent = new_context(viewport={"width": 1280, "height": 760}).new_page()
    log_in(agent, offline)
    open_row(agent, QUESTION)
    expect(agent.locator('[data-console="sidebar-email"]')).to_contain_text("alice@example.com")
    agent_says(agent, ANSWER)

    (email,) = inbox.wait_count(1, timeout=30)
    assert email["To"] == "alice@example.com"
    text = text_body(email)
    assert ANSWER in text
    link = text.split("Continue the conversation: ", 1)[1].split()[0]
    assert link.startswith(offline.shop_url)
    assert "#parley-resume=" in link

    fresh = new_context(viewport={"width": 1000, "height": 760}).new_page()
    fresh_errors = page_errors(fresh)
    fresh.goto(link)
    expect(fresh.locator('[data-parley="panel"]')).to_be_visible()
    expect(fresh.locator('[data-parley="message"][data-author="agent"]')).to_contain_text(ANSWER)
    assert visitor_messages(fresh)[-2:] == [f"{QUESTION}", ANSWER] or QUESTION in " ".join(
        visitor_messages(fresh)
    )
    # The token left the address bar, so it is neither bookmarked nor shared by accident.
    expect(fresh).to_have_url(re.compile(r"^[^#]*$"))
    assert not errors, errors
    assert not fresh_errors, fresh_errors


def test_a_rating_after_a_resolve_appears_in_the_console(offline: DemoDeployment, new_context) -> None:
    """The agent resolves; the widget offers a rating; "Good" with a comment shows in the console's sidebar
    at once, and in the ratings per agent."""
    visitor = new_context(viewport={"width": 1000, "height": 760}).new_page()
    open_chat_on_shop(visitor, offline)
    visitor_says(visitor, "Where is my order 1042?")
    agent = new_context(viewport={"width": 1280, "height": 760}).new_page()
    log_in(agent, offline)
    open_row(agent, "Where is my order 1042?")
    agent_says(agent, "It left this morning.")
    agent.locator('[data-console="resolve"]').click()
    rating = visitor.locator('[data-parley="rating"]')
    expect(rating).to_be_visible()
    rating.locator('[data-score="good"]').click()
    rating.locator("textarea").fill("Quick and kind!")
    rating.get_by_role("button", name="Send rating").click()
    expect(visitor.locator('[data-parley="rated"]')).to_be_visible()
    visitor.screenshot(path=str(IMAGES / "widget-rating.png"))

    line = agent.locator('[data-console="sidebar-rating"]')
    expect(line).to_have_attribute("data-score", "good")
    expect(line).to_contain_text("Quick and kind!")
    agent.locator('[data-console="ratings-open"]').click()
    row = agent.locator('[data-console="ratings-row"]')
    expect(row).to_have_count(1)
    expect(row).to_contain_text("1")
    agent.screenshot(path=str(IMAGES / "console-ratings.png"))
