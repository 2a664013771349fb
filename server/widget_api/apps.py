"""App configuration for the widget's HTTP API."""

from django.apps import AppConfig


class WidgetApiConfig(AppConfig):
    """The widget's scripts, config and sessions; wires the per-site CORS check when ready."""

    name = "server.widget_api"
    label = "widget_api"
    verbose_name = "Parley widget API"

    def ready(self) -> None:
        """Connect the CORS signal handler."""
        from server.widget_api import cors  # noqa: F401 - imported for its signal receiver
