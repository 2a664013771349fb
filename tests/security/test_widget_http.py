"""Door: the widget HTTP API. Every refusal is the documented JSON error, whatever the request holds."""

import json
import time
from typing import Any

import pytest
from django.core import signing
from django.test import Client
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from server.conversations.models import Visitor
from server.conversations.tokens import VISITOR_TOKEN_SALT, VISITOR_TOKEN_SEPARATOR
from server.errors import ERROR_CODES
from server.sites.models import Site
from server.sites.origins import OriginRules
from tests.conftest import ACME_ORIGIN, VisitorIdentity

pytestmark = pytest.mark.django_db

ERROR_CONTENT_TYPE = "application/json"


def session_path(site: Site) -> str:
    """The session endpoint of a site."""
    return f"/api/widget/sites/{site.public_key}/session"


def post(
    client: Client,
    path: str,
    body: bytes | str,
    *,
    content_type: str = "application/json",
    origin: str | None = ACME_ORIGIN,
    **headers: str,
) -> Any:
    """POST raw bytes with a content type and an Origin, as any script could."""
    if origin is not None:
        headers["origin"] = origin
    return client.generic("POST", path, body, content_type=content_type, headers=headers)


def assert_error(response: Any, status: int, code: str, *, cors: str | None = ACME_ORIGIN) -> None:
    """The response is the documented JSON error, with CORS headers only for an allowed origin."""
    assert response.status_code == status, response.content[:300]
    assert response["Content-Type"] == ERROR_CONTENT_TYPE
    body = response.json()
    assert set(body) == {"error"}
    assert set(body["error"]) == {"code", "message"}
    assert body["error"]["code"] == code
    assert response.get("Access-Control-Allow-Origin") == cors


# --- Bodies ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "body",
    [
        pytest.param(b"not json", id="non-JSON"),
        pytest.param(b"[1, 2]", id="an array"),
        pytest.param(b"42", id="a number"),
        pytest.param(b'"visitor_token"', id="a string"),
        pytest.param(b"null", id="null"),
        pytest.param(b'{"visitor_token": ', id="cut short"),
        pytest.param(b"\xff\xfe{\x00", id="not UTF-8"),
        pytest.param(b"[" * 1000 + b"]" * 1000, id="arrays nested 1,000 deep"),
        pytest.param(b'{"a":' * 1000 + b"1" + b"}" * 1000, id="objects nested 1,000 deep"),
        pytest.param(b"[" * 4000 + b"]" * 4000, id="arrays nested 4,000 deep"),
    ],
)
def test_a_body_that_is_not_a_json_object_is_invalid_json(client, site_acme, body):
    """Non-JSON, arrays, numbers, deep nesting → 400 invalid_json, CORS kept, no visitor created."""
    assert_error(post(client, session_path(site_acme), body), 400, "invalid_json")
    assert not Visitor.objects.exists()


@pytest.mark.parametrize(
    "body",
    [
        pytest.param('{"visitor_token": 12}', id="token a number"),
        pytest.param('{"visitor_token": ["a"]}', id="token an array"),
        pytest.param('{"visitor_token": {"pk__gt": 0}}', id="token an ORM lookup object"),
        pytest.param('{"visitor_token": true}', id="token a boolean"),
        pytest.param('{"page_url": 12}', id="page_url a number"),
        pytest.param('{"page_url": {"$ne": ""}}', id="page_url an object"),
        pytest.param('{"visitor_token": ' + "[" * 1000 + "]" * 1000 + "}", id="token nested 1,000 deep"),
    ],
)
def test_a_field_of_the_wrong_type_is_invalid_field(client, site_acme, body):
    """A field that is not a string or null → 400 invalid_field naming it (or invalid_json past the depth)."""
    response = post(client, session_path(site_acme), body)
    code = response.json()["error"]["code"]
    assert_error(response, 400, code)
    assert code in {"invalid_field", "invalid_json"}
    if code == "invalid_field":
        assert "must be a string or null" in response.json()["error"]["message"]
    assert not Visitor.objects.exists()


def test_orm_lookup_keys_in_the_body_are_ignored(client, site_acme, site_globex):
    """{"visitor__site__id": …, "site__public_key__startswith": ""} → ignored: a new visitor of this site."""
    body = f'{{"visitor__site__id": {site_globex.pk}, "site__public_key__startswith": "", "site_id": 99}}'
    response = post(client, session_path(site_acme), body)
    assert response.status_code == 200
    assert Visitor.objects.get().site_id == site_acme.pk


