"""The admin's door: staff only, the same strict CSP, and the same login throttling as the console."""

from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client

from tests.security.test_console_pages import assert_strict_policy

pytestmark = pytest.mark.django_db


def test_an_anonymous_visitor_is_sent_to_the_admin_login(client: Client):
    """GET /admin/ without a session → the admin's login page."""
    response = client.get("/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")


def test_an_agent_who_is_not_staff_gets_no_admin_page(client: Client, agent_bob: User):
    """A console agent (not staff) → /admin/ and model pages send back to the login; its login is refused."""
    client.force_login(agent_bob)
    for path in ("/admin/", "/admin/sites/site/", "/admin/auth/user/"):
        assert client.get(path)["Location"].startswith("/admin/login/"), path
    assert client.get("/admin/login/").status_code == 403
    refused = Client().post("/admin/login/", {"username": "bob", "password": "bob-password-1"})
    assert refused.status_code == 302
    assert "_auth_user_id" not in refused.wsgi_request.session


def test_the_admin_login_is_the_console_login(client: Client, admin_ada: User):
    """/admin/login/ → the console's (allauth's) login, then back to the admin: one door, TOTP included."""
    response = client.get("/admin/login/?next=/admin/sites/site/")
    assert (response.status_code, response["Location"]) == (
        302,
        "/console/login/?next=%2Fadmin%2Fsites%2Fsite%2F",
    )
    logged_in = client.post(response["Location"], {"login": "ada", "password": "ada-password-1"})
    assert (logged_in.status_code, logged_in["Location"]) == (302, "/admin/sites/site/")
    assert client.get("/admin/sites/site/").status_code == 200


@pytest.mark.parametrize("path", ["/admin/", "/admin/sites/site/", "/admin/sites/site/add/", "/admin/login/"])
def test_admin_pages_carry_the_strict_policy(client: Client, admin_ada: User, path: str):
    """Admin pages → the console's policy: default-src 'none', scripts and styles from self only."""
    client.force_login(admin_ada)
    response = client.get(path)
    assert response.status_code in (200, 302)
    assert_strict_policy(response)


def admin_login(client: Client, password: str) -> Any:
    """Post a login where the admin's login page sends to (the console's)."""
    login_url = client.get("/admin/login/?next=/admin/")["Location"]
    return client.post(login_url, {"login": "ada", "password": password})


def test_admin_login_is_throttled_like_the_consoles(client: Client, admin_ada: User, settings):
    """AXES_FAILURE_LIMIT wrong admin passwords → 429 lockout page, the right one refused too."""
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert admin_login(client, "nope").status_code == 200
    assert admin_login(client, "nope").status_code == 429
    locked = admin_login(client, "ada-password-1")
    assert locked.status_code == 429
    assert "Too many failed logins" in locked.content.decode()
    assert client.get("/admin/").status_code == 302


def test_failures_on_the_console_count_for_the_admin(client: Client, admin_ada: User, settings):
    """The same username and IP failing on the console → locked on the admin too (one count)."""
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post("/console/login/", {"login": "ada", "password": "nope"})
    assert admin_login(client, "ada-password-1").status_code == 429
