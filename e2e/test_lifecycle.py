"""The conversation lifecycle in real Chromium: assign, resolve, reopen, seen by agents and the visitor."""

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from e2e.conftest import page_errors, screenshot
from e2e.test_live_chat import log_in, open_chat_on_shop, visitor_messages
from tests.processes import DemoDeployment

COLLEAGUE = "carol"


def start(workdir: Path, **env: str) -> DemoDeployment:
    """A deployment of its own (these tests count rows and lines) with a second agent, Carol."""
    deployment = DemoDeployment(workdir=workdir, extra_env=env)
    deployment.set_up()
    deployment.manage(
        "parley_demo",
        "--host-origin",
        f"http://localhost:{deployment.shop_port}",
        "--username",
        COLLEAGUE,
        f"--password={deployment.password}",  # "=" keeps a password that starts with "-" a value
    )
    deployment.manage(
        "shell",
        "-c",
        "from django.contrib.auth import get_user_model; "
        f"get_user_model().objects.filter(username={COLLEAGUE!r}).update(first_name='Carol')",
    )
    deployment.start_server()
    deployment.start_shop()
    return deployment


@pytest.fixture(scope="module")
def team(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DemoDeployment]:
    """Dana and Carol, agents of the demo site; a resolved conversation reopens on the visitor's message."""
    deployment = start(tmp_path_factory.mktemp("lifecycle"))
    try:
        yield deployment
    finally:
        deployment.stop_all()


@pytest.fixture(scope="module")
def no_reopen(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DemoDeployment]:
    """A deployment where a visitor's message after a resolve always starts a new conversation."""
    deployment = start(tmp_path_factory.mktemp("lifecycle-new"), PARLEY_REOPEN_WINDOW="0")
    try:
        yield deployment
    finally:
        deployment.stop_all()


def say(page: Page, app: str, box: str, author: str, text: str) -> None:
    """Type and send a message in the widget or the console, and wait until it is stored."""
    field = page.locator(f'[data-{app}="{box}"]')
    field.fill(text)
    field.press("Enter")
    stored = page.locator(f'[data-{app}="message"][data-author="{author}"][data-seq]', has_text=text)
    expect(stored).to_be_visible()


def visitor_says(page: Page, text: str) -> None:
    """The visitor sends a message in the open widget."""
    say(page, "parley", "input", "visitor", text)


def agent_says(page: Page, text: str) -> None:
    """The agent replies in the open thread."""
    say(page, "console", "reply", "agent", text)


def open_widget(page: Page) -> None:
    """Open the chat after a page load (it may be open already: the widget keeps its open state)."""
    page.locator('[data-parley="launcher"]').wait_for()
    page.evaluate("window.Parley('open')")
    expect(page.locator('[data-parley="input"]')).to_be_visible()


def open_row(page: Page, text: str) -> None:
    """Open the inbox row that shows `text`."""
    page.locator('[data-console="conversation"]', has_text=text).click()
    expect(page.locator('[data-console="thread-actions"]')).to_be_visible()


def answered_and_resolved(
    deployment: DemoDeployment, new_context, question: str, answer: str
) -> tuple[Page, Page]:
    """A visitor asks, Dana answers and resolves; returns the visitor's page and Dana's, the thread open."""
    visitor = new_context().new_page()
    open_chat_on_shop(visitor, deployment)
    visitor_says(visitor, question)
    dana = new_context(viewport={"width": 1280, "height": 760}).new_page()
    log_in(dana, deployment)
    open_row(dana, question)
    agent_says(dana, answer)
    dana.locator('[data-console="resolve"]').click()
    expect(visitor.locator('[data-parley="message"][data-event="resolved"]')).to_be_visible()
    return visitor, dana


def test_an_assignment_notifies_only_the_assignee(team: DemoDeployment, new_context) -> None:
    """Dana assigns a conversation to Carol: Carol gets a toast that opens it, Dana none; rows say Carol."""
    visitor = new_context().new_page()
    open_chat_on_shop(visitor, team)
    visitor_says(visitor, "Who handles refunds?")

    dana = new_context(viewport={"width": 1280, "height": 760}).new_page()
    carol = new_context(viewport={"width": 1280, "height": 760}).new_page()
    errors = page_errors(dana) + page_errors(carol)
    log_in(dana, team)
    log_in(carol, team, COLLEAGUE)
    open_row(dana, "Who handles refunds?")
    assignee = dana.locator('[data-console="assignee"]')
    expect(assignee.locator("option")).to_have_text(["Unassigned", "Carol", "Dana (you)"])
    assignee.select_option(label="Carol")

    row = '[data-console="conversation"]:has-text("Who handles refunds?") [data-console="row-assignee"]'
    expect(dana.locator(row)).to_have_text("Carol")
    expect(carol.locator(row)).to_have_text("Carol")
    toast = carol.locator('[data-console="toasts"] .toast')
    expect(toast).to_contain_text("Dana assigned you:")
    screenshot(carol, "console-assigned-toast")
    expect(dana.locator('[data-console="toasts"] .toast')).to_have_count(0)
    expect(dana.locator('[data-console="activity"][data-kind="assigned"]')).to_contain_text(
        "Dana assigned this to Carol"
    )

    carol.locator('[data-console="toast-open"]').click()
    expect(carol.locator('[data-console="assignee"] option:checked')).to_have_text("Carol (you)")
    expect(carol.locator('[data-console="assign-me"]')).to_have_count(0)
    expect(carol.locator('[data-console="activity"]')).to_contain_text("Dana assigned this to Carol")
    # Carol takes it back to nobody: Dana is not notified of an unassignment either.
    carol.locator('[data-console="assignee"]').select_option(value="")
    expect(dana.locator(row)).to_have_count(0)
    expect(dana.locator('[data-console="toasts"] .toast')).to_have_count(0)
    screenshot(dana, "console-activity-lines")
    assert not errors, errors


