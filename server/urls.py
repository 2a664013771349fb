"""Top-level HTTP routes."""

from allauth.account.decorators import secure_admin_login
from django.contrib import admin
from django.http import HttpRequest, HttpResponseRedirect
from django.urls import include, path
from django.views.generic import RedirectView

from server import health


def home(request: HttpRequest) -> HttpResponseRedirect:
    """Send people who open the server's root to the agent console."""
    return HttpResponseRedirect("/console/")


# The widget API answers its documented JSON errors even for failures outside its views.
handler400 = "server.widget_api.handlers.bad_request"
handler500 = "server.widget_api.handlers.server_error"

# The admin logs in through allauth's login (settings.LOGIN_URL), so that TOTP guards it too.
admin.site.login = secure_admin_login(admin.site.login)  # type: ignore[method-assign]

urlpatterns = [
    path("", home),
    path("healthz", health.live, name="health-live"),
    path("readyz", health.ready, name="health-ready"),
    path("admin/", admin.site.urls),
    path("console/", include("server.console.urls")),
    path("owner/", include("server.owner.urls")),
    # Accounts (docs/accounts.md): allauth's pages; its login is the console's, one door for everyone.
    path("accounts/login/", RedirectView.as_view(pattern_name="agent_console:login", query_string=True)),
    path("accounts/", include("allauth.urls")),
    path("", include("server.widget_api.urls")),
]
