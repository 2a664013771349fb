"""WebSocket routes."""

from channels.auth import AuthMiddlewareStack
from channels.security.websocket import OriginValidator
from django.conf import settings
from django.urls import path

from server.realtime.consumers.agent import AgentConsumer
from server.realtime.consumers.visitor import VisitorConsumer


def console_origins() -> list[str]:
    """Origins allowed to open the cookie-authenticated agent socket: this server's own, exactly."""
    return list(settings.CSRF_TRUSTED_ORIGINS)


websocket_urlpatterns = [
    # Visitor sockets carry no cookies: the signed token is the authentication, the Origin check
    # (against the site's allowed origins, in the consumer) is the browser-side domain lock.
    path("ws/visitor/<str:site_key>/", VisitorConsumer.as_asgi()),
    # Browsers attach cookies to cross-site WebSocket handshakes, so the console socket only
    # accepts this server's exact origins (scheme, host and port: cookies ignore ports).
    path("ws/agent/", OriginValidator(AuthMiddlewareStack(AgentConsumer.as_asgi()), console_origins())),
]
