"""Django's error handlers: JSON errors on the widget API's paths, Django's own pages elsewhere."""

import pytest
from django.core.exceptions import DisallowedHost, RequestDataTooBig
from django.test import RequestFactory

from server.widget_api import handlers

API_PATH = "/api/widget/sites/abc/session"


@pytest.mark.parametrize(
    ("exception", "status", "code"),
    [(RequestDataTooBig(), 413, "payload_too_large"), (DisallowedHost(), 400, "bad_request")],
)
def test_bad_request_on_the_api_is_its_json_error(rf: RequestFactory, exception, status, code):
    """handler400 on a widget API path → the matching JSON error."""
    response = handlers.bad_request(rf.post(API_PATH), exception)
    assert response.status_code == status
    assert response["Content-Type"] == "application/json"
    assert b'"code": "' + code.encode() + b'"' in response.content


def test_server_error_on_the_api_is_internal_error(rf: RequestFactory):
    """handler500 on a widget API path → 500 internal_error JSON."""
    response = handlers.server_error(rf.get(API_PATH))
    assert (response.status_code, response["Content-Type"]) == (500, "application/json")
    assert b"internal_error" in response.content


def test_elsewhere_the_handlers_are_djangos(rf: RequestFactory):
    """Outside /api/widget/ the console and admin keep Django's error pages."""
    assert handlers.server_error(rf.get("/console/"))["Content-Type"].startswith("text/html")
    page = handlers.bad_request(rf.get("/console/"), DisallowedHost())
    assert (page.status_code, page["Content-Type"].startswith("text/html")) == (400, True)


@pytest.mark.parametrize("method", ["get", "post", "put", "delete"])
def test_the_catch_all_is_not_found_with_any_method(rf: RequestFactory, method):
    """widget_api_not_found answers any method with 404 not_found."""
    response = handlers.widget_api_not_found(getattr(rf, method)("/api/widget/nothing"))
    assert response.status_code == 404
    assert b"not_found" in response.content
