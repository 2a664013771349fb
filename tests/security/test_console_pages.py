"""The console pages' door: login throttled (django-axes), a strict CSP, CSRF, and production settings."""

import json
import os
import subprocess
import sys
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.utils.http import urlencode

pytestmark = pytest.mark.django_db

CONSOLE_PAGES = ["/console/", "/console/login/"]
POLICY = {
    "default-src": "'none'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": "'self' data:",
    "connect-src": "'self' ws://testserver",
    "base-uri": "'none'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
}


def directives(header: str) -> dict[str, str]:
    """A Content-Security-Policy header as {directive: sources}."""
    parts = (part.strip().split(" ", 1) for part in header.split(";") if part.strip())
    return {name: sources for name, sources in parts}


def assert_strict_policy(response: Any) -> None:
    """The response carries the console's policy, directive by directive."""
    found = directives(response["Content-Security-Policy"])
    assert {name: found.get(name) for name in POLICY} == POLICY


def log_in(client: Client, *, username: str, password: str, ip: str = "10.0.0.1") -> Any:
    """Post the console's login form from an IP."""
    return client.post("/console/login/", {"login": username, "password": password}, REMOTE_ADDR=ip)


@pytest.mark.parametrize("path", CONSOLE_PAGES)
def test_every_console_page_carries_the_strict_policy(client: Client, agent_bob: User, path: str):
    """GET a console page (logged in) → default-src 'none', scripts and styles from self only, no framing."""
    client.force_login(agent_bob)
    response = client.get(path, follow=True)
    assert response.status_code == 200
    assert_strict_policy(response)


def test_the_console_page_has_no_inline_script_or_style(client: Client, agent_bob: User):
    """The console page → only external scripts and a JSON config block; no style attribute or tag."""
    client.force_login(agent_bob)
    page = client.get("/console/").content.decode()
    assert "<style" not in page
    assert "style=" not in page
    for chunk in page.split("<script")[1:]:
        assert ' src="' in chunk.split(">", 1)[0] or 'type="application/json"' in chunk.split(">", 1)[0]


@pytest.mark.parametrize("path", ["/widget.js", "/api/widget/sites/unknown/config", "/healthz"])
def test_the_widget_api_and_scripts_carry_no_page_policy(client: Client, path: str):
    """Widget files and API (embedded cross-origin) → no CSP header, which would mean nothing there."""
    assert "Content-Security-Policy" not in client.get(path)


def test_n_failed_logins_lock_that_username_and_ip_out_with_the_lockout_page(
    client: Client, agent_bob: User, settings
):
    """PARLEY_LOGIN_FAILURE_LIMIT wrong passwords → the last one answers the 429 lockout page (console
    style, CSP, Retry-After), and so does the right password next."""
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert log_in(client, username="bob", password="wrong").status_code == 200
    assert log_in(client, username="bob", password="wrong").status_code == 429
    locked = log_in(client, username="bob", password="bob-password-1")
    assert locked.status_code == 429
    page = locked.content.decode()
    assert "Too many failed logins" in page
    assert "15 minutes" in page
    assert "/static/console/console.css" in page
    assert locked["Retry-After"] == "900"
    assert_strict_policy(locked)
    assert "_auth_user_id" not in client.session


def test_a_lockout_holds_one_username_from_one_ip_only(client: Client, agent_bob: User, agent_eve, settings):
    """Bob locked from 10.0.0.1 → Bob from another IP and Eve from 10.0.0.1 still log in."""
    for _ in range(settings.AXES_FAILURE_LIMIT):
        log_in(client, username="bob", password="wrong")
    assert log_in(Client(), username="bob", password="bob-password-1", ip="10.0.0.2").status_code == 302
    assert log_in(Client(), username="eve", password="eve-password-1").status_code == 302


def test_fewer_failures_than_the_limit_then_success_resets_the_count(client: Client, agent_bob, settings):
    """limit-1 failures, a success, then limit-1 failures again → never locked."""
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        log_in(client, username="bob", password="wrong")
    assert log_in(Client(), username="bob", password="bob-password-1").status_code == 302
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        log_in(client, username="bob", password="wrong")
    assert log_in(Client(), username="bob", password="bob-password-1").status_code == 302


def test_the_login_page_refuses_a_post_without_its_csrf_token(agent_bob: User):
    """A login posted from elsewhere (no CSRF token) → 403, no session."""
    client = Client(enforce_csrf_checks=True)
    response = client.post("/console/login/", {"login": "bob", "password": "bob-password-1"})
    assert response.status_code == 403
    assert "_auth_user_id" not in client.session