def test_nul_bytes_in_fields_never_reach_storage(client, site_acme):
    """A NUL in the token → a fresh visitor; in page_url and User-Agent → dropped, stored without it."""
    body = '{"visitor_token": "abc\\u0000def", "page_url": "https://shop.acme.test/\\u0000"}'
    response = post(client, session_path(site_acme), body, user_agent="curl\x00/8")
    assert response.status_code == 200
    visitor = Visitor.objects.get()
    assert (visitor.last_page_url, visitor.user_agent) == ("", "curl/8")


def test_an_empty_json_body_starts_a_visitor(client, site_acme):
    """An empty application/json body reads as {} → 200, a new visitor."""
    assert post(client, session_path(site_acme), b"").status_code == 200
    assert Visitor.objects.count() == 1


# --- Size ------------------------------------------------------------------------------------------------


def test_a_20_mb_body_is_413_json(client, site_acme):
    """20 MB of JSON → 413 payload_too_large as JSON with CORS, not Django's 400 page."""
    body = b'{"page_url": "' + b"x" * (20 * 1024 * 1024) + b'"}'
    assert_error(post(client, session_path(site_acme), body), 413, "payload_too_large")
    assert not Visitor.objects.exists()


def test_a_body_one_byte_over_the_setting_is_413(client, site_acme, settings):
    """PARLEY_HTTP_BODY_MAX_BYTES + 1 bytes → 413; exactly the limit is read."""
    settings.PARLEY_HTTP_BODY_MAX_BYTES = 64
    at_limit = b'{"page_url": "https://a.test/' + b"x" * 33 + b'"}'
    assert len(at_limit) == 64
    assert post(client, session_path(site_acme), at_limit).status_code == 200
    assert_error(post(client, session_path(site_acme), at_limit + b" "), 413, "payload_too_large")


def test_a_declared_length_over_the_limit_is_refused_unread(client, site_acme):
    """Content-Length over the limit → 413 before a byte of the body is read."""
    response = client.generic(
        "POST",
        session_path(site_acme),
        b"{}",
        content_type="application/json",
        headers={"origin": ACME_ORIGIN},
        CONTENT_LENGTH="20000000",
    )
    assert_error(response, 413, "payload_too_large")


def test_django_refusing_a_body_answers_413_json(client, site_acme, settings, monkeypatch):
    """A body Django refuses to read (RequestDataTooBig, over DATA_UPLOAD_MAX_MEMORY_SIZE) → 413 JSON too."""
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10
    monkeypatch.setattr("server.widget_api.views._json_body", lambda request: request.body)
    assert_error(post(client, session_path(site_acme), b'{"page_url": null}'), 413, "payload_too_large")


# --- Content type ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "content_type",
    ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", "text/json", ""],
)
def test_a_body_not_sent_as_json_is_415(client, site_acme, content_type):
    """A body as text/plain, a form, multipart or no type at all → 415 unsupported_media_type."""
    response = post(client, session_path(site_acme), b"{}", content_type=content_type)
    assert_error(response, 415, "unsupported_media_type")
    assert not Visitor.objects.exists()


def test_json_with_a_charset_is_accepted(client, site_acme):
    """application/json; charset=utf-8 → 200."""
    response = post(client, session_path(site_acme), b"{}", content_type="Application/JSON; charset=utf-8")
    assert response.status_code == 200


# --- Paths and methods -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "suffix"),
    [
        ("GET", "/api/widget/"),
        ("GET", "/api/widget/sites/"),
        ("GET", "/api/widget/sites/{key}/"),
        ("POST", "/api/widget/sites/{key}/session/"),
        ("POST", "/api/widget/sites/{key}/visitors"),
        ("DELETE", "/api/widget/sites/{key}/conversations/1"),
    ],
)
def test_an_unknown_path_under_the_api_is_a_404_json(client, site_acme, method, suffix):
    """Any path of the widget API naming no endpoint → 404 not_found JSON (POST too: no CSRF page)."""
    path = suffix.format(key=site_acme.public_key)
    response = client.generic(
        method, path, b"{}", content_type="application/json", headers={"origin": ACME_ORIGIN}
    )
    # CORS headers follow the site the path names, when it names one.
    assert_error(response, 404, "not_found", cors=ACME_ORIGIN if "{key}/" in suffix else None)


