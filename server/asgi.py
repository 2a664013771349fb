"""ASGI entry point: HTTP goes to Django, WebSockets to the visitor and agent consumers."""

import gc
import os
import sys

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "server.settings")
# Django must be set up before anything imports models (the consumers do).
django_asgi_app = get_asgi_application()

from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from django.conf import settings  # noqa: E402

from server.realtime.routing import websocket_urlpatterns  # noqa: E402
from server.shutdown import install_daphne_shutdown_hook  # noqa: E402

install_daphne_shutdown_hook()
# Set here, not in settings: only a serving process has an event loop and a database thread to share it.
sys.setswitchinterval(settings.PARLEY_GIL_SWITCH_INTERVAL_MS / 1000)

application = ProtocolTypeRouter({"http": django_asgi_app, "websocket": URLRouter(websocket_urlpatterns)})

# The garbage collector, tuned for a long-lived server (docs/performance.md, "Garbage collector"). What
# is loaded by now (~110,000 objects: Django, Twisted, the app) lives as long as the process, yet every
# full collection walked it: 40-60 ms with the event loop stopped, several times a minute at 1,000 msg/s.
# Frozen, it is never walked again; the rarer young collections let a message's short-lived objects die
# young instead of being promoted, which is what triggered the full collections.
gc.collect()
gc.freeze()
gc.set_threshold(settings.PARLEY_GC_YOUNG_THRESHOLD, *gc.get_threshold()[1:])
