"""A site's identity-verification secret: the current one, and the previous one for a while after a rotation.

The site's server signs its users' ids (HMAC-SHA256) or JWTs (HS256) with the secret (docs/identity.md).
Rotating keeps the previous secret valid for PARLEY_IDENTITY_SECRET_OVERLAP_SECONDS, so pages already
served with the old signature keep working while the site's servers move to the new one.
"""

import datetime
import hashlib
import hmac

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from server.sites.models import Site, new_identity_secret
from server.sites.selectors import forget_cached_site


def sign_user_id(*, secret: str, user_id: str) -> str:
    """What the site's server sends as `user_hash`: hex HMAC-SHA256 of the user id under the secret."""
    return hmac.new(secret.encode(), user_id.encode(), hashlib.sha256).hexdigest()


def previous_secret_until(*, site: Site) -> datetime.datetime | None:
    """Until when the secret rotated out last is accepted (None: the site has never rotated)."""
    if not site.identity_secret_previous or site.identity_secret_rotated_at is None:
        return None
    return site.identity_secret_rotated_at + datetime.timedelta(
        seconds=settings.PARLEY_IDENTITY_SECRET_OVERLAP_SECONDS
    )


def identity_secrets(*, site: Site, now: datetime.datetime | None = None) -> list[str]:
    """The secrets an identity may be signed with now: the current, then the previous during its overlap."""
    now = now or timezone.now()
    secrets = [site.identity_secret] if site.identity_secret else []
    until = previous_secret_until(site=site)
    if until is not None and now < until:
        secrets.append(site.identity_secret_previous)
    return secrets


@transaction.atomic
def do_rotate_identity_secret(*, site: Site) -> Site:
    """Give the site a new secret; the current one stays valid for the overlap, an older one no longer."""
    locked = Site.objects.select_for_update().get(pk=site.pk)
    locked.identity_secret_previous = locked.identity_secret
    locked.identity_secret = new_identity_secret()
    locked.identity_secret_rotated_at = timezone.now()
    locked.save(update_fields=["identity_secret", "identity_secret_previous", "identity_secret_rotated_at"])
    forget_cached_site(site_key=locked.public_key)
    return locked
