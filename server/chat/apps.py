"""App configuration for the chat domain."""

from django.apps import AppConfig


class ChatConfig(AppConfig):
    """Wires the per-site CORS check when the app is ready."""

    name = "server.chat"
    label = "chat"
    verbose_name = "Parley chat"

    def ready(self) -> None:
        """Connect the CORS signal handler."""
        from server.chat import cors  # noqa: F401 - imported for its signal receiver
