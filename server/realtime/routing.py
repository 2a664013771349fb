"""WebSocket routes."""

from channels.auth import AuthMiddlewareStack
from django.urls import path

from server.realtime.consumers.agent import AgentConsumer
from server.realtime.consumers.visitor import VisitorConsumer
from server.realtime.origins import ExactOriginValidator

websocket_urlpatterns = [
    # Visitor sockets carry no cookies: the signed token is the authentication, the Origin check
    # (against the site's allowed origins, in the consumer) is the browser-side domain lock.
    path("ws/visitor/<str:site_key>/", VisitorConsumer.as_asgi()),
    # Browsers attach cookies to cross-site WebSocket handshakes, so the console socket only
    # accepts this server's exact origins (scheme, host and port: cookies ignore ports), compared as whole
    # strings: channels' OriginValidator parses the header and let userinfo or a path through.
    path("ws/agent/", ExactOriginValidator(AuthMiddlewareStack(AgentConsumer.as_asgi()))),
]
