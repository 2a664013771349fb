"""A message the server refuses goes back into the box with a notice, whatever the reason."""

import pytest
from playwright.sync_api import expect

from e2e.conftest import page_errors, screenshot
from tests.processes import DemoDeployment


@pytest.mark.parametrize(
    ("body", "notice", "shot"),
    [
        # body_too_long: over PARLEY_MESSAGE_MAX_LENGTH (4,000).
        ("x" * 4001, "too long", None),
        # invalid_field: a body the server cannot store; no text of its own, so the general notice.
        ("before\x00after", "could not be sent", "widget-refused-message"),
        # frame_too_large: within the character limit, but each control character escapes to 6 bytes.
        ("\x01" * 3000, "too long", None),
    ],
    ids=["body_too_long", "invalid_field", "frame_too_large"],
)
def test_a_refused_message_comes_back_into_the_box_with_a_notice(
    deployment: DemoDeployment, new_context, body: str, notice: str, shot: str | None
) -> None:
    """A refused message: its text is back in the box, a notice says why, nothing stays pending."""
    page = new_context().new_page()
    errors = page_errors(page)
    page.goto(deployment.shop_url)
    page.locator('[data-parley="launcher"]').click()
    expect(page.locator('[data-parley="status"]')).to_have_attribute("data-state", "online")
    composer = page.locator('[data-parley="input"]')
    composer.fill(body)
    composer.press("Enter")
    expect(page.get_by_role("alert")).to_contain_text(notice)
    expect(composer).to_have_value(body)
    expect(page.locator('[data-parley="message"][data-pending]')).to_have_count(0)
    if shot:
        screenshot(page, shot)
    assert errors == []
