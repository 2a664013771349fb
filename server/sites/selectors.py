"""Reads of sites: the per-process site cache, origin checks, memberships and the embed code."""

import re
import time
from typing import Any

from django.conf import settings
from django.utils import timezone

from server.errors import ParleyError
from server.sites.hours import is_within_hours
from server.sites.models import Site
from server.sites.origins import NO_ORIGINS, OriginRules, origin_rules

# Every widget request and visitor handshake starts by finding its site: keep them for a few seconds
# per process. A change to a site (origins, style) is seen within PARLEY_SITE_CACHE_SECONDS everywhere.
_site_cache: dict[str, tuple[float, Site]] = {}
SITE_CACHE_MAX_ENTRIES = 10_000
# What new_site_key makes. A key of any other form is refused before a query: a NUL, say, would fail
# PostgreSQL's text parameter instead of finding no site.
SITE_KEY = re.compile(r"[A-Za-z0-9_-]{1,64}")


def get_site_by_key(*, site_key: str) -> Site:
    """The site with this public key, or `site_not_found`."""
    if not SITE_KEY.fullmatch(site_key):
        raise ParleyError("site_not_found", "No site has this key.")
    now = time.monotonic()
    cached = _site_cache.get(site_key)
    if cached is not None and cached[0] > now:
        return cached[1]
    site = Site.objects.filter(public_key=site_key).first()
    if site is None:
        # Unknown keys are not cached, so random keys cannot fill the cache.
        raise ParleyError("site_not_found", "No site has this key.")
    if len(_site_cache) >= SITE_CACHE_MAX_ENTRIES:
        _site_cache.clear()
    _site_cache[site_key] = (now + settings.PARLEY_SITE_CACHE_SECONDS, site)
    return site


def is_site_cached(*, site_key: str) -> bool:
    """Whether `get_site_by_key` would answer from memory (so it may run on the event loop)."""
    cached = _site_cache.get(site_key)
    return cached is not None and cached[0] > time.monotonic()


def forget_cached_site(*, site_key: str) -> None:
    """Drop a site from this process's cache (after it changed here)."""
    _site_cache.pop(site_key, None)


def is_origin_allowed(*, site: Site, origin: str | None) -> bool:
    """Whether a browser's Origin, as sent, is one the site allows (server/sites/origins.py)."""
    return origin_rules(site.allowed_origins).allows(origin)


def site_origin_rules(*, site_key: str) -> OriginRules:
    """The allowed origins of the site with this key (none when there is no such site)."""
    try:
        site = get_site_by_key(site_key=site_key)
    except ParleyError:
        return NO_ORIGINS
    return origin_rules(site.allowed_origins)


def widget_config(*, site: Site) -> dict[str, Any]:
    """The public widget settings of a site."""
    return {
        "site": {
            "name": site.name,
            "color": site.widget_color,
            "greeting": site.widget_greeting,
            "position": site.widget_position,
            "launcher_text": site.widget_launcher_text,
            "away_message": site.widget_away_message,
            "language": site.widget_language or None,
            "ask_email": site.ask_email_first,
            "within_hours": is_within_hours(site=site, at=timezone.now()),
        }
    }


def socket_url(*, server_url: str) -> str:
    """The WebSocket address of the server at `server_url`: ws:// for http, wss:// for https."""
    return "ws" + server_url.rstrip("/").removeprefix("http")


def embed_code(*, site: Site, server_url: str) -> str:
    """The embed code a site owner pastes into their pages: a preload hint for the config, then the script."""
    base = server_url.rstrip("/")
    # The hint only lets the browser ask for the site's config while widget.js downloads, so a first
    # visit's launcher need not wait for a second round trip after the script runs; the script works
    # alone. `crossorigin` makes the preload's request match the widget's fetch (CORS, no cookies).
    config_url = f"{base}/api/widget/sites/{site.public_key}/config"
    return (
        f'<link rel="preload" href="{config_url}" as="fetch" crossorigin>\n'
        f'<script async src="{base}/widget.js" data-site="{site.public_key}"></script>'
    )
