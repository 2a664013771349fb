"""Top-level HTTP routes."""

from django.contrib import admin
from django.http import HttpRequest, HttpResponseRedirect
from django.urls import include, path

from server import health


def home(request: HttpRequest) -> HttpResponseRedirect:
    """Send people who open the server's root to the agent console."""
    return HttpResponseRedirect("/console/")


urlpatterns = [
    path("", home),
    path("healthz", health.live, name="health-live"),
    path("readyz", health.ready, name="health-ready"),
    path("admin/", admin.site.urls),
    path("console/", include("server.console.urls")),
    path("", include("server.widget_api.urls")),
]
