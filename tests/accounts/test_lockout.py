"""django-axes under allauth: a username and its email address count against one lockout."""

import pytest
from django.contrib.auth.models import User
from django.test import Client, RequestFactory

from server.accounts.lockout import login_username

pytestmark = pytest.mark.django_db


def test_a_login_names_its_account_by_username_or_address(owner_olga: User):
    """The username or the address in any case → "olga"; an unknown login → itself, lowercased."""
    request = RequestFactory().post("/console/login/")
    assert login_username(request, {"username": "olga"}) == "olga"
    assert login_username(request, {"email": "Olga@Shop.example", "username": "Olga@Shop.example"}) == "olga"
    assert login_username(request, {"username": "Nobody@Example.com"}) == "nobody@example.com"


def test_without_credentials_the_posted_login_is_read(owner_olga: User):
    """No credentials (a signal without them) → the form's `login` field."""
    request = RequestFactory().post("/console/login/", {"login": "olga@shop.example"})
    assert login_username(request, None) == "olga"


def test_failures_by_username_and_by_address_add_up_to_one_lockout(
    client: Client, owner_olga: User, settings
):
    """Failures typed both ways reach the limit → 429, and the right password is refused too."""
    for attempt in range(settings.AXES_FAILURE_LIMIT):
        login = "olga" if attempt % 2 else "olga@shop.example"
        response = client.post("/console/login/", {"login": login, "password": "wrong"})
    assert response.status_code == 429
    locked = client.post("/console/login/", {"login": "olga", "password": "olga-password-1"})
    assert locked.status_code == 429
    assert "_auth_user_id" not in client.session
