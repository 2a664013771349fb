"""Sign-up: an email address and a password, a verification email, then the owner pages."""

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth.models import User
from django.core import mail
from django.test import Client

from tests.accounts.conftest import emailed_link
from tests.processes import free_port

pytestmark = pytest.mark.django_db

PASSWORD = "olga-password-1"


def sign_up(client: Client, email: str = "olga@shop.example") -> None:
    """Post the sign-up form; it answers with the "check your email" page."""
    response = client.post(
        "/accounts/signup/", {"email": email, "password1": PASSWORD, "password2": PASSWORD}
    )
    assert (response.status_code, response["Location"]) == (302, "/accounts/confirm-email/")


def test_sign_up_emails_a_link_that_verifies_and_lands_on_the_owner_pages(client: Client):
    """Sign up → one email to that address; its link, confirmed in the same browser → logged in on /owner/."""
    sign_up(client)
    assert "_auth_user_id" not in client.session
    assert [message.to for message in mail.outbox] == [["olga@shop.example"]]
    assert mail.outbox[0].subject.startswith("[Parley] ")
    link = emailed_link("/accounts/confirm-email/")
    assert client.get(link).status_code == 200
    confirmed = client.post(link)
    assert (confirmed.status_code, confirmed["Location"]) == (302, "/owner/")
    user = User.objects.get(email="olga@shop.example")
    assert client.session["_auth_user_id"] == str(user.pk)
    assert EmailAddress.objects.get(user=user).verified


def test_an_unverified_account_cannot_log_in(client: Client):
    """Signed up, link not followed → logging in sends the email again instead of a session."""
    sign_up(client)
    other = Client()
    response = other.post("/console/login/", {"login": "olga@shop.example", "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == "/accounts/confirm-email/"
    assert "_auth_user_id" not in other.session


def test_a_link_opened_in_another_browser_verifies_then_asks_to_log_in(client: Client):
    """The link in a browser without the sign-up's session → verified, then the login, then /owner/."""
    sign_up(client)
    elsewhere = Client()
    confirmed = elsewhere.post(emailed_link("/accounts/confirm-email/"))
    assert confirmed["Location"] == "/console/login/?next=/owner/"
    logged_in = elsewhere.post(confirmed["Location"], {"login": "olga@shop.example", "password": PASSWORD})
    assert (logged_in.status_code, logged_in["Location"]) == (302, "/owner/")


def test_an_address_already_taken_signs_up_no_second_account(client: Client):
    """Signing up again with a taken address → no second account (allauth tells the owner by email)."""
    sign_up(client)
    sign_up(Client())
    assert User.objects.filter(email__iexact="olga@shop.example").count() == 1


def test_the_sign_up_page_has_parleys_look_and_no_inline_script(client: Client):
    """GET /accounts/signup/ → the console's stylesheet, its card, the strict policy, no inline script."""
    response = client.get("/accounts/signup/")
    page = response.content.decode()
    assert "/static/console/console.css" in page
    assert 'class="login-card' in page
    assert "<script" not in page
    assert "style=" not in page
    assert "script-src 'self'" in response["Content-Security-Policy"]


def test_an_smtp_server_that_is_down_is_logged_not_a_500(client: Client, settings, caplog):
    """EMAIL_BACKEND SMTP on a port nobody listens on → the sign-up still answers its page; the failure is
    logged."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", free_port()
    sign_up(client)
    assert "Could not send the account/email/email_confirmation_signup email" in caplog.text
