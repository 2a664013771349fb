"""Top-level HTTP routes."""

from django.contrib import admin
from django.http import HttpRequest, HttpResponseRedirect
from django.urls import include, path

from server import health


def home(request: HttpRequest) -> HttpResponseRedirect:
    """Send people who open the server's root to the agent console."""
    return HttpResponseRedirect("/console/")


# The widget API answers its documented JSON errors even for failures outside its views.
handler400 = "server.widget_api.handlers.bad_request"
handler500 = "server.widget_api.handlers.server_error"

urlpatterns = [
    path("", home),
    path("healthz", health.live, name="health-live"),
    path("readyz", health.ready, name="health-ready"),
    path("admin/", admin.site.urls),
    path("console/", include("server.console.urls")),
    path("owner/", include("server.owner.urls")),
    path("", include("server.widget_api.urls")),
]
