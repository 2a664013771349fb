"""Accounts in Chromium: an owner signs up, verifies by email (a real SMTP server), turns on TOTP."""

import re
from collections.abc import Iterator

import pytest
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value, yield_hotp_counters_from_time
from playwright.sync_api import Page, expect

from e2e.conftest import page_errors, screenshot
from e2e.test_content_security_policy import csp_violations
from tests.processes import DemoDeployment, demo_deployment
from tests.smtp import Inbox, text_body

OWNER_EMAIL = "olga@shop.example"
OWNER_PASSWORD = "olga-e2e-password-9"


@pytest.fixture(scope="module")
def mail_deployment(tmp_path_factory: pytest.TempPathFactory, inbox: Inbox) -> Iterator[DemoDeployment]:
    """Parley sending its email over SMTP to the test's server."""
    with demo_deployment(tmp_path_factory.mktemp("accounts"), extra_env=inbox.settings()) as running:
        yield running


def verified_owner(deployment: DemoDeployment, email: str) -> None:
    """An account with `email` verified, as a sign-up leaves it (made in a shell: quicker than the pages)."""
    deployment.manage(
        "shell",
        "-c",
        "from django.contrib.auth.models import User; from allauth.account.models import EmailAddress; "
        f"user = User.objects.create_user(username={email.split('@')[0]!r}, email={email!r}, "
        f"password={OWNER_PASSWORD!r}); "
        "EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)",
    )


def emailed_link(inbox: Inbox, to: str, path: str) -> str:
    """The link to `path` in the email sent to `to`."""
    found = re.search(rf"http://\S+{re.escape(path)}\S+", text_body(inbox.wait_for(to, containing=path)))
    assert found, "no link in the email"
    return found[0]


def totp_code(secret: str) -> str:
    """What an authenticator app shows now for `secret`."""
    return str(format_hotp_value(hotp_value(secret, next(yield_hotp_counters_from_time()))))


def log_in(page: Page, deployment: DemoDeployment, login: str, password: str) -> None:
    """Fill the console's login form."""
    page.goto(f"{deployment.server_url}/console/login/")
    page.fill("#id_login", login)
    page.fill("#id_password", password)
    page.click("button[type=submit]")


def test_an_owner_signs_up_verifies_by_email_and_lands_on_the_owner_pages(
    mail_deployment: DemoDeployment, inbox: Inbox, new_context
) -> None:
    """Login page → "Create an account" → the email's link → confirm → /owner/; no CSP violation."""
    page = new_context(viewport={"width": 1000, "height": 760}).new_page()
    violations = csp_violations(page)
    uncaught = page_errors(page)
    page.goto(f"{mail_deployment.server_url}/console/login/")
    page.get_by_role("link", name="Create an account").click()
    expect(page).to_have_url(re.compile(r"/accounts/signup/$"))
    page.fill("#id_email", OWNER_EMAIL)
    page.fill("#id_password1", OWNER_PASSWORD)
    page.fill("#id_password2", OWNER_PASSWORD)
    screenshot(page, "accounts-signup")
    page.get_by_role("button", name="Sign Up").click()
    expect(page).to_have_url(re.compile(r"/accounts/confirm-email/$"))
    expect(page.locator("h1")).to_contain_text("Verify Your Email Address")
    link = emailed_link(inbox, OWNER_EMAIL, "/accounts/confirm-email/")
    page.goto(link)
    screenshot(page, "accounts-confirm-email")
    page.get_by_role("button", name="Confirm").click()
    # /owner/ sends an owner with no site yet to create the first one.
    expect(page).to_have_url(f"{mail_deployment.server_url}/owner/sites/new/")
    expect(page.locator("h1")).to_have_text("Create your first site")
    assert violations == []
    assert uncaught == []


