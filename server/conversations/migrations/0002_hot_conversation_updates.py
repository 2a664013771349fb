"""Cheaper message writes: the conversation updated in place on PostgreSQL (HOT), one message index less."""

import django.db.models.deletion
from django.db import migrations, models
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps

# Free space left on each page of chat_conversation, where PostgreSQL puts a row's new version in place.
CONVERSATION_FILLFACTOR = 80


def leave_room_on_conversation_pages(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    """On PostgreSQL, keep part of each conversation page free for in-place updates."""
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"ALTER TABLE chat_conversation SET (fillfactor = {CONVERSATION_FILLFACTOR})")


def fill_conversation_pages(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    """Back to PostgreSQL's default fillfactor."""
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("ALTER TABLE chat_conversation RESET (fillfactor)")


class Migration(migrations.Migration):
    dependencies = [
        ("chat", "0001_initial"),
    ]

    operations = [
        migrations.AlterField(
            model_name="conversation",
            name="last_message",
            field=models.ForeignKey(
                blank=True,
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to="chat.message",
            ),
        ),
        migrations.RunPython(leave_room_on_conversation_pages, fill_conversation_pages),
        migrations.AlterField(
            model_name="message",
            name="conversation",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="messages",
                to="chat.conversation",
            ),
        ),
    ]
