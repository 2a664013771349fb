"""The console's inbox in real Chromium: views with counts, and a search that finds a message."""

import subprocess
import sys
import uuid
from collections.abc import Iterator

import pytest
from playwright.sync_api import Page, expect

from e2e.conftest import page_errors, screenshot
from e2e.test_live_chat import log_in
from tests.processes import DemoDeployment, demo_deployment


@pytest.fixture(scope="module")
def deployment(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DemoDeployment]:
    """A deployment of its own: the counts are exact, and the other tests' inboxes stay as they expect."""
    with demo_deployment(tmp_path_factory.mktemp("inbox-deployment")) as running:
        yield running


# Conversations are found again in the deployment's database by these words.
TRIAGE = """
import sys
from django.contrib.auth.models import User
from server.conversations.models import Conversation
assigned, resolved = sys.argv[1:3]
agent = User.objects.get(username="agent")
Conversation.objects.filter(messages__body__contains=assigned).update(assignee=agent)
Conversation.objects.filter(messages__body__contains=resolved).update(status="resolved")
"""


def visitor_says(new_context, deployment: DemoDeployment, body: str) -> Page:
    """A new visitor on the demo shop who sends one message."""
    visitor: Page = new_context(viewport={"width": 1000, "height": 700}).new_page()
    visitor.goto(deployment.shop_url)
    visitor.locator('[data-parley="launcher"]').click()
    composer = visitor.locator('[data-parley="input"]')
    composer.fill(body)
    composer.press("Enter")
    expect(visitor.locator('[data-parley="message"][data-seq="1"]')).to_contain_text(body)
    return visitor


def triage(deployment: DemoDeployment, *, assigned: str, resolved: str) -> None:
    """Assign the conversation holding `assigned` to the demo agent and resolve the one holding `resolved`."""
    subprocess.run(
        [sys.executable, "-c", f"import django; django.setup(); exec({TRIAGE!r})", assigned, resolved],
        env=deployment.env(),
        check=True,
        timeout=60,
    )


def test_views_have_counts_and_search_finds_a_message(deployment: DemoDeployment, new_context) -> None:
    """Each view lists its conversations under a live count; a word's prefix finds its message."""
    token = uuid.uuid4().hex[:8]
    refund = f"My refund for order Q{token} never came"
    shipping = f"Do you ship to Norway? ref {token}"
    thanks = f"Thanks, all sorted! {token}"
    for body in (refund, shipping, thanks):
        visitor_says(new_context, deployment, body)
    triage(deployment, assigned=shipping, resolved=thanks)

    agent = new_context(viewport={"width": 1280, "height": 760}).new_page()
    errors = page_errors(agent)
    log_in(agent, deployment)
    rows = agent.locator('[data-console="conversation"]')
    tabs = agent.locator('[data-console="view-tab"]')
    expect(tabs).to_have_count(4)
    expect(agent.locator('[data-view="open"]')).to_have_attribute("aria-pressed", "true")
    expect(rows.filter(has_text=refund)).to_have_count(1)
    expect(rows.filter(has_text=thanks)).to_have_count(0)
    for view, count, shown, hidden in (
        ("mine", 1, shipping, refund),
        ("unassigned", 1, refund, shipping),
        ("resolved", 1, thanks, refund),
        ("open", 2, shipping, thanks),
    ):
        tab = agent.locator(f'[data-console="view-tab"][data-view="{view}"]')
        tab.click()
        expect(tab).to_have_attribute("aria-pressed", "true")
        expect(rows.filter(has_text=shown)).to_have_count(1)
        expect(rows.filter(has_text=hidden)).to_have_count(0)
        expect(tab.locator('[data-console="view-count"]')).to_have_text(str(count))
        expect(rows).to_have_count(count)
        screenshot(agent, f"inbox-{view}")

    search = agent.locator('[data-console="search"]')
    search.fill(f"refu q{token[:4]}")
    expect(rows).to_have_count(1)
    snippet = rows.first.locator('[data-console="snippet"]')
    expect(snippet).to_contain_text(refund)
    screenshot(agent, "inbox-search")
    rows.first.click()
    expect(agent.locator('[data-console="thread"] [data-console="message"][data-seq="1"]')).to_contain_text(
        refund
    )
    search.press("Escape")
    expect(search).to_have_value("")
    expect(rows.filter(has_text=shipping)).to_have_count(1)
    assert errors == []
