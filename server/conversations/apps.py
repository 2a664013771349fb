"""App configuration for conversations."""

from typing import Any

from django.apps import AppConfig
from django.db import connections
from django.db.models.signals import post_migrate

from server.conversations.search_index import ensure_search_index


def _search_index_after_migrate(sender: AppConfig, using: str, **kwargs: Any) -> None:
    """Put back search triggers a migration's table rebuild dropped (search_index.py)."""
    ensure_search_index(connections[using])


class ConversationsConfig(AppConfig):
    """Visitors, conversations and messages; labelled `chat`: its tables and migrations keep their names."""

    name = "server.conversations"
    label = "chat"
    verbose_name = "Parley conversations"

    def ready(self) -> None:
        """Keep the search index whole after every migrate."""
        post_migrate.connect(_search_index_after_migrate, sender=self)
