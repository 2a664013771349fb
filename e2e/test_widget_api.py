"""The widget's public API on a host page: the Parley(...) command queue, and one widget per page."""

from playwright.sync_api import Page, expect

from e2e.conftest import console_messages, page_errors
from tests.processes import DemoDeployment

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
