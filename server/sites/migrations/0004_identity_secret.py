"""Identity verification: each site gets its own secret, and may require verified identities."""

from django.db import migrations, models
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps

import server.sites.models


def one_secret_per_site(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    """AddField gave every existing site the same default: each gets its own."""
    Site = apps.get_model("sites", "Site")
    for site in Site.objects.only("pk"):
        Site.objects.filter(pk=site.pk).update(identity_secret=server.sites.models.new_identity_secret())


class Migration(migrations.Migration):
    dependencies = [
        ("sites", "0003_origin_sighting"),
    ]

    operations = [
        migrations.AddField(
            model_name="site",
            name="identity_required",
            field=models.BooleanField(
                default=False,
                help_text="Refuse identities that are not verified (the widget then stays anonymous).",
            ),
        ),
        migrations.AddField(
            model_name="site",
            name="identity_secret",
            field=models.CharField(
                default=server.sites.models.new_identity_secret, editable=False, max_length=64
            ),
        ),
        migrations.AddField(
            model_name="site",
            name="identity_secret_previous",
            field=models.CharField(blank=True, default="", editable=False, max_length=64),
        ),
        migrations.AddField(
            model_name="site",
            name="identity_secret_rotated_at",
            field=models.DateTimeField(blank=True, editable=False, null=True),
        ),
        migrations.RunPython(one_secret_per_site, migrations.RunPython.noop),
    ]
