"""App configuration for the chat domain."""

from typing import Any

from django.apps import AppConfig


class ChatConfig(AppConfig):
    """Wires the per-site CORS check and the site cache when the app is ready."""

    name = "server.chat"
    label = "chat"
    verbose_name = "Parley chat"

    def ready(self) -> None:
        """Connect the CORS signal handler, and forget a cached site when it is saved or deleted here."""
        from django.db.models.signals import post_delete, post_save

        from server.chat import cors  # noqa: F401 - imported for its signal receiver
        from server.chat.models import Site
        from server.chat.selectors import forget_cached_site

        def forget(sender: type[Site], instance: Site, **kwargs: Any) -> None:
            forget_cached_site(site_key=instance.public_key)

        post_save.connect(forget, sender=Site, weak=False, dispatch_uid="parley-forget-saved-site")
        post_delete.connect(forget, sender=Site, weak=False, dispatch_uid="parley-forget-deleted-site")