@pytest.mark.parametrize(
    ("method", "endpoint", "allow"),
    [
        ("GET", "session", "POST"),
        ("PUT", "session", "POST"),
        ("DELETE", "session", "POST"),
        ("POST", "config", "GET"),
        ("PATCH", "config", "GET"),
    ],
)
def test_a_wrong_method_is_a_405_json_with_allow(client, site_acme, method, endpoint, allow):
    """A method the endpoint does not take → 405 method_not_allowed JSON, Allow naming the right one."""
    response = client.generic(
        method, f"/api/widget/sites/{site_acme.public_key}/{endpoint}", b"", headers={"origin": ACME_ORIGIN}
    )
    assert_error(response, 405, "method_not_allowed")
    assert response["Allow"] == allow


# --- Site keys -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "key",
    [
        pytest.param("nope", id="unknown"),
        pytest.param("1__gt", id="an ORM lookup"),
        pytest.param("__isnull", id="a bare lookup"),
        pytest.param("%00", id="NUL"),
        pytest.param("abc%0A", id="a trailing newline"),
        pytest.param("a" * 65, id="65 characters"),
        pytest.param("%C3%A9t%C3%A9", id="non-ASCII"),
        pytest.param("%20", id="a space"),
    ],
)
def test_a_bad_site_key_is_site_not_found(client, site_acme, site_globex, key):
    """Unknown, lookup-looking, NUL, newline, overlong or non-ASCII keys → 404 site_not_found."""
    response = client.get(f"/api/widget/sites/{key}/config", headers={"origin": ACME_ORIGIN})
    assert_error(response, 404, "site_not_found", cors=None)
    assert_error(post(client, f"/api/widget/sites/{key}/session", b"{}"), 404, "site_not_found", cors=None)


def test_a_real_key_with_a_trailing_newline_is_not_that_site(client, site_acme):
    """A site's own key + "\\n" → 404 site_not_found: keys are matched in full."""
    response = client.get(
        f"/api/widget/sites/{site_acme.public_key}%0A/config", headers={"origin": ACME_ORIGIN}
    )
    assert_error(response, 404, "site_not_found", cors=None)


# --- Origins ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "origin",
    [
        pytest.param("https://evil.test", id="foreign"),
        pytest.param("null", id="null (sandboxed iframe, file:)"),
        pytest.param(None, id="missing"),
        pytest.param("https://evil.test@shop.acme.test", id="userinfo"),
        pytest.param("https://shop.acme.test.evil.test", id="suffix"),
        pytest.param("http://shop.acme.test", id="other scheme"),
        pytest.param("https://shop.acme.test:444", id="other port"),
        pytest.param("https://shop.acme.test/x", id="a path"),
        pytest.param("https://" + "a" * 100_000 + ".test", id="100 KB"),
    ],
)
def test_an_origin_not_allowed_is_403_without_cors(client, site_acme, origin):
    """Any Origin but the site's own → 403 origin_not_allowed, no Access-Control-Allow-Origin, no visitor."""
    assert_error(
        post(client, session_path(site_acme), b"{}", origin=origin), 403, "origin_not_allowed", cors=None
    )
    response = client.get(
        f"/api/widget/sites/{site_acme.public_key}/config", headers={"origin": origin} if origin else {}
    )
    assert_error(response, 403, "origin_not_allowed", cors=None)
    assert not Visitor.objects.exists()


def test_a_huge_user_agent_is_cut_not_refused(client, site_acme):
    """A 100 KB User-Agent → 200, stored cut to 400 characters."""
    response = post(client, session_path(site_acme), b"{}", user_agent="u" * 100_000)
    assert response.status_code == 200
    assert len(Visitor.objects.get().user_agent) == 400


def test_a_host_this_server_does_not_serve_is_400_json(client, site_acme):
    """A Host outside ALLOWED_HOSTS → 400 bad_request JSON (Django's DisallowedHost), not its page."""
    response = client.get(
        f"/api/widget/sites/{site_acme.public_key}/config",
        headers={"origin": ACME_ORIGIN},
        HTTP_HOST="evil.test",
    )
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "bad_request"


# --- Tokens over HTTP ------------------------------------------------------------------------------------


def other_salt_token(visitor: VisitorIdentity) -> str:
    """The visitor's claim signed with this server's key but another purpose's salt."""
    signer = signing.TimestampSigner(salt="django.contrib.sessions", sep=VISITOR_TOKEN_SEPARATOR)
    return signer.sign_object({"s": visitor.site.pk, "v": visitor.visitor_id.replace("-", "")})


