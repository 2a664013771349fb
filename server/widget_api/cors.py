"""Per-site CORS: the widget API answers cross-origin requests only from a site's allowed origins."""

import re
from collections.abc import Callable
from typing import Any

from corsheaders.signals import check_request_enabled
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse

from server.sites.origins import NO_ORIGINS, OriginRules
from server.sites.selectors import SITE_KEY, site_origin_rules

SITE_API_PATH = re.compile(rf"^/api/widget/sites/(?P<site_key>{SITE_KEY.pattern})/")


class WidgetSiteOriginsMiddleware:
    """Looks up the allowed origins of a widget API request's site, before CorsMiddleware needs them.

    django-cors-headers asks its signal from async code under ASGI, where the ORM may not run; this
    middleware is sync-only, so Django runs it (and its query) in a worker thread.
    """

    sync_capable = True
    async_capable = False

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        """Attach `parley_origin_rules` to widget API requests."""
        match = SITE_API_PATH.match(request.path)
        if match is not None:
            request.parley_origin_rules = site_origin_rules(site_key=match["site_key"])  # type: ignore[attr-defined]
        return self.get_response(request)


@receiver(check_request_enabled)
def allow_site_origins(sender: Any, request: HttpRequest, **kwargs: Any) -> bool:
    """Enable CORS for a widget API request whose Origin is one of its site's allowed origins."""
    rules: OriginRules = getattr(request, "parley_origin_rules", NO_ORIGINS)
    return rules.allows(request.headers.get("Origin"))
