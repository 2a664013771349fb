"""The installation check: where a site's widget was last seen working, and the origins it was refused on.

The widget asks for its site's settings on every page it loads on; that request notes the page's origin,
allowed or refused. Each process notes a (site, origin) at most once per PARLEY_ORIGIN_SIGHTING_SECONDS, so
a busy site costs one small write a minute per origin and process. Refused origins are kept up to
PARLEY_REFUSED_ORIGINS_KEPT per site, the most recent: any script can send any `Origin`, so that list must
not grow without bound.
"""

import datetime
import time
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from server.errors import ParleyError
from server.sites.models import OriginSighting, Site
from server.sites.origins import check_allowed_origins, origin_rules, serialized_origin
from server.sites.selectors import forget_cached_site, get_site_by_key, is_origin_allowed

# (site id, origin) → when this process last noted it (monotonic seconds).
_noted_at: dict[tuple[int, str], float] = {}
NOTED_MAX_ENTRIES = 10_000
MAX_ORIGIN_CHARS = OriginSighting._meta.get_field("origin").max_length or 300


@dataclass(frozen=True)
class Sighting:
    """A page origin the widget was seen on."""

    origin: str
    first_seen_at: datetime.datetime
    last_seen_at: datetime.datetime


@dataclass(frozen=True)
class InstallationCheck:
    """Where the widget last worked for a site, and where it was refused lately (most recent first)."""

    last_seen: Sighting | None
    refused: list[Sighting]


def do_note_page_origin(*, site_key: str, origin: str | None) -> None:
    """Note that the widget was asked for its settings from a page on `origin`, allowed or refused, unless
    this process did so lately. An unknown site, or an origin no browser would send (missing, `null`, a
    path, longer than any host name allows), is not noted."""
    if not origin or len(origin) > MAX_ORIGIN_CHARS or serialized_origin(origin) != origin:
        return
    try:
        site = get_site_by_key(site_key=site_key)
    except ParleyError:
        return
    key = (site.pk, origin)
    now = time.monotonic()
    noted = _noted_at.get(key)
    if noted is not None and now - noted < settings.PARLEY_ORIGIN_SIGHTING_SECONDS:
        return
    if len(_noted_at) >= NOTED_MAX_ENTRIES:
        _noted_at.clear()
    _noted_at[key] = now
    do_record_sighting(site=site, origin=origin, allowed=is_origin_allowed(site=site, origin=origin))


@transaction.atomic
def do_record_sighting(*, site: Site, origin: str, allowed: bool) -> None:
    """Store a sighting of the widget on `origin` now; keep the site's most recent refused origins only."""
    now = timezone.now()
    sighting, created = OriginSighting.objects.get_or_create(
        site=site, origin=origin, defaults={"allowed": allowed, "first_seen_at": now, "last_seen_at": now}
    )
    if not created:
        OriginSighting.objects.filter(pk=sighting.pk).update(allowed=allowed, last_seen_at=now)
    if created and not allowed:
        stale = OriginSighting.objects.filter(site=site, allowed=False).order_by("-last_seen_at", "-pk")
        stale_ids = list(stale.values_list("pk", flat=True)[settings.PARLEY_REFUSED_ORIGINS_KEPT :])
        if stale_ids:
            OriginSighting.objects.filter(pk__in=stale_ids).delete()


def installation_check(*, site: Site) -> InstallationCheck:
    """The site's installation check. A refused origin the site allows by now is no longer listed."""
    rules = origin_rules(site.allowed_origins)
    rows = OriginSighting.objects.filter(site=site).order_by("-last_seen_at", "-pk")
    last_seen = next((_sighting(row) for row in rows.filter(allowed=True)[:1]), None)
    refused = [
        _sighting(row)
        for row in rows.filter(allowed=False)[: settings.PARLEY_REFUSED_ORIGINS_KEPT]
        if not rules.allows(row.origin)
    ]
    return InstallationCheck(last_seen=last_seen, refused=refused)


@transaction.atomic
def do_allow_site_origin(*, site: Site, origin: str) -> Site:
    """Add an origin to the site's allowed origins (the installation check's "add this origin")."""
    locked = Site.objects.select_for_update().get(pk=site.pk)
    origins = check_allowed_origins(origins=[*locked.allowed_origin_list(), origin])
    if origins != locked.allowed_origin_list():
        locked.allowed_origins = "\n".join(origins)
        locked.save(update_fields=["allowed_origins"])
        forget_cached_site(site_key=locked.public_key)
    return locked


def _sighting(row: OriginSighting) -> Sighting:
    return Sighting(origin=row.origin, first_seen_at=row.first_seen_at, last_seen_at=row.last_seen_at)
