"""The widget's public API on a host page: the Parley(...) command queue, its calls and events, languages
and right to left, and one widget per page."""

import re
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import Page, Route, expect

from e2e.conftest import console_messages, page_errors, screenshot
from e2e.test_agent_tools import open_in_console
from e2e.test_live_chat import log_in
from tests.processes import DemoDeployment, demo_deployment

LAUNCHER = '[data-parley="launcher"]'
# A second copy of the shop's embed code, added once the page is parsed (as a CMS block might add it).
SECOND_COPY = """
document.addEventListener('DOMContentLoaded', () => {
  const embed = document.querySelector('script[data-site]');
  const copy = document.createElement('script');
  copy.async = true;
  copy.src = embed.src;
  copy.dataset.site = embed.dataset.site;
  document.body.append(copy);
});
"""
# The stub docs/widget.md gives site owners: calls made before widget.js arrives are queued on it.
STUB = "window.Parley = window.Parley || function () { (Parley.q = Parley.q || []).push(arguments); };"


@pytest.fixture(scope="module")
def deployment(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DemoDeployment]:
    """A deployment of this module's own: its conversations reach no other test's inbox."""
    with demo_deployment(tmp_path_factory.mktemp("widget-api-deployment")) as running:
        yield running


def open_shop(page: Page, deployment: DemoDeployment, *, before_page_scripts: str = "") -> list[str]:
    """Load the demo shop (its embed code included), running a script first if given; return page errors."""
    if before_page_scripts:
        page.add_init_script(before_page_scripts)
    errors = page_errors(page)
    page.goto(deployment.shop_url)
    return errors


def test_commands_queued_before_the_script_arrives_run_once_it_does(
    deployment: DemoDeployment, new_context
) -> None:
    """Parley('open') called through the stub before widget.js loads opens the chat when the widget starts."""
    page = new_context().new_page()
    errors = open_shop(page, deployment, before_page_scripts=f"{STUB} Parley('open');")
    launcher = page.locator(LAUNCHER)
    expect(launcher).to_have_attribute("aria-expanded", "true")
    expect(page.locator('[data-parley="input"]')).to_be_visible()
    assert errors == []


def test_commands_after_load_open_close_and_toggle_and_an_unknown_one_only_warns(
    deployment: DemoDeployment, new_context
) -> None:
    """open, close and toggle drive the chat; an unknown command warns once per name and throws nothing."""
    page = new_context().new_page()
    warnings = console_messages(page, "warning")
    errors = open_shop(page, deployment)
    launcher = page.locator(LAUNCHER)
    expect(launcher).to_be_visible()
    page.evaluate("() => Parley('open')")
    expect(launcher).to_have_attribute("aria-expanded", "true")
    page.evaluate("() => Parley('close')")
    expect(launcher).to_have_attribute("aria-expanded", "false")
    page.evaluate("() => Parley('toggle')")
    expect(launcher).to_have_attribute("aria-expanded", "true")
    page.evaluate("() => { Parley('shake'); Parley('shake'); }")
    page.wait_for_timeout(100)
    assert [warning for warning in warnings if "unknown command" in warning] == [
        "Parley: unknown command shake"
    ]
    assert errors == []


def test_two_copies_of_the_embed_code_make_one_widget(deployment: DemoDeployment, new_context) -> None:
    """A page that includes the embed code twice shows one launcher and opens one socket."""
    page = new_context().new_page()
    sockets: list[str] = []
    page.on("websocket", lambda socket: sockets.append(socket.url))
    errors = open_shop(page, deployment, before_page_scripts=SECOND_COPY)
    expect(page.locator(LAUNCHER)).to_be_visible()
    page.locator(LAUNCHER).click()
    # Connected (the text is the team's availability, away with no console open).
    expect(page.locator('[data-parley="status"]')).to_have_attribute("data-state", "online")
    assert page.locator("#parley-widget").count() == 1
    assert len(sockets) == 1, sockets
    assert errors == []


# Handlers the page registers through the stub, before widget.js arrives: each records what it heard.
# The first `open` handler throws, as a page's bug would: the widget and the other handlers go on.
RECORDER = (
    STUB
    + """
window.heard = [];
Parley('on', 'open', () => { throw new Error('a bug of the page'); });
for (const name of ['ready', 'open', 'close', 'message', 'unread', 'availability']) {
  Parley('on', name, (detail) => window.heard.push([name, detail === undefined ? null : detail]));
}
"""
)


def say(page: Page, text: str) -> None:
    """Type a message in the open chat and send it."""
    composer = page.locator('[data-parley="input"]')
    composer.fill(text)
    composer.press("Enter")


def agent_console(new_context: Any, deployment: DemoDeployment) -> Page:
    """The demo agent's console, logged in, wide enough to show the sidebar."""
    agent: Page = new_context(viewport={"width": 1360, "height": 800}).new_page()
    log_in(agent, deployment)
    return agent


