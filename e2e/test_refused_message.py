"""A message the server refuses goes back into the box with a notice, whatever the reason."""

from playwright.sync_api import Page, expect

from e2e.conftest import page_errors, screenshot
from tests.processes import DemoDeployment


def open_chat(page: Page, deployment: DemoDeployment) -> None:
    """Load the demo shop and open the chat, its socket online."""
    page.goto(deployment.shop_url)
    page.locator('[data-parley="launcher"]').click()
    expect(page.locator('[data-parley="status"]')).to_have_attribute("data-state", "online")


def test_a_too_long_message_comes_back_into_the_box_with_its_notice(
    deployment: DemoDeployment, new_context
) -> None:
    """body_too_long: the text is back in the box, the notice says why, and nothing stays pending."""
    page = new_context().new_page()
    errors = page_errors(page)
    open_chat(page, deployment)
    body = "x" * 4001  # PARLEY_MESSAGE_MAX_LENGTH is 4000
    composer = page.locator('[data-parley="input"]')
    composer.fill(body)
    composer.press("Enter")
    expect(page.get_by_role("alert")).to_contain_text("too long")
    expect(composer).to_have_value(body)
    expect(page.locator('[data-parley="message"][data-pending]')).to_have_count(0)
    assert errors == []


def test_a_message_refused_for_another_reason_comes_back_too(deployment: DemoDeployment, new_context) -> None:
    """A body the server cannot store (NUL) is refused with invalid_field: the text comes back, with a
    general notice, instead of vanishing from the outbox."""
    page = new_context().new_page()
    errors = page_errors(page)
    open_chat(page, deployment)
    body = "before\x00after"
    composer = page.locator('[data-parley="input"]')
    composer.fill(body)
    composer.press("Enter")
    notice = page.get_by_role("alert")
    expect(notice).to_contain_text("could not be sent")
    expect(composer).to_have_value(body)
    expect(page.locator('[data-parley="message"][data-pending]')).to_have_count(0)
    screenshot(page, "widget-refused-message")
    assert errors == []


def test_a_message_whose_frame_is_too_large_comes_back_too(deployment: DemoDeployment, new_context) -> None:
    """3,000 control characters pass the body limit but escape to an 18 KB frame: frame_too_large names
    the message, which comes back into the box with the too-long notice instead of staying pending."""
    page = new_context().new_page()
    errors = page_errors(page)
    open_chat(page, deployment)
    body = "\x01" * 3000
    composer = page.locator('[data-parley="input"]')
    composer.fill(body)
    composer.press("Enter")
    expect(page.get_by_role("alert")).to_contain_text("too long")
    expect(composer).to_have_value(body)
    expect(page.locator('[data-parley="message"][data-pending]')).to_have_count(0)
    assert errors == []
