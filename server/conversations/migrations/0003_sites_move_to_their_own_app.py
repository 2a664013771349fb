"""Site and SiteMembership now belong to the `sites` app: state only, their tables stay as they are."""

import django.db.models.deletion
from django.db import migrations, models
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps

MOVED_MODELS = ["site", "sitemembership"]


def move_content_types(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    """Relabel the moved models' content types, so their permissions and admin history follow them."""
    content_type = apps.get_model("contenttypes", "ContentType")
    using = schema_editor.connection.alias
    taken = set(
        content_type.objects.using(using)
        .filter(app_label="sites", model__in=MOVED_MODELS)
        .values_list("model", flat=True)
    )
    content_type.objects.using(using).filter(
        app_label="chat", model__in=[model for model in MOVED_MODELS if model not in taken]
    ).update(app_label="sites")


def restore_content_types(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    """Give the moved models' content types back to `chat`."""
    content_type = apps.get_model("contenttypes", "ContentType")
    content_type.objects.using(schema_editor.connection.alias).filter(
        app_label="sites", model__in=MOVED_MODELS
    ).update(app_label="chat")


class Migration(migrations.Migration):
    dependencies = [
        ("chat", "0002_hot_conversation_updates"),
        ("sites", "0001_initial"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="visitor",
                    name="site",
                    field=models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE, related_name="visitors", to="sites.site"
                    ),
                ),
                migrations.AlterField(
                    model_name="conversation",
                    name="site",
                    field=models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="conversations",
                        to="sites.site",
                    ),
                ),
                migrations.RemoveField(model_name="site", name="members"),
                migrations.DeleteModel(name="SiteMembership"),
                migrations.DeleteModel(name="Site"),
            ],
            database_operations=[],
        ),
        migrations.RunPython(move_content_types, restore_content_types),
    ]
