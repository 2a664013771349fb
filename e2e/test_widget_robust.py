"""The widget on a phone (full screen, modal, the host page locked) and across reloads and navigation."""

from playwright.sync_api import Page, expect

from e2e.test_live_chat import open_chat_on_shop
from tests.processes import DemoDeployment

PHONE = {"viewport": {"width": 390, "height": 740}, "is_mobile": True, "has_touch": True}
IN_PANEL = """() => {
  const host = document.activeElement;
  const inner = host && host.shadowRoot && host.shadowRoot.activeElement;
  return !!inner && !!inner.closest('[data-parley="panel"]');
}"""
ON_LAUNCHER = """() => {
  const inner = document.activeElement?.shadowRoot?.activeElement;
  return inner?.getAttribute('data-parley') === 'launcher';
}"""


def host_overflow(page: Page) -> list[str]:
    """The host page's own overflow on <html> and <body>, as set by it (or the widget)."""
    script = "() => [document.documentElement.style.overflow, document.body.style.overflow]"
    return list(page.evaluate(script))


def test_on_a_phone_the_panel_is_full_screen_modal_and_locks_the_host_page(
    deployment: DemoDeployment, new_context
) -> None:
    """Full screen, aria-modal, 16 px input, Tab stays inside, the host cannot scroll; Esc undoes it all."""
    page = new_context(**PHONE).new_page()
    page.goto(deployment.shop_url)
    # The host's own value, to be put back.
    page.evaluate("() => { document.body.style.overflow = 'auto'; }")
    before = host_overflow(page)
    page.locator('[data-parley="launcher"]').click()
    composer = page.locator('[data-parley="input"]')
    panel = page.locator('[data-parley="panel"]')
    expect(panel).to_have_attribute("aria-modal", "true")
    box = panel.bounding_box()
    assert box is not None
    assert (box["x"], box["y"], box["width"], box["height"]) == (0, 0, 390, 740), box
    assert host_overflow(page) == ["hidden", "hidden"]
    assert page.evaluate("() => document.documentElement.scrollHeight > innerHeight"), "the shop page scrolls"
    page.mouse.wheel(0, 600)
    page.wait_for_timeout(200)
    assert page.evaluate("() => scrollY") == 0
    assert float(composer.evaluate("node => parseFloat(getComputedStyle(node).fontSize)")) >= 16

    # Focus stays in the panel both ways round.
    composer.focus()
    for key in ["Tab"] * 6 + ["Shift+Tab"] * 6:
        page.keyboard.press(key)
        assert page.evaluate(IN_PANEL), key

    page.keyboard.press("Escape")
    expect(page.locator('[data-parley="launcher"]')).to_have_attribute("aria-expanded", "false")
    expect(panel).not_to_have_attribute("aria-modal", "true")
    assert host_overflow(page) == before
    assert page.evaluate(ON_LAUNCHER)


def test_on_a_wide_screen_the_panel_is_not_modal(deployment: DemoDeployment, new_context) -> None:
    """Beside the page, the panel leaves the host page alone."""
    page = new_context(viewport={"width": 1200, "height": 800}).new_page()
    open_chat_on_shop(page, deployment)
    panel = page.locator('[data-parley="panel"]')
    expect(panel).to_be_visible()
    expect(panel).not_to_have_attribute("aria-modal", "true")
    assert host_overflow(page) == ["", ""]


def test_the_open_state_and_the_draft_survive_a_reload_and_navigation(
    deployment: DemoDeployment, new_context
) -> None:
    """Open with a half-typed message → reload and another page: still open, the draft in the box."""
    context = new_context()
    page = context.new_page()
    composer = open_chat_on_shop(page, deployment)
    composer.fill("half a thought, not sent")
    panel = page.locator('[data-parley="panel"]')

    page.reload()
    expect(panel).to_be_visible()
    expect(page.locator('[data-parley="launcher"]')).to_have_attribute("aria-expanded", "true")
    expect(page.locator('[data-parley="input"]')).to_have_value("half a thought, not sent")

    page.goto(deployment.shop_url + "?page=beans")
    expect(panel).to_be_visible()
    expect(page.locator('[data-parley="input"]')).to_have_value("half a thought, not sent")

    # Closed stays closed; a new tab of the site starts closed and empty.
    page.locator('[data-parley="close"]').click()
    page.reload()
    expect(page.locator('[data-parley="launcher"]')).to_have_attribute("aria-expanded", "false")
    expect(panel).to_have_count(0)
    other = context.new_page()
    other.goto(deployment.shop_url)
    expect(other.locator('[data-parley="launcher"]')).to_have_attribute("aria-expanded", "false")
    other.locator('[data-parley="launcher"]').click()
    expect(other.locator('[data-parley="input"]')).to_have_value("")
