"""The console page: a shell that the browser fills in from the agent socket (see docs/console.md)."""

from collections.abc import Callable
from functools import wraps
from typing import Any
from urllib.parse import quote

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.cache import never_cache

SOCKET_PATH = "/ws/agent/"

View = Callable[..., HttpResponseBase]


def content_security_policy(request: HttpRequest) -> str:
    """The policy the console pages run under: no inline script or style, sockets to this host only."""
    host = request.get_host()
    return "; ".join(
        [
            "default-src 'self'",
            "script-src 'self'",
            "style-src 'self'",
            "img-src 'self' data:",
            f"connect-src 'self' ws://{host} wss://{host}",
            "base-uri 'none'",
            "form-action 'self'",
            "frame-ancestors 'none'",
            "object-src 'none'",
        ]
    )


def strict_csp(view: View) -> View:
    """Add the console's Content-Security-Policy to a view's responses (unless one is already set)."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        """Call the view, then set the header."""
        response = view(request, *args, **kwargs)
        if "Content-Security-Policy" not in response:
            response["Content-Security-Policy"] = content_security_policy(request)
        return response

    return wrapped


def agent_name(user: AbstractBaseUser | AnonymousUser) -> str:
    """The name shown in the top bar: the full name, else the username."""
    get_full_name = getattr(user, "get_full_name", None)
    full_name = str(get_full_name()).strip() if callable(get_full_name) else ""
    return full_name or user.get_username()


def console_config(request: HttpRequest) -> dict[str, Any]:
    """What console.js needs to start, embedded in the page as JSON (never as inline script)."""
    console_url = reverse("agent_console:console")
    return {
        "agent": {"id": request.user.pk, "name": agent_name(request.user)},
        "socket_path": SOCKET_PATH,
        "subprotocol": "parley.v1",
        "console_url": console_url,
        "login_url": f"{reverse('agent_console:login')}?next={quote(console_url, safe='/')}",
        "logout_url": reverse("agent_console:logout"),
        "message_max_length": int(getattr(settings, "PARLEY_MESSAGE_MAX_LENGTH", 4000)),
        "frame_max_bytes": int(getattr(settings, "PARLEY_FRAME_MAX_BYTES", 16384)),
    }


@never_cache
@strict_csp
@login_required
def console(request: HttpRequest) -> HttpResponse:
    """The agent console page."""
    config = console_config(request)
    return render(
        request, "agent_console/console.html", {"config": config, "agent_name": config["agent"]["name"]}
    )
