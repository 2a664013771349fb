"""Site and SiteMembership, moved here from the `chat` app: state only, their tables already exist."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

import server.sites.models


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
        # The tables are created by chat's first migration; this one only takes the models over.
        ("chat", "0002_hot_conversation_updates"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="Site",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        (
                            "public_key",
                            models.CharField(
                                default=server.sites.models.new_site_key,
                                editable=False,
                                max_length=64,
                                unique=True,
                            ),
                        ),
                        ("name", models.CharField(max_length=120)),
                        (
                            "allowed_origins",
                            models.TextField(
                                blank=True,
                                help_text="One origin per line, e.g. https://shop.example.com (scheme, host and port, no path).",
                            ),
                        ),
                        (
                            "widget_color",
                            models.CharField(
                                default="#4f46e5", help_text="Hex colour, e.g. #4f46e5.", max_length=7
                            ),
                        ),
                        ("widget_greeting", models.CharField(default="Hi! How can we help?", max_length=200)),
                        (
                            "widget_position",
                            models.CharField(
                                choices=[("right", "Bottom right"), ("left", "Bottom left")],
                                default="right",
                                max_length=5,
                            ),
                        ),
                        ("created_at", models.DateTimeField(auto_now_add=True)),
                    ],
                    options={"db_table": "chat_site"},
                ),
                migrations.CreateModel(
                    name="SiteMembership",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        (
                            "role",
                            models.CharField(
                                choices=[("owner", "Owner"), ("agent", "Agent")],
                                default="agent",
                                max_length=10,
                            ),
                        ),
                        ("created_at", models.DateTimeField(auto_now_add=True)),
                        (
                            "site",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="memberships",
                                to="sites.site",
                            ),
                        ),
                        (
                            "user",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="site_memberships",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                    ],
                    options={"db_table": "chat_sitemembership"},
                ),
                migrations.AddField(
                    model_name="site",
                    name="members",
                    field=models.ManyToManyField(
                        related_name="parley_sites",
                        through="sites.SiteMembership",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                migrations.AddConstraint(
                    model_name="sitemembership",
                    constraint=models.UniqueConstraint(
                        fields=("site", "user"), name="unique_site_membership"
                    ),
                ),
            ],
            database_operations=[],
        ),
    ]
