"""HTTP endpoints of the widget: its scripts, its public settings and visitor sessions."""

import gzip
import hashlib
import logging
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache, wraps
from typing import Any

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.http import parse_etags
from django.views.decorators.csrf import csrf_exempt

from server.conversations.resume import resume_token_in
from server.conversations.services.identity import check_identity
from server.conversations.services.offline import check_resume_token
from server.conversations.services.visitor_context import check_visitor_context
from server.conversations.services.visitors import do_start_visitor_session
from server.errors import ParleyError, internal_error
from server.limits.checks import check_widget_request
from server.limits.client_ip import request_client_ip
from server.protocol import frames
from server.protocol.errors import error_body, error_response
from server.protocol.objects import construct
from server.protocol.validation import parse_body, read_body
from server.sites.installation import do_note_page_origin
from server.sites.selectors import socket_url
from server.sites.selectors import widget_config as site_widget_config
from server.sites.services import check_site_origin
from server.widget_api.bundles import load_bundle
from server.widget_api.handlers import too_large
from server.widget_api.locales import panel_locale

logger = logging.getLogger(__name__)

View = Callable[..., HttpResponse]


def api_view(*methods: str) -> Callable[[View], View]:
    """Limit a JSON view to some methods; every failure in it answers the documented JSON error."""

    def decorate(view: View) -> View:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if request.method not in methods:
                response = error_response(ParleyError("method_not_allowed", f"Use {' or '.join(methods)}."))
                response["Allow"] = ", ".join(methods)
                return response
            try:
                check_widget_request(ip=request_client_ip(request))
                return view(request, *args, **kwargs)
            except ParleyError as error:
                logger.info("%s %s refused: %s", request.method, request.path, error.code)
                return error_response(error)
            except RequestDataTooBig:
                return error_response(too_large())
            except Exception:
                # Logged with its traceback; the client reads the documented JSON, not Django's page.
                logger.exception("%s %s failed", request.method, request.path)
                return error_response(internal_error())

        return wrapper

    return decorate


def _json_body(request: HttpRequest) -> bytes:
    """The raw body of a JSON request, read only up to PARLEY_HTTP_BODY_MAX_BYTES."""
    # No Content-Type passes only with an empty body, which reads as {}.
    content_type = (request.content_type or "").lower()
    if content_type not in {"", "application/json"}:
        raise ParleyError("unsupported_media_type", "Send the body as application/json.")
    body = read_body(request, limit=settings.PARLEY_HTTP_BODY_MAX_BYTES)
    if body and not content_type:
        raise ParleyError("unsupported_media_type", "Send the body as application/json.")
    return body


@api_view("GET")
def widget_config(request: HttpRequest, site_key: str) -> HttpResponse:
    """The site's public widget settings, for pages on its allowed origins (every page the widget loads on
    asks: its origin is noted for the site's installation check, allowed or not)."""
    origin = request.headers.get("Origin")
    do_note_page_origin(site_key=site_key, origin=origin)
    site = check_site_origin(site_key=site_key, origin=origin)
    config = frames.WidgetConfig.model_validate(site_widget_config(site=site))
    response = JsonResponse(config.model_dump(mode="json"))
    response["Cache-Control"] = "private, max-age=60"
    return response


