"""Inbox views and search: an index per view shape, and the search indexes (search_index.py)."""

from django.db import migrations, models
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps

from server.conversations.search_index import drop_search_index, ensure_search_index


def create_search_index(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    """GIN indexes on PostgreSQL, FTS5 tables and their triggers on SQLite."""
    ensure_search_index(schema_editor.connection)


def remove_search_index(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    """Drop what create_search_index made."""
    drop_search_index(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [
        ("chat", "0006_read_receipts"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="conversation",
            index=models.Index(fields=["site", "status", "-updated_at", "-id"], name="conversation_view"),
        ),
        migrations.AddIndex(
            model_name="conversation",
            index=models.Index(
                fields=["site", "status", "assignee", "-updated_at", "-id"], name="conversation_view_assignee"
            ),
        ),
        migrations.RunPython(create_search_index, remove_search_index),
    ]
