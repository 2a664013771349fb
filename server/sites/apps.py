"""App configuration for sites."""

from typing import Any

from django.apps import AppConfig


class SitesConfig(AppConfig):
    """Sites that embed the widget and their agents; forgets a cached site when it changes here."""

    name = "server.sites"
    label = "sites"
    verbose_name = "Parley sites"

    def ready(self) -> None:
        """Forget a cached site when it is saved or deleted in this process."""
        from django.db.models.signals import post_delete, post_save

        from server.sites.models import Site
        from server.sites.selectors import forget_cached_site

        def forget(sender: type[Site], instance: Site, **kwargs: Any) -> None:
            forget_cached_site(site_key=instance.public_key)

        post_save.connect(forget, sender=Site, weak=False, dispatch_uid="parley-forget-saved-site")
        post_delete.connect(forget, sender=Site, weak=False, dispatch_uid="parley-forget-deleted-site")