def heard(page: Page, name: str) -> list[Any]:
    """The details the page's handlers heard of one event, in order."""
    return [detail for event, detail in page.evaluate("window.heard") if event == name]


def wait_heard(page: Page, name: str, count: int = 1) -> list[Any]:
    """Waits until the handlers heard an event `count` times (polled: the shop's CSP forbids the eval
    that wait_for_function needs); returns its details."""
    for _ in range(100):
        details = heard(page, name)
        if len(details) >= count:
            return details
        page.wait_for_timeout(100)
    raise AssertionError(f"{name} heard {heard(page, name)}")


def test_each_call_and_event_of_the_js_api(deployment: DemoDeployment, new_context) -> None:
    """Handlers queued before load hear ready, open, close, message (the visitor's and the agent's, once
    each), unread and availability; a throwing handler breaks nothing; hide and show; off."""
    text = f"API check {uuid.uuid4().hex[:6]}"
    page = new_context().new_page()
    errors = open_shop(page, deployment, before_page_scripts=RECORDER)
    launcher = page.locator(LAUNCHER)
    expect(launcher).to_be_visible()
    wait_heard(page, "ready")

    page.evaluate("Parley('hide')")
    expect(launcher).to_be_hidden()
    page.evaluate("Parley('show')")
    expect(launcher).to_be_visible()

    page.evaluate("Parley('open')")
    expect(page.locator('[data-parley="status"]')).to_have_attribute("data-state", "online")
    wait_heard(page, "availability")
    assert heard(page, "availability") == ["away"]  # no console open yet
    say(page, text)
    wait_heard(page, "message")

    agent = agent_console(new_context, deployment)
    wait_heard(page, "availability", 2)
    assert heard(page, "availability") == ["away", "online"]
    page.evaluate("Parley('close')")
    open_in_console(agent, text)
    reply = agent.locator('[data-console="reply"]')
    reply.fill("Happy to help.")
    reply.press("Enter")
    [visitor_message, agent_message] = wait_heard(page, "message", 2)
    assert (visitor_message["author"], visitor_message["text"]) == ("visitor", text)
    assert (agent_message["author"], agent_message["text"]) == ("agent", "Happy to help.")
    assert isinstance(agent_message["id"], int)
    expect(page.locator('[data-parley="badge"]')).to_have_text("1")
    assert heard(page, "unread")[-1] == 1

    page.evaluate("Parley('open')")
    expect(page.locator('[data-parley="badge"]')).to_be_hidden()
    assert heard(page, "unread")[-1] == 0
    assert heard(page, "open") == [None, None]
    assert heard(page, "close") == [None]
    # off: that handler hears no more.
    page.evaluate("() => { window.quiet = []; window.q = () => quiet.push(1); }")
    page.evaluate("() => { Parley('on', 'close', q); Parley('off', 'close', q); }")
    page.evaluate("Parley('close')")
    assert page.evaluate("window.quiet") == []
    assert heard(page, "ready") == [None]
    assert errors == []


def test_attributes_show_in_the_console_sidebar_and_follow_changes(
    deployment: DemoDeployment, new_context
) -> None:
    """setAttributes queued before load reaches the agent's sidebar once the chat connects; a later call
    updates an open console at once; a bad one only warns on the page."""
    text = f"Attributes check {uuid.uuid4().hex[:6]}"
    page = new_context().new_page()
    warnings = console_messages(page, "warning")
    open_shop(
        page, deployment, before_page_scripts=STUB + "Parley('setAttributes', {plan: 'pro', seats: 3});"
    )
    page.locator(LAUNCHER).click()
    say(page, text)
    expect(page.locator('[data-parley="message"][data-author="visitor"]').last).to_contain_text(text)

    agent = agent_console(new_context, deployment)
    open_in_console(agent, text)
    attributes = agent.locator('[data-console="sidebar-attributes"]')
    expect(attributes.locator('[data-key="plan"] dd')).to_have_text("pro")
    expect(attributes.locator('[data-key="seats"] dd')).to_have_text("3")

    page.evaluate("Parley('setAttributes', {plan: 'enterprise', trial: false})")
    expect(attributes.locator('[data-key="plan"] dd')).to_have_text("enterprise")
    expect(attributes.locator('[data-key="trial"] dd')).to_have_text("false")
    screenshot(agent, "console-attributes")

    page.evaluate("Parley('setAttributes', {'Plan Name': {nested: true}})")
    for _ in range(50):
        if any("Attribute keys" in warning for warning in warnings):
            break
        page.wait_for_timeout(100)
    assert any("Attribute keys" in warning for warning in warnings), warnings
    expect(attributes.locator('[data-console="sidebar-attribute"]')).to_have_count(3)


