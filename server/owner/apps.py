"""Django app configuration for the site owners' pages."""

from django.apps import AppConfig


class OwnerConfig(AppConfig):
    """Site owners' pages at /owner/: their sites' settings with a live preview, installation and team."""

    name = "server.owner"
    label = "owner"
    verbose_name = "Site owners"
