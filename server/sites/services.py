"""Changes to sites: `check_*` validate untrusted site settings, `do_*` store them."""

import re
from collections.abc import Iterable

from django.contrib.auth.models import User
from django.db import transaction

from server.errors import ParleyError
from server.sites.models import Site, SiteMembership
from server.sites.origins import check_allowed_origins
from server.sites.selectors import get_site_by_key, is_origin_allowed

COLOR_PATTERN = re.compile(r"#[0-9a-fA-F]{6}")


def check_widget_color(*, color: str) -> str:
    """A `#rrggbb` colour (it ends up in the widget's CSS), or raise `invalid_field`."""
    if not COLOR_PATTERN.fullmatch(color):
        raise ParleyError("invalid_field", "The widget colour must look like #4f46e5.")
    return color.lower()


@transaction.atomic
def do_create_site(
    *,
    name: str,
    allowed_origins: Iterable[str],
    color: str = "#4f46e5",
    greeting: str = "Hi! How can we help?",
    position: str = Site.Position.RIGHT,
) -> Site:
    """Register a site with its allowed origins and widget style."""
    if position not in Site.Position.values:
        raise ParleyError("invalid_field", "The widget position must be 'right' or 'left'.")
    return Site.objects.create(
        name=name.strip()[:120],
        allowed_origins="\n".join(check_allowed_origins(origins=allowed_origins)),
        widget_color=check_widget_color(color=color),
        widget_greeting=greeting.strip()[:200],
        widget_position=position,
    )


@transaction.atomic
def do_create_owned_site(*, site: Site, owner_id: int) -> Site:
    """Save a new site from the owner pages' validated form, with its creator as its first owner."""
    site.save()
    SiteMembership.objects.create(site=site, user_id=owner_id, role=SiteMembership.Role.OWNER)
    return site


@transaction.atomic
def do_add_site_member(*, site: Site, user: User, role: str = SiteMembership.Role.AGENT) -> SiteMembership:
    """Make a user an agent (or owner) of a site; adding twice updates the role."""
    if role not in SiteMembership.Role.values:
        raise ParleyError("invalid_field", "The role must be 'owner' or 'agent'.")
    membership, _ = SiteMembership.objects.update_or_create(
        site=site, user_id=user.pk, defaults={"role": role}
    )
    return membership


def check_site_origin(*, site_key: str, origin: str | None) -> Site:
    """The site with this key if the browser Origin is one of its allowed origins."""
    site = get_site_by_key(site_key=site_key)
    if not is_origin_allowed(site=site, origin=origin):
        raise ParleyError("origin_not_allowed", "This page's origin is not allowed for this site.")
    return site
