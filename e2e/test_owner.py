"""The owner pages in Chromium: sign up, create a site, copy its embed code into a page that then shows the
widget, see the installation check follow it, add a refused origin, preview unsaved settings, invite an
agent who joins through the emailed link, and remove a member whose console loses the site at once."""

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from playwright.sync_api import Page, expect

from e2e.conftest import console_messages, screenshot
from e2e.test_accounts import emailed_link
from e2e.test_live_chat import log_in
from tests.processes import DemoDeployment, demo_deployment
from tests.smtp import Inbox


class HostPage:
    """The owner's own web page, on a port of its own: whatever body the test gives it."""

    def __init__(self) -> None:
        self.body = ""
        page = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                html = (
                    "<!doctype html><html><head><title>Owner's shop</title></head>"
                    f"<body><h1>Shop</h1>{page.body}</body></html>"
                )
                data = html.encode()
                self.send_response(200)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


@pytest.fixture(scope="module")
def host_page() -> Iterator[HostPage]:
    """A page the test fills with the embed code; the same page on two origins (localhost, 127.0.0.1)."""
    page = HostPage()
    yield page
    page.server.shutdown()


@pytest.fixture(scope="module")
def deployment(tmp_path_factory: pytest.TempPathFactory, inbox: Inbox) -> Iterator[DemoDeployment]:
    """A deployment of this module's own (it creates sites and people), mailing the test's SMTP server."""
    with demo_deployment(tmp_path_factory.mktemp("owner-deployment"), extra_env=inbox.settings()) as running:
        yield running


def _log_in(page: Page, deployment: DemoDeployment, then: str) -> None:
    page.goto(f"{deployment.server_url}/console/login/?next={then}")
    page.fill("#id_login", deployment.username)
    page.fill("#id_password", deployment.password)
    page.click("button[type=submit]")
    page.wait_for_url(f"**{then}")


def test_a_new_owner_signs_up_creates_a_site_and_installs_it(
    deployment: DemoDeployment, host_page: HostPage, inbox: Inbox, new_context
) -> None:
    """Sign up (the verification email caught by the test's SMTP server), create the first site for a page's
    origin, copy its embed code with the button, paste it into that page → the widget shows and the
    installation check says where; the same code on another origin is refused, listed, and "Add this
    origin" makes it work there too."""
    owner_context = new_context(viewport={"width": 1280, "height": 1000})
    owner_context.grant_permissions(["clipboard-read", "clipboard-write"], origin=deployment.server_url)
    owner = owner_context.new_page()
    errors = console_messages(owner, "error")
    owner.goto(f"{deployment.server_url}/accounts/signup/")
    owner.fill("#id_email", "nina@owner.test")
    owner.fill("#id_password1", "nina-e2e-password-9")
    owner.fill("#id_password2", "nina-e2e-password-9")
    owner.get_by_role("button", name="Sign Up").click()
    owner.goto(emailed_link(inbox, "nina@owner.test", "/accounts/confirm-email/"))
    owner.get_by_role("button", name="Confirm").click()
    expect(owner.locator("h1")).to_have_text("Create your first site")
    owner.fill("#id_name", "Owner's shop")
    test_page = f"http://localhost:{host_page.port}"
    staging_page = f"http://127.0.0.1:{host_page.port}"
    owner.fill("#id_allowed_origins", test_page)
    owner.click("text=Create the site")
    expect(owner.locator(".owner-message")).to_contain_text("Owner's shop is ready")
    expect(owner.locator("#installation-check")).to_contain_text("Not seen yet")
    owner.click("text=Copy the embed code")
    expect(owner.locator("#embed-copy-status")).to_have_text("Copied.")
    code = owner.evaluate("navigator.clipboard.readText()")
    assert code == owner.locator("#embed-code").input_value()
    assert 'data-site="' in code

    host_page.body = code
    visitor_context = new_context()
    shop = visitor_context.new_page()
    shop.goto(f"{test_page}/")
    expect(shop.locator('[data-parley="launcher"]')).to_be_visible()
    staging = visitor_context.new_page()
    staging.goto(f"{staging_page}/")
    staging.wait_for_timeout(500)
    expect(staging.locator('[data-parley="launcher"]')).to_have_count(0)

    # The check refreshes itself (htmx, every 5 s): no reload.
    check = owner.locator("#installation-check")
    expect(check).to_contain_text(f"Last seen on {test_page}", timeout=12_000)
    expect(check).to_contain_text(staging_page)
    screenshot(owner, "owner-install")
    check.locator("button", has_text="Add this origin").click()
    expect(owner.locator(".owner-message")).to_contain_text(f"Added {staging_page}")
    staging.reload()
    expect(staging.locator('[data-parley="launcher"]')).to_be_visible()
    assert not [error for error in errors if "Content Security Policy" in error]


