"""App configuration for the sockets."""

from django.apps import AppConfig


class RealtimeConfig(AppConfig):
    """The visitor and agent sockets, the channel layer and the gateway that fans events out."""

    name = "server.realtime"
    label = "realtime"
    verbose_name = "Parley sockets"

    def ready(self) -> None:
        """Connect the receivers that end an agent's sockets when its access changes."""
        from server.realtime import access  # noqa: F401
