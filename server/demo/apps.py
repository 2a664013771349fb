"""App configuration for the demo."""

from django.apps import AppConfig


class DemoConfig(AppConfig):
    """Holds the demo management commands and the demo shop page."""

    name = "server.demo"
    label = "demo"
