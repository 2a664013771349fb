"""The installation check in Chromium: a page on a refused origin shows in the site's admin page, and
"Add this origin" makes the widget appear there."""

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import expect

from e2e.conftest import screenshot
from tests.processes import DemoDeployment, demo_deployment


@pytest.fixture(scope="module")
def deployment(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DemoDeployment]:
    """A deployment of this module's own: it changes the demo site's origins."""
    with demo_deployment(tmp_path_factory.mktemp("installation-deployment")) as running:
        yield running


def test_a_refused_origin_is_listed_and_can_be_added(deployment: DemoDeployment, new_context) -> None:
    """The shop's page loads the widget; the same page on 127.0.0.1 (another origin) shows none and is
    listed as refused; "Add this origin" in the admin → the widget shows there too."""
    allowed = deployment.shop_url.rstrip("/")
    refused = allowed.replace("localhost", "127.0.0.1")
    shop = new_context().new_page()
    shop.goto(deployment.shop_url)
    expect(shop.locator('[data-parley="launcher"]')).to_be_visible()
    elsewhere = new_context().new_page()
    elsewhere.goto(f"{refused}/")
    elsewhere.wait_for_timeout(1000)
    expect(elsewhere.locator('[data-parley="launcher"]')).to_have_count(0)

    admin = new_context(viewport={"width": 1280, "height": 900}).new_page()
    admin.goto(f"{deployment.server_url}/admin/login/")
    admin.fill("#id_login", deployment.username)
    admin.fill("#id_password", deployment.password)
    admin.click("button[type=submit]")  # the admin's login is the console's
    admin.goto(f"{deployment.server_url}/admin/sites/site/")
    admin.locator("#result_list tbody th a").first.click()
    check = admin.locator(".field-installation")
    expect(check).to_contain_text(f"Last seen on {allowed}")
    expect(check).to_contain_text(refused)
    expect(admin.locator(".field-embed textarea")).to_have_value(re.compile('<script async src="http'))
    check.scroll_into_view_if_needed()
    screenshot(admin, "admin-installation-check")
    admin.locator(f'button[name="allow_origin"][value="{refused}"]').click()
    expect(admin.locator(".messagelist")).to_contain_text(f"Added {refused} to the allowed origins")
    expect(admin.locator("#id_allowed_origins")).to_have_value(f"{allowed}\n{refused}")
    expect(admin.locator(".field-installation")).not_to_contain_text(refused)

    identity = admin.locator(".field-identity")
    expect(identity.locator('button[name="rotate"]')).to_be_visible()
    identity.scroll_into_view_if_needed()
    screenshot(admin, "admin-identity-secret")

    elsewhere.reload()
    expect(elsewhere.locator('[data-parley="launcher"]')).to_be_visible()
