"""App configuration for conversations."""

from django.apps import AppConfig


class ConversationsConfig(AppConfig):
    """Visitors, conversations and messages; labelled `chat`: its tables and migrations keep their names."""

    name = "server.conversations"
    label = "chat"
    verbose_name = "Parley conversations"
