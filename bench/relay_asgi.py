"""ASGI entry point of the bare relay: `daphne bench.relay_asgi:application`."""

import os

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.relay_settings")
# Channels reads the layer from settings, so Django is set up before the consumer is imported.
django.setup()

from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from django.urls import path  # noqa: E402

from bench.baseline_relay import RelayConsumer  # noqa: E402

application = ProtocolTypeRouter(
    {"websocket": URLRouter([path("relay/<str:room>/", RelayConsumer.as_asgi())])}
)