def test_the_preview_shows_unsaved_settings(deployment: DemoDeployment, new_context) -> None:
    """Typing a greeting and picking a colour changes the real widget in the preview before saving; the
    preview starts no visitor session."""
    owner = new_context(viewport={"width": 1280, "height": 900}).new_page()
    errors = console_messages(owner, "error")
    sessions: list[str] = []
    owner.on("request", lambda request: sessions.append(request.url) if "/session" in request.url else None)
    _log_in(owner, deployment, "/owner/")
    owner.locator(".site-card-name").first.click()
    preview = owner.frame_locator("#site-preview")
    expect(preview.get_by_role("dialog")).to_contain_text("Hi! Questions about an order?")
    owner.fill("#id_widget_greeting", "Bonjour from the preview")
    owner.locator("#id_widget_color").evaluate(
        "(input) => { input.value = '#0f766e'; input.dispatchEvent(new Event('input', {bubbles: true})); }"
    )
    expect(preview.locator("text=Bonjour from the preview")).to_be_visible(timeout=5000)
    screenshot(owner, "owner-settings")
    owner.reload()
    expect(owner.locator("#id_widget_greeting")).not_to_have_value("Bonjour from the preview")
    assert not [error for error in errors if "Content Security Policy" in error]
    # A preview never becomes a visitor: its widget asks for no session.
    assert sessions == []


def test_a_removed_member_loses_the_site_without_a_reload(deployment: DemoDeployment, new_context) -> None:
    """Dan, an agent of the demo site, sees its conversation; the owner removes him on the team page →
    his open console drops the conversation at once, with no reload."""
    deployment.manage(
        "shell",
        "-c",
        "from django.contrib.auth.models import User; from server.sites.models import Site; "
        "from server.sites.services import do_add_site_member; "
        "dan = User.objects.create_user(username='dan', email='dan@shop.test', "
        f"password='{deployment.password}'); "
        "do_add_site_member(site=Site.objects.get(name='Demo shop'), user=dan)",
    )
    visitor = new_context().new_page()
    visitor.goto(deployment.shop_url)
    visitor.locator('[data-parley="launcher"]').click()
    composer = visitor.locator('[data-parley="input"]')
    composer.fill("Is anyone there?")
    composer.press("Enter")
    expect(visitor.locator('[data-parley="message"][data-seq="1"]')).to_be_visible()

    dan = new_context(viewport={"width": 1280, "height": 760}).new_page()
    log_in(dan, deployment, "dan")
    rows = dan.locator('[data-console="conversation"]')
    expect(rows).not_to_have_count(0)

    owner = new_context(viewport={"width": 1280, "height": 900}).new_page()
    _log_in(owner, deployment, "/owner/")
    owner.locator(".site-card a", has_text="Team").first.click()
    row = owner.locator(".team-table tr", has_text="dan@shop.test")
    owner.once("dialog", lambda dialog: dialog.accept())
    row.get_by_role("button", name="Remove").click()
    expect(owner.locator(".team-table")).not_to_contain_text("dan@shop.test")
    expect(rows).to_have_count(0)
    assert dan.evaluate("performance.getEntriesByType('navigation').length") == 1


def test_an_invited_agent_joins_through_the_emailed_link(
    deployment: DemoDeployment, inbox: Inbox, new_context
) -> None:
    """The owner invites an address on the team page; the email's link lets its owner set a password and
    land in the console with the site's inbox."""
    owner = new_context(viewport={"width": 1280, "height": 900}).new_page()
    _log_in(owner, deployment, "/owner/")
    owner.locator(".site-card a", has_text="Team").first.click()
    owner.fill("#id_email", "erin@shop.test")
    owner.get_by_role("button", name="Send invitation").click()
    expect(owner.locator(".invitation-list")).to_contain_text("erin@shop.test")
    screenshot(owner, "owner-team")

    erin = new_context(viewport={"width": 1280, "height": 760}).new_page()
    erin.goto(emailed_link(inbox, "erin@shop.test", "/owner/invitations/"))
    expect(erin.locator("h1")).to_have_text("Join Demo shop")
    erin.fill("#id_name", "Erin Agent")
    erin.fill("#id_password", "erin-e2e-password-9")
    erin.get_by_role("button", name="Set my password and join").click()
    expect(erin).to_have_url(f"{deployment.server_url}/console/")
    expect(erin.locator('[data-console="status"]')).to_have_attribute("data-state", "online")
    owner.reload()
    expect(owner.locator(".team-table")).to_contain_text("erin@shop.test")
    expect(owner.locator(".invitation-list")).to_have_count(0)