def test_resolve_and_reopen_show_as_system_lines_on_both_sides(team: DemoDeployment, new_context) -> None:
    """Resolve, then Reopen in the console: each is a line in the console's thread and in the widget."""
    visitor = new_context().new_page()
    open_chat_on_shop(visitor, team)
    visitor_says(visitor, "Is my parcel lost?")
    dana = new_context(viewport={"width": 1280, "height": 760}).new_page()
    log_in(dana, team)
    open_row(dana, "Is my parcel lost?")

    dana.locator('[data-console="resolve"]').click()
    expect(dana.locator('[data-console="message"][data-event="resolved"]')).to_contain_text(
        "Dana resolved the conversation"
    )
    expect(dana.locator('[data-console="thread-status"]')).to_have_text("Resolved")
    expect(visitor.locator('[data-parley="message"][data-event="resolved"] .bubble')).to_have_text(
        "Conversation resolved"
    )
    screenshot(visitor, "widget-resolved")

    dana.locator('[data-console="reopen"]').click()
    expect(dana.locator('[data-console="message"][data-event="reopened"]')).to_contain_text(
        "Dana reopened the conversation"
    )
    expect(dana.locator('[data-console="resolve"]')).to_be_visible()
    reopened = visitor.locator('[data-parley="message"][data-event="reopened"]')
    expect(reopened).to_contain_text("Conversation reopened")
    screenshot(dana, "console-resolve-reopen")
    assert_in_order(visitor, ["Is my parcel lost?", "Conversation resolved", "Conversation reopened"])


def test_after_resolve_the_visitor_sees_every_message_in_order_after_a_reload(
    team: DemoDeployment, new_context
) -> None:
    """Resolve → the visitor writes (reopening it) → a reply → reload: every message once, in order."""
    visitor, dana = answered_and_resolved(team, new_context, "First question", "First answer")

    visitor_says(visitor, "One more thing")
    expect(dana.locator('[data-console="message"][data-event="reopened"]')).to_be_visible()
    agent_says(dana, "Second answer")
    second = visitor.locator('[data-parley="message"][data-author="agent"]', has_text="Second answer")
    expect(second).to_be_visible()

    visitor.reload()
    open_widget(visitor)
    expect(visitor.locator('[data-parley="message"]', has_text="Second answer")).to_be_visible()
    expected = [
        "First question",
        "First answer",
        "Conversation resolved",
        "Conversation reopened",
        "One more thing",
        "Second answer",
    ]
    assert_in_order(visitor, expected)
    screenshot(visitor, "widget-after-reload")


def test_a_new_conversation_keeps_the_earlier_one_above_after_a_reload(
    no_reopen: DemoDeployment, new_context
) -> None:
    """Past the reopen window the visitor's message starts a new conversation; the widget shows both as one
    thread, live and after a reload; a reply to the old one is refused next to the agent's composer."""
    visitor, dana = answered_and_resolved(no_reopen, new_context, "Old question", "Old answer")

    visitor_says(visitor, "New question")
    # The new conversation is in "All open"; the old, resolved one has moved to "Resolved".
    expect(dana.locator('[data-console="conversation"]', has_text="New question")).to_be_visible()
    # The old thread is still open in the console: a reply to it is refused, and the text is given back.
    reply = dana.locator('[data-console="reply"]')
    reply.fill("Late reply to the old one")
    reply.press("Enter")
    expect(dana.locator('[data-console="reply-error"]')).to_contain_text("newer conversation")
    expect(reply).to_have_value("Late reply to the old one")
    screenshot(dana, "console-superseded")

    open_row(dana, "New question")
    agent_says(dana, "New answer")
    expected = ["Old question", "Old answer", "Conversation resolved", "New question", "New answer"]
    expect(visitor.locator('[data-parley="message"]', has_text="New answer")).to_be_visible()
    assert_in_order(visitor, expected)

    # A fresh page holds nothing: it walks back from the latest conversation with sync.
    visitor.reload()
    open_widget(visitor)
    expect(visitor.locator('[data-parley="message"]', has_text="Old question")).to_be_visible()
    assert_in_order(visitor, expected)
    screenshot(visitor, "widget-two-conversations")

    # A third conversation: a fresh page on another device walks back through both earlier ones.
    dana.locator('[data-console="resolve"]').click()
    expect(visitor.locator('[data-parley="message"][data-event="resolved"]')).to_have_count(2)
    visitor_says(visitor, "Third question")
    other_device = new_context().new_page()
    other_device.goto(no_reopen.shop_url)
    token_key = next(key for key in visitor.evaluate("Object.keys(localStorage)") if key.endswith(":token"))
    token = visitor.evaluate(f"localStorage.getItem({token_key!r})")
    other_device.evaluate(f"localStorage.setItem({token_key!r}, {token!r})")
    other_device.reload()
    open_widget(other_device)
    expect(other_device.locator('[data-parley="message"]', has_text="Old question")).to_be_visible()
    assert_in_order(other_device, [*expected, "Conversation resolved", "Third question"])


def assert_in_order(page: Page, expected: list[str]) -> None:
    """The widget shows the expected texts in this order, each as often as listed (the greeting aside)."""
    texts = visitor_messages(page)
    shown = [text for text in texts if any(want in text for want in expected)]
    assert len(shown) == len(expected), texts
    for text, want in zip(shown, expected, strict=True):
        assert want in text, (want, texts)