def test_an_owner_turns_on_totp_and_is_asked_for_a_code_at_login(
    mail_deployment: DemoDeployment, inbox: Inbox, new_context
) -> None:
    """Two-factor page → password again → scan (the secret) → code → active; the next login asks a code."""
    verified_owner(mail_deployment, "tara@shop.example")
    page = new_context(viewport={"width": 1000, "height": 900}).new_page()
    violations = csp_violations(page)
    log_in(page, mail_deployment, "tara@shop.example", OWNER_PASSWORD)
    expect(page).to_have_url(re.compile(r"/console/$"))
    page.goto(f"{mail_deployment.server_url}/accounts/2fa/")
    page.get_by_role("link", name="Activate").click()
    page.fill("#id_password", OWNER_PASSWORD)
    page.get_by_role("button", name="Confirm").click()
    expect(page.locator("img.account-qr")).to_be_visible()
    screenshot(page, "accounts-totp-activate")
    secret = page.locator("#authenticator_secret").input_value()
    used = totp_code(secret)
    page.fill("#id_code", used)
    page.get_by_role("button", name="Activate").click()
    expect(page.locator("body")).to_contain_text("Recovery Codes")
    screenshot(page, "accounts-recovery-codes")
    for path in ("/accounts/2fa/", "/accounts/email/", "/accounts/password/change/"):
        page.goto(f"{mail_deployment.server_url}{path}")
        expect(page.locator(".account-nav")).to_be_visible()
        page.wait_for_load_state("load")

    again = new_context(viewport={"width": 1000, "height": 760}).new_page()
    again_violations = csp_violations(again)
    log_in(again, mail_deployment, "tara", OWNER_PASSWORD)
    expect(again).to_have_url(re.compile(r"/accounts/2fa/authenticate/$"))
    screenshot(again, "accounts-totp-login")
    # Without the code the console stays shut: allauth sends back to the code page.
    again.goto(f"{mail_deployment.server_url}/console/")
    expect(again).not_to_have_url(re.compile(r"/console/$"))
    again.goto(f"{mail_deployment.server_url}/accounts/2fa/authenticate/")
    # A code is good once: wait for the app's next one rather than reuse the activation's.
    while totp_code(secret) == used:
        again.wait_for_timeout(500)
    again.fill("#id_code", totp_code(secret))
    again.get_by_role("button", name="Sign In").click()
    expect(again).to_have_url(re.compile(r"/console/$"))
    assert violations == []
    assert again_violations == []


def test_a_forgotten_password_is_reset_through_the_emailed_link(
    mail_deployment: DemoDeployment, inbox: Inbox, new_context
) -> None:
    """The login's "Forgot your password?" → the emailed link → a new password that logs in."""
    page = new_context(viewport={"width": 1000, "height": 760}).new_page()
    violations = csp_violations(page)
    page.goto(f"{mail_deployment.server_url}/console/login/")
    page.get_by_role("link", name="Forgot your password?").click()
    page.fill("#id_email", "reset@shop.example")
    page.get_by_role("button", name="Reset My Password").click()
    expect(page).to_have_url(re.compile(r"/accounts/password/reset/done/$"))
    # An address without an account gets no link (allauth tells it so); now give it an account.
    verified_owner(mail_deployment, "reset@shop.example")
    page.goto(f"{mail_deployment.server_url}/accounts/password/reset/")
    page.fill("#id_email", "reset@shop.example")
    page.get_by_role("button", name="Reset My Password").click()
    expect(page).to_have_url(re.compile(r"/accounts/password/reset/done/$"))
    link = emailed_link(inbox, "reset@shop.example", "/accounts/password/reset/key/")
    page.goto(link)
    page.fill("#id_password1", "a-new-e2e-password-7")
    page.fill("#id_password2", "a-new-e2e-password-7")
    screenshot(page, "accounts-password-reset")
    page.get_by_role("button", name="Change Password").click()
    expect(page.locator("h1")).to_contain_text("Password")
    log_in(page, mail_deployment, "reset@shop.example", "a-new-e2e-password-7")
    expect(page).to_have_url(re.compile(r"/console/$"))
    assert violations == []
