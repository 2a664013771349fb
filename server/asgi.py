"""ASGI entry point: HTTP goes to Django, WebSockets to the visitor and agent consumers."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "server.settings")
# Django must be set up before anything imports models (the consumers do).
django_asgi_app = get_asgi_application()

from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402

from server.realtime.routing import websocket_urlpatterns  # noqa: E402
from server.shutdown import install_daphne_shutdown_hook  # noqa: E402

install_daphne_shutdown_hook()

application = ProtocolTypeRouter({"http": django_asgi_app, "websocket": URLRouter(websocket_urlpatterns)})