def test_a_login_sets_an_httponly_lax_session_cookie_and_lands_on_the_console(client: Client, agent_bob):
    """Right password → 302 to the console; the session cookie is HttpOnly and SameSite=Lax."""
    response = log_in(client, username="bob", password="bob-password-1")
    assert (response.status_code, response["Location"]) == (302, "/console/")
    cookie = response.cookies["sessionid"]
    assert cookie["httponly"]
    assert cookie["samesite"] == "Lax"


def test_login_redirects_only_to_this_server(client: Client, agent_bob: User):
    """?next=https://evil.com → the console, not evil.com."""
    response = client.post(
        "/console/login/?" + urlencode({"next": "https://evil.com/"}),
        {"login": "bob", "password": "bob-password-1", "next": "https://evil.com/"},
    )
    assert response["Location"] == "/console/"


def test_logout_is_a_post_and_ends_the_session(client: Client, agent_bob: User):
    """GET /console/logout/ → 405; POST → back to the login page, the console asks to log in again."""
    client.force_login(agent_bob)
    assert client.get("/console/logout/").status_code == 405
    response = client.post("/console/logout/")
    assert (response.status_code, response["Location"]) == (302, "/console/login/")
    assert client.get("/console/").status_code == 302


def test_https_responses_carry_hsts_and_secure_cookies(client: Client, agent_bob: User, settings):
    """With production's https settings, a login over https → Strict-Transport-Security and Secure cookies."""
    settings.SECURE_HSTS_SECONDS = 31536000
    settings.SESSION_COOKIE_SECURE = True
    settings.CSRF_COOKIE_SECURE = True
    secure = Client()
    login_page = secure.get("/console/login/", secure=True)
    assert login_page["Strict-Transport-Security"] == "max-age=31536000"
    assert login_page.cookies["csrftoken"]["secure"]
    response = secure.post("/console/login/", {"login": "bob", "password": "bob-password-1"}, secure=True)
    assert response.cookies["sessionid"]["secure"]


def production_settings(**env: str) -> dict[str, Any]:
    """server.settings as a fresh process reads it from `env` (SECRET_KEY set, nothing inherited)."""
    return settings_in_a_fresh_process(
        "{name: getattr(s, name, None) for name in "
        "['SESSION_COOKIE_SECURE', 'CSRF_COOKIE_SECURE', 'SECURE_HSTS_SECONDS', 'SECURE_PROXY_SSL_HEADER', "
        "'SESSION_COOKIE_HTTPONLY', 'CSRF_COOKIE_HTTPONLY', 'AXES_FAILURE_LIMIT']} | "
        "{'connect': s.CONTENT_SECURITY_POLICY['DIRECTIVES']['connect-src']}",
        **env,
    )


def settings_in_a_fresh_process(expression: str, **env: str) -> dict[str, Any]:
    """A dict `expression` builds from server.settings (as `s`), read by a fresh process from `env`."""
    code = f"import json, server.settings as s; print(json.dumps({expression}))"
    clean = {key: value for key, value in os.environ.items() if not key.startswith(("PARLEY_", "SECURE_"))}
    clean.pop("CSRF_TRUSTED_ORIGINS", None)
    result = subprocess.run(
        [sys.executable, "-c", code],
        env={**clean, "SECRET_KEY": "x" * 50, "DEBUG": "0", **env},
        capture_output=True,
        text=True,
        check=True,
    )
    loaded: dict[str, Any] = json.loads(result.stdout.strip().splitlines()[-1])
    return loaded


def test_an_https_public_url_turns_on_secure_cookies_hsts_and_a_wss_policy():
    """PARLEY_PUBLIC_URL=https://… and SECURE_PROXY_SSL_HEADER → Secure cookies, a year of HSTS, the
    proxy header, wss:// in connect-src."""
    loaded = production_settings(
        PARLEY_PUBLIC_URL="https://chat.example.com", SECURE_PROXY_SSL_HEADER="X-Forwarded-Proto"
    )
    assert loaded == {
        "SESSION_COOKIE_SECURE": True,
        "CSRF_COOKIE_SECURE": True,
        "SECURE_HSTS_SECONDS": 31536000,
        "SECURE_PROXY_SSL_HEADER": ["HTTP_X_FORWARDED_PROTO", "https"],
        "SESSION_COOKIE_HTTPONLY": True,
        "CSRF_COOKIE_HTTPONLY": True,
        "AXES_FAILURE_LIMIT": 5,
        "connect": ["'self'", "wss://chat.example.com"],
    }


def test_a_plain_http_public_url_sends_no_hsts_and_trusts_no_proxy_header():
    """PARLEY_PUBLIC_URL=http://localhost:8000 (the demo) → no HSTS, no Secure cookies, no proxy header."""
    loaded = production_settings(PARLEY_PUBLIC_URL="http://localhost:8000")
    assert (loaded["SECURE_HSTS_SECONDS"], loaded["SESSION_COOKIE_SECURE"]) == (0, False)
    assert loaded["SECURE_PROXY_SSL_HEADER"] is None
