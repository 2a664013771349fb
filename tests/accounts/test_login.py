"""Logging in through allauth at /console/login/: by username or email, TOTP asked once it is active."""

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.contrib.auth.models import User
from django.test import Client

from tests.accounts.conftest import totp_code

pytestmark = pytest.mark.django_db

TWO_FACTOR = "/accounts/2fa/authenticate/"


def log_in(client: Client, login: str, password: str, next_url: str = "") -> tuple[int, str]:
    """Post the console's login form → (status, where it redirects)."""
    response = client.post("/console/login/", {"login": login, "password": password, "next": next_url})
    return response.status_code, response.get("Location", "")


def with_totp(user: User) -> str:
    """Activate TOTP (and recovery codes) for `user`, as the two-factor page does; return the secret."""
    secret = str(generate_totp_secret())
    TOTP.activate(user, secret)
    RecoveryCodes.activate(user)
    return secret


@pytest.mark.parametrize("login", ["olga", "olga@shop.example", "OLGA@shop.example"])
def test_an_owner_logs_in_with_the_username_or_the_email_address(
    client: Client, owner_olga: User, login: str
):
    """The username, the address, the address in other case → the console, logged in."""
    assert log_in(client, login, "olga-password-1") == (302, "/console/")
    assert client.session["_auth_user_id"] == str(owner_olga.pk)


def test_an_account_an_administrator_made_logs_in_without_an_address(client: Client, agent_bob: User):
    """An agent with no email address on record (made in the admin) → logged in, no verification asked."""
    assert log_in(client, "bob", "bob-password-1") == (302, "/console/")


def test_a_wrong_password_shows_the_form_again(client: Client, owner_olga: User):
    """A wrong password → 200, the error on the page, no session."""
    response = client.post("/console/login/", {"login": "olga", "password": "wrong"})
    assert response.status_code == 200
    assert "not correct" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_with_totp_active_the_password_alone_logs_nobody_in(client: Client, owner_olga: User):
    """TOTP active → the password leads to the code page; the console still asks to log in."""
    with_totp(owner_olga)
    assert log_in(client, "olga", "olga-password-1") == (302, TWO_FACTOR)
    assert "_auth_user_id" not in client.session
    assert client.get("/console/").status_code == 302
    page = client.get(TWO_FACTOR)
    assert page.status_code == 200
    assert "/static/console/console.css" in page.content.decode()


def test_the_code_from_the_app_completes_the_login(client: Client, owner_olga: User):
    """Password, then the app's current code → the console."""
    secret = with_totp(owner_olga)
    log_in(client, "olga", "olga-password-1")
    wrong = client.post(TWO_FACTOR, {"code": "000000"})
    assert (wrong.status_code, "_auth_user_id" in client.session) == (200, False)
    done = client.post(TWO_FACTOR, {"code": totp_code(secret)})
    assert (done.status_code, done["Location"]) == (302, "/console/")
    assert client.session["_auth_user_id"] == str(owner_olga.pk)


def test_a_recovery_code_works_once(client: Client, owner_olga: User):
    """A recovery code stands in for the app's code, once."""
    with_totp(owner_olga)
    code = RecoveryCodes.activate(owner_olga).get_unused_codes()[0]
    log_in(client, "olga", "olga-password-1")
    assert client.post(TWO_FACTOR, {"code": code})["Location"] == "/console/"
    again = Client()
    log_in(again, "olga", "olga-password-1")
    assert again.post(TWO_FACTOR, {"code": code}).status_code == 200
    assert "_auth_user_id" not in again.session


def test_the_admin_asks_for_the_code_too(client: Client, admin_ada: User):
    """A superuser with TOTP: the admin's login is the same door, so no admin page before the code."""
    secret = with_totp(admin_ada)
    login_url = client.get("/admin/login/?next=/admin/")["Location"]
    assert client.post(login_url, {"login": "ada", "password": "ada-password-1"})["Location"] == TWO_FACTOR
    assert client.get("/admin/")["Location"].startswith("/admin/login/")
    assert client.post("/admin/login/", {"username": "ada", "password": "ada-password-1"}).status_code == 302
    assert client.get("/admin/").status_code == 302
    assert client.post(TWO_FACTOR, {"code": totp_code(secret)})["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200


def test_activating_totp_from_the_account_page(client: Client, owner_olga: User):
    """The two-factor page → the password again → the activation page (QR code as an image) → a code from
    the app activates it."""
    log_in(client, "olga", "olga-password-1")
    assert client.get("/accounts/2fa/").status_code == 200
    asked = client.get("/accounts/2fa/totp/activate/")
    assert asked["Location"].startswith("/accounts/reauthenticate/")
    client.post(asked["Location"], {"password": "olga-password-1"})
    page = client.get("/accounts/2fa/totp/activate/")
    html = page.content.decode()
    assert 'class="account-image account-qr"' in html
    assert 'src="data:image/svg+xml' in html
    secret = page.context["form"].secret
    done = client.post("/accounts/2fa/totp/activate/", {"code": totp_code(secret)})
    assert done.status_code == 302
    assert Authenticator.objects.filter(user=owner_olga, type=Authenticator.Type.TOTP).exists()
