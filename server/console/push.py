"""The console's Web Push endpoints: a browser's subscription stored and removed, and the service worker."""

import json
import logging

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.http import Http404, HttpRequest, HttpResponse
from django.views.decorators.cache import never_cache

from server.agents.services import check_endpoint, check_subscription, do_subscribe, do_unsubscribe
from server.errors import ParleyError
from server.protocol.errors import error_response
from server.protocol.validation import read_body

logger = logging.getLogger(__name__)

SERVICE_WORKER = "console-sw.js"


@never_cache
def subscriptions(request: HttpRequest) -> HttpResponse:
    """POST stores this browser's push subscription for the agent; DELETE removes it (CSRF-checked)."""
    if request.method not in {"POST", "DELETE"}:
        response = error_response(ParleyError("method_not_allowed", "Use POST or DELETE."))
        response["Allow"] = "POST, DELETE"
        return response
    try:
        if not request.user.is_authenticated or not isinstance(request.user, AbstractBaseUser):
            raise ParleyError("not_authenticated", "Log in to the console first.")
        data = _json(request)
        user_id = int(request.user.pk)
        if request.method == "POST":
            do_subscribe(user_id=user_id, subscription=check_subscription(data=data))
            return HttpResponse(status=204)
        endpoint = check_endpoint(data.get("endpoint") if isinstance(data, dict) else None)
        do_unsubscribe(user_id=user_id, endpoint=endpoint)
        return HttpResponse(status=204)
    except ParleyError as error:
        logger.info("%s %s refused: %s", request.method, request.path, error.code)
        return error_response(error)


def _json(request: HttpRequest) -> object:
    """The JSON body, read no further than PARLEY_PUSH_SUBSCRIPTION_MAX_BYTES."""
    if (request.content_type or "").lower() != "application/json":
        raise ParleyError("unsupported_media_type", "Send the body as application/json.")
    body = read_body(request, limit=settings.PARLEY_PUSH_SUBSCRIPTION_MAX_BYTES)
    try:
        return json.loads(body)
    except (ValueError, RecursionError):
        raise ParleyError("invalid_json", "The body must be a JSON object.") from None


def service_worker(request: HttpRequest) -> HttpResponse:
    """The console's service worker (frontend/console/sw.ts): its scope is /console/, where it is served."""
    try:
        source = (settings.PARLEY_FRONTEND_DIST / SERVICE_WORKER).read_bytes()
    except FileNotFoundError:
        raise Http404("Build the frontend (make frontend).") from None
    response = HttpResponse(source, content_type="text/javascript; charset=utf-8")
    # A browser checks for a new worker on each visit; an old one must not linger in caches.
    response["Cache-Control"] = "no-cache"
    return response