def test_arabic_renders_right_to_left(deployment: DemoDeployment, new_context) -> None:
    """setLocale('ar'): the panel speaks Arabic, its direction is rtl, the visitor's bubbles sit on the
    left (the inline end) and the header's title on the right; times come from Intl."""
    page = new_context(viewport={"width": 900, "height": 720}).new_page()
    errors = open_shop(
        page, deployment, before_page_scripts=STUB + "Parley('setLocale', 'ar'); Parley('open');"
    )
    composer = page.locator('[data-parley="input"]')
    expect(composer).to_have_attribute("placeholder", "اكتب رسالة…")
    panel = page.locator('[data-parley="panel"]')
    assert panel.evaluate("node => getComputedStyle(node).direction") == "rtl"
    composer.fill("مرحبا، أين طلبي؟")
    composer.press("Enter")
    mine = page.locator('[data-parley="message"][data-author="visitor"]').last
    expect(mine).to_contain_text("مرحبا")
    # The time by Intl in the panel's language (its digits are the browser's choice for "ar").
    expect(mine.locator(".meta")).to_have_text(re.compile("^[0-9\u0660-\u0669]{2}:[0-9\u0660-\u0669]{2}$"))
    greeting = page.locator('[data-parley="greeting"]')
    mine_box, greeting_box = mine.bounding_box(), greeting.bounding_box()
    assert mine_box is not None
    assert greeting_box is not None
    assert mine_box["x"] < greeting_box["x"], (mine_box, greeting_box)
    title = page.locator('[data-parley="head"] strong').bounding_box()
    close = page.locator('[data-parley="close"]').bounding_box()
    assert title is not None
    assert close is not None
    assert close["x"] < title["x"]
    expect(page.locator('[data-parley="close"]')).to_have_attribute("aria-label", "إغلاق المحادثة")
    screenshot(page, "widget-arabic")
    assert errors == []


def test_the_browsers_language_chooses_the_panels(deployment: DemoDeployment, new_context) -> None:
    """With no setLocale and no site language, a Spanish browser gets the Spanish panel, left to right."""
    page = new_context(locale="es-ES").new_page()
    open_shop(page, deployment)
    page.locator(LAUNCHER).click()
    expect(page.locator('[data-parley="input"]')).to_have_attribute("placeholder", "Escribe un mensaje…")
    assert page.locator('[data-parley="panel"]').evaluate("node => getComputedStyle(node).direction") == "ltr"
    expect(page.locator(LAUNCHER)).to_have_attribute("aria-label", "Cerrar el chat")


def test_launcher_text_a_queued_hide_and_the_sites_language(deployment: DemoDeployment, new_context) -> None:
    """The site's launcher text shows beside the icon; hide queued before load keeps the launcher off
    the page until show; the site's language (no setLocale) chooses the panel's over the browser's."""
    page = new_context(viewport={"width": 1000, "height": 700}, locale="en-US").new_page()

    def with_text(route: Route) -> None:
        answer = route.fetch()
        site = {**answer.json()["site"], "launcher_text": "Questions?", "language": "fr"}
        route.fulfill(response=answer, json={"site": site})

    page.route(re.compile(r"/api/widget/sites/[^/]+/config$"), with_text)
    open_shop(page, deployment, before_page_scripts=STUB + "Parley('hide');")
    launcher = page.locator(LAUNCHER)
    page.wait_for_timeout(500)
    expect(launcher).to_be_hidden()
    page.evaluate("Parley('show')")
    expect(launcher).to_be_visible()
    expect(launcher).to_contain_text("Questions?")
    box = launcher.bounding_box()
    assert box is not None
    assert box["width"] > 100, box  # a pill: the icon, then the text
    launcher.click()
    expect(page.locator('[data-parley="input"]')).to_have_attribute("placeholder", "Écrivez un message…")
    expect(launcher).to_have_attribute("aria-label", "Fermer le chat")
    screenshot(page, "widget-launcher-text")


def test_after_reset_no_event_carries_the_previous_visitors_conversation(
    deployment: DemoDeployment, new_context
) -> None:
    """Parley('reset'): an agent's later reply to the previous visitor's conversation reaches no handler,
    and unread stays 0."""
    text = f"Reset check {uuid.uuid4().hex[:6]}"
    page = new_context().new_page()
    open_shop(page, deployment, before_page_scripts=RECORDER)
    page.locator(LAUNCHER).click()
    say(page, text)
    wait_heard(page, "message")
    agent = agent_console(new_context, deployment)
    open_in_console(agent, text)

    page.evaluate("Parley('reset')")
    expect(page.locator('[data-parley="message"]')).to_have_count(0)
    reply = agent.locator('[data-console="reply"]')
    reply.fill("This is for the previous visitor only.")
    reply.press("Enter")
    expect(agent.locator('[data-console="message"]').last).to_contain_text("previous visitor only")
    page.wait_for_timeout(1500)
    assert [message["text"] for message in heard(page, "message")] == [text]
    assert heard(page, "unread")[-1] == 0
    expect(page.locator('[data-parley="badge"]')).to_be_hidden()
