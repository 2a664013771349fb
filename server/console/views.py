"""The console page: a shell that the browser fills in from the agent socket (see docs/console.md)."""

from typing import Any
from urllib.parse import quote

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.cache import never_cache

from server.agents.selectors import web_push_configured
from server.sites.team import owns_a_site

SOCKET_PATH = "/ws/agent/"


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
        # The account's pages (email, password, two-factor), and the owner pages for owners of a site.
        "account_url": reverse("account_email"),
        "owner_url": reverse("owner:home") if owns_a_site(user=request.user) else "",
        "message_max_length": int(getattr(settings, "PARLEY_MESSAGE_MAX_LENGTH", 4000)),
        "frame_max_bytes": int(getattr(settings, "PARLEY_FRAME_MAX_BYTES", 16384)),
        # Web Push: the key browsers subscribe with (empty: Web Push is off), where to send the subscription,
        # and the service worker that shows pushes.
        "push_public_key": settings.PARLEY_VAPID_PUBLIC_KEY if web_push_configured() else "",
        "push_subscriptions_url": reverse("agent_console:push-subscriptions"),
        "service_worker_url": reverse("agent_console:service-worker"),
    }


@never_cache
@login_required
def console(request: HttpRequest) -> HttpResponse:
    """The agent console page."""
    config = console_config(request)
    return render(
        request, "agent_console/console.html", {"config": config, "agent_name": config["agent"]["name"]}
    )


def locked_out(
    request: HttpRequest, original_response: HttpResponse | None = None, credentials: Any = None
) -> HttpResponse:
    """The page django-axes answers a locked-out login with (console and admin): 429, when to try again."""
    minutes = settings.PARLEY_LOGIN_COOLOFF_MINUTES
    response = render(
        request,
        "agent_console/locked_out.html",
        {"cooloff_minutes": minutes, "login_url": reverse("agent_console:login")},
        status=429,
    )
    response["Retry-After"] = str(minutes * 60)
    return response
