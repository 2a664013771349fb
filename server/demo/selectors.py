"""Reads for the demo."""

from django.core.management.base import CommandError

from server.demo.actions import DEMO_SITE_NAME
from server.sites.models import Site


def demo_site() -> Site:
    """The demo site, or a clear error telling how to create it."""
    site = Site.objects.filter(name=DEMO_SITE_NAME).order_by("pk").first()
    if site is None:
        raise CommandError("No demo site yet: run `manage.py parley_demo` first.")
    return site
