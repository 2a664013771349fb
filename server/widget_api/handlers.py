"""Django's error handlers: on the widget API's paths they answer its documented JSON errors."""

import logging

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse
from django.views import defaults
from django.views.decorators.csrf import csrf_exempt

from server.errors import ParleyError, internal_error, payload_too_large
from server.protocol.errors import error_response

logger = logging.getLogger(__name__)

WIDGET_API_PREFIX = "/api/widget/"


def too_large() -> ParleyError:
    """The `payload_too_large` error of a body over PARLEY_HTTP_BODY_MAX_BYTES."""
    return payload_too_large(limit=settings.PARLEY_HTTP_BODY_MAX_BYTES)


def is_widget_api(request: HttpRequest) -> bool:
    """Whether a request is for the widget API, whose every error is JSON."""
    return request.path.startswith(WIDGET_API_PREFIX)


@csrf_exempt  # a POST to a wrong path reads this 404, not the CSRF failure page
def widget_api_not_found(request: HttpRequest) -> HttpResponse:
    """Any path under the widget API that names no endpoint, with any method."""
    return error_response(ParleyError("not_found", "The widget API has no such endpoint."))


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    """handler400: a request Django refused outside a view (a body too large, a Host it does not serve)."""
    if not is_widget_api(request):
        return defaults.bad_request(request, exception)
    if isinstance(exception, RequestDataTooBig):
        return error_response(too_large())
    return error_response(ParleyError("bad_request", "The request is malformed."))


def server_error(request: HttpRequest) -> HttpResponse:
    """handler500: an unhandled exception outside a widget view (Django has logged it already)."""
    if not is_widget_api(request):
        return defaults.server_error(request)
    return error_response(internal_error())
