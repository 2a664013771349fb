"""Password reset by email and password change, through allauth in Parley's look."""

import pytest
from django.contrib.auth.models import User
from django.core import mail
from django.test import Client

from tests.accounts.conftest import emailed_link

pytestmark = pytest.mark.django_db


def test_a_reset_link_by_email_sets_a_new_password(client: Client, owner_olga: User):
    """Reset asked → one email with a link; the new password set there logs in, the old one no longer."""
    asked = client.post("/accounts/password/reset/", {"email": "olga@shop.example"})
    assert (asked.status_code, asked["Location"]) == (302, "/accounts/password/reset/done/")
    assert [message.to for message in mail.outbox] == [["olga@shop.example"]]
    link = emailed_link("/accounts/password/reset/key/")
    form_url = client.get(link)["Location"]
    new = "a-new-password-42"
    done = client.post(form_url, {"password1": new, "password2": new})
    assert done.status_code == 302
    assert Client().post("/console/login/", {"login": "olga", "password": new})["Location"] == "/console/"
    assert (
        Client().post("/console/login/", {"login": "olga", "password": "olga-password-1"}).status_code == 200
    )


def test_a_reset_for_an_unknown_address_answers_the_same(client: Client):
    """An address with no account → the same "done" page (no account enumeration)."""
    asked = client.post("/accounts/password/reset/", {"email": "nobody@shop.example"})
    assert (asked.status_code, asked["Location"]) == (302, "/accounts/password/reset/done/")


def test_a_logged_in_owner_changes_the_password(client: Client, owner_olga: User):
    """The password page: old and new password → changed."""
    client.force_login(owner_olga)
    page = client.get("/accounts/password/change/")
    assert page.status_code == 200
    assert 'class="account-nav"' in page.content.decode()
    new = "a-new-password-42"
    client.post(
        "/accounts/password/change/", {"oldpassword": "olga-password-1", "password1": new, "password2": new}
    )
    owner_olga.refresh_from_db()
    assert owner_olga.check_password(new)