@csrf_exempt  # cross-origin and cookie-less: the signed token is the credential, not a cookie
@api_view("POST")
def widget_session(request: HttpRequest, site_key: str) -> HttpResponse:
    """Resume or start a visitor and return a fresh signed token for the visitor socket."""
    site = check_site_origin(site_key=site_key, origin=request.headers.get("Origin"))
    body = parse_body(body=_json_body(request), model=frames.SessionRequest)
    claim = body.identity
    identity = None
    if claim is not None:
        identity = check_identity(
            site=site,
            user_id=claim.user_id,
            email=claim.email,
            name=claim.name,
            user_hash=claim.user_hash,
            token=claim.token,
        )
    # A valid resume link's visitor wins over the token this browser holds (docs/offline.md).
    resume = resume_token_in(body.page_url)
    resumed_token = None if resume is None else check_resume_token(site_id=site.pk, token=resume)
    session = do_start_visitor_session(
        site=site,
        visitor_token=resumed_token or body.visitor_token,
        page_url=body.page_url,
        user_agent=request.headers.get("User-Agent", ""),
        client_ip=request_client_ip(request),
        context=check_visitor_context(
            page_title=body.page_title, referrer=body.referrer, timezone=body.timezone, language=body.language
        ),
        identity=identity,
    )
    socket_base = socket_url(server_url=settings.PARLEY_PUBLIC_URL)
    answer = construct(
        frames.SessionResponse,
        visitor_token=session.visitor_token,
        visitor_id=session.visitor_id,
        socket_url=f"{socket_base}/ws/visitor/{site.public_key}/",
        token_max_age=settings.PARLEY_VISITOR_TOKEN_MAX_AGE,
        identity=None
        if identity is None
        else construct(
            frames.SessionIdentity,
            verified=identity.verified,
            error=None if identity.error is None else error_body(identity.error),
        ),
        resumed=None if resume is None else resumed_token is not None,
    )
    response = JsonResponse(answer.model_dump(mode="json", exclude_none=identity is None))
    response["Cache-Control"] = "no-store"
    return response


@dataclass(frozen=True)
class Bundle:
    """A built widget bundle, its gzip -9 encoding (made once) and its ETag."""

    source: bytes
    gzipped: bytes
    etag: str


def _bundle(name: str) -> Bundle:
    source = load_bundle(name)
    # Compressed once, deterministically (mtime 0): no per-request work, and none of the random padding
    # Django's gzip adds against BREACH, which only matters for responses that carry a secret.
    return Bundle(
        source=source,
        gzipped=gzip.compress(source, compresslevel=9, mtime=0),
        etag=f'"{hashlib.sha256(source).hexdigest()[:20]}"',
    )


_cached_bundle = cache(_bundle)


def _script_response(request: HttpRequest, name: str) -> HttpResponse:
    # In DEBUG every request reads the file again, so a rebuilt widget shows on reload.
    bundle = _bundle(name) if settings.DEBUG else _cached_bundle(name)
    offered = {tag.removeprefix("W/") for tag in parse_etags(request.headers.get("If-None-Match", ""))}
    if bundle.etag in offered:
        response = HttpResponse(status=304)
    elif "gzip" in request.headers.get("Accept-Encoding", ""):
        response = HttpResponse(bundle.gzipped, content_type="text/javascript; charset=utf-8")
        response["Content-Encoding"] = "gzip"
    else:
        response = HttpResponse(bundle.source, content_type="text/javascript; charset=utf-8")
    response["ETag"] = bundle.etag
    response["Vary"] = "Accept-Encoding"
    # Short: a site owner's embed code never changes, so updates must roll out by expiry.
    response["Cache-Control"] = "public, max-age=300"
    response["Cross-Origin-Resource-Policy"] = "cross-origin"
    response["Access-Control-Allow-Origin"] = "*"  # public code, no credentials: lets it load as CORS too
    return response


def widget_script(request: HttpRequest) -> HttpResponse:
    """The widget loader the embed code points at."""
    return _script_response(request, "widget.js")


def widget_panel_script(request: HttpRequest) -> HttpResponse:
    """The chat panel in the visitor's language (`?locale=` from setLocale or the site, else the browser's
    Accept-Language), loaded by the loader on first open."""
    locale = panel_locale(
        asked=request.GET.get("locale", ""), accept_language=request.headers.get("Accept-Language", "")
    )
    response = _script_response(request, f"panel-{locale}.js")
    # The same address serves each language, by the browser's languages when the page names none.
    response["Vary"] = "Accept-Encoding, Accept-Language"
    return response
