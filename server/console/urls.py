"""Routes of the agent console, mounted at /console/ by the server."""

from allauth.account.views import LoginView
from django.contrib.auth.views import LogoutView
from django.urls import path

from server.console import push, views

app_name = "agent_console"

urlpatterns = [
    path("", views.console, name="console"),
    # allauth's login (TOTP, email verification, its rate limits) in the console's look: the one door.
    path("login/", LoginView.as_view(template_name="agent_console/login.html"), name="login"),
    path("logout/", LogoutView.as_view(), name="logout"),
    path("push/subscriptions", push.subscriptions, name="push-subscriptions"),
    path("sw.js", push.service_worker, name="service-worker"),
]