def flipped_signature_byte(token: str) -> str:
    """The token with one character of its signature changed."""
    last = token[-1]
    return token[:-1] + ("A" if last != "A" else "B")


@pytest.mark.parametrize("kind", ["other site", "flipped byte", "expired", "other salt", "empty", "1 MB"])
def test_a_bad_token_starts_a_new_visitor_never_resumes_one(
    client, visitor_alice: VisitorIdentity, visitor_gina: VisitorIdentity, monkeypatch, kind
):
    """Another site's, a tampered, an expired, another salt's or an absurd token → 200 with a new visitor."""
    if kind == "other site":
        token = visitor_gina.token
    elif kind == "flipped byte":
        token = flipped_signature_byte(visitor_alice.token)
    elif kind == "expired":
        real_time = time.time
        monkeypatch.setattr("django.core.signing.time.time", lambda: real_time() - 31 * 24 * 3600)
        signer = signing.TimestampSigner(salt=VISITOR_TOKEN_SALT, sep=VISITOR_TOKEN_SEPARATOR)
        token = signer.sign_object(
            {"s": visitor_alice.site.pk, "v": visitor_alice.visitor_id.replace("-", "")}
        )
        monkeypatch.setattr("django.core.signing.time.time", real_time)
    elif kind == "other salt":
        token = other_salt_token(visitor_alice)
    elif kind == "empty":
        token = ""
    else:
        token = "x" * 1_000_000
    body = f'{{"visitor_token": "{token}"}}'
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("django.conf.settings.PARLEY_HTTP_BODY_MAX_BYTES", 2_000_000)
        response = post(client, session_path(visitor_alice.site), body)
    assert response.status_code == 200
    assert response.json()["visitor_id"] not in {visitor_alice.visitor_id, visitor_gina.visitor_id}


# --- Failures --------------------------------------------------------------------------------------------


def test_a_view_that_fails_answers_500_json_and_logs_it(site_acme, monkeypatch, caplog):
    """An unhandled exception in a widget view → 500 internal_error JSON with CORS, the traceback logged."""

    def broken(**kwargs: Any) -> None:
        raise RuntimeError("database on fire")

    monkeypatch.setattr("server.widget_api.views.do_start_visitor_session", broken)
    client = Client(raise_request_exception=False)
    response = post(client, session_path(site_acme), b"{}")
    assert_error(response, 500, "internal_error")
    assert "database on fire" not in response.content.decode()
    assert any(record.exc_info and "database on fire" in str(record.exc_info[1]) for record in caplog.records)


def test_a_failure_before_the_view_answers_500_json(site_acme, monkeypatch):
    """An exception in a middleware on a widget path → handler500's 500 internal_error JSON."""

    def broken(**kwargs: Any) -> OriginRules:
        raise RuntimeError("cache on fire")

    monkeypatch.setattr("server.widget_api.cors.site_origin_rules", broken)
    client = Client(raise_request_exception=False)
    response = client.get(f"/api/widget/sites/{site_acme.public_key}/config", headers={"origin": ACME_ORIGIN})
    assert_error(response, 500, "internal_error", cors=None)


def test_outside_the_widget_api_errors_stay_django_pages(client, db):
    """A 404 elsewhere (the console, the root) keeps Django's own page: only the API answers JSON."""
    response = client.get("/nowhere")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")


@hypothesis_settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    method=st.sampled_from(["GET", "POST", "PUT", "DELETE", "PATCH", "OPTIONS"]),
    endpoint=st.sampled_from(["session", "config", "nothing", "session/"]),
    content_type=st.sampled_from(["application/json", "text/plain", "", "application/json; charset=latin-1"]),
    body=st.one_of(
        st.binary(max_size=300),
        st.recursive(
            st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
            lambda inner: (
                st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=20), inner, max_size=3)
            ),
            max_leaves=20,
        ).map(lambda value: json.dumps(value).encode()),
    ),
)
def test_any_request_gets_an_answer_or_a_documented_json_error(
    client, site_acme, method, endpoint, content_type, body
):
    """Any method, path, content type and body → 2xx, or JSON with a documented code and its status."""
    response = client.generic(
        method,
        f"/api/widget/sites/{site_acme.public_key}/{endpoint}",
        body,
        content_type=content_type,
        headers={"origin": ACME_ORIGIN},
    )
    if response.status_code < 300:
        return
    code = response.json()["error"]["code"]
    assert ERROR_CODES[code][0] == response.status_code
    assert response["Access-Control-Allow-Origin"] == ACME_ORIGIN
