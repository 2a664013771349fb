"""Django admin for sites and their agents."""

import datetime

from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html, format_html_join

from server.errors import ParleyError
from server.sites.forms import SiteForm
from server.sites.identity import do_rotate_identity_secret, previous_secret_until
from server.sites.installation import do_allow_site_origin, installation_check
from server.sites.models import Site, SiteMembership
from server.sites.selectors import embed_code


class SiteMembershipInline(admin.TabularInline[SiteMembership, Site]):
    model = SiteMembership
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(Site)
class SiteAdmin(admin.ModelAdmin[Site]):
    form = SiteForm
    list_display = ["name", "public_key", "widget_position", "created_at"]
    search_fields = ["name", "public_key"]
    readonly_fields = ["site_key", "embed", "installation", "identity", "created_at"]
    inlines = [SiteMembershipInline]

    def get_urls(self) -> list[URLPattern]:
        """The site pages, and the installation check's "add this origin"."""
        allow = path(
            "<path:object_id>/allow-origin/",
            self.admin_site.admin_view(self.allow_origin_view),
            name="sites_site_allow_origin",
        )
        rotate = path(
            "<path:object_id>/rotate-identity-secret/",
            self.admin_site.admin_view(self.rotate_identity_secret_view),
            name="sites_site_rotate_identity_secret",
        )
        return [allow, rotate, *super().get_urls()]

    @admin.display(description="Identity secret")
    def identity(self, site: Site) -> str:
        """The secret the site's server signs its users' ids with, and a button to rotate it."""
        if site.pk is None:
            return "Made when the site is saved."
        rotate_url = reverse("admin:sites_site_rotate_identity_secret", args=[site.pk])
        previous = ""
        until = previous_secret_until(site=site)
        if until is not None and until > timezone.now():
            previous = f"The previous secret is accepted until {_when(until)}."
        return format_html(
            '<input class="vLargeTextField" readonly size="50" value="{}"> '
            '<button type="submit" formaction="{}" name="rotate" value="1">Rotate</button>'
            "<p>{} {}</p>",
            site.identity_secret,
            rotate_url,
            "Keep it on your server: it signs your users' ids (docs/identity.md).",
            previous,
        )

    @admin.display(description="Embed code")
    def embed(self, site: Site) -> str:
        """What the owner pastes into every page of the site, before `</body>`."""
        if site.pk is None:
            return "Shown once the site is saved."
        code = embed_code(site=site, server_url=settings.PARLEY_PUBLIC_URL)
        # A read-only box wraps the long lines (a <pre> would need an inline style, which the CSP forbids).
        return format_html(
            '<textarea class="vLargeTextField" rows="5" readonly>{}</textarea><p>{}</p>',
            code,
            "Paste it into every page of the site, before </body>.",
        )

    @admin.display(description="Installation check")
    def installation(self, site: Site) -> str:
        """Where the widget last loaded, and the origins it was refused on lately, each with a button."""
        if site.pk is None:
            return "Shown once the site is saved and its widget loads on a page."
        check = installation_check(site=site)
        if check.last_seen is None:
            seen = format_html(
                "<p>{}</p>", "Not seen yet: no page with the embed code has loaded the widget."
            )
        else:
            seen = format_html(
                "<p>Last seen on <strong>{}</strong> ({})</p>",
                check.last_seen.origin,
                _when(check.last_seen.last_seen_at),
            )
        if not check.refused:
            return seen
        allow_url = reverse("admin:sites_site_allow_origin", args=[site.pk])
        rows = format_html_join(
            "",
            '<li>{} (last {}) <button type="submit" formaction="{}" name="allow_origin" value="{}">'
            "Add this origin</button></li>",
            (
                (
                    sighting.origin,
                    _when(sighting.last_seen_at),
                    allow_url,
                    sighting.origin,
                )
                for sighting in check.refused
            ),
        )
        return format_html("{}<p>Refused lately (not an allowed origin):</p><ul>{}</ul>", seen, rows)

    def _site_to_change(self, request: HttpRequest, object_id: str) -> Site:
        """The site a button of its change page posts for, if this staff member may change it."""
        site = self.get_object(request, object_id)
        if request.method != "POST" or site is None or not self.has_change_permission(request, site):
            raise PermissionDenied
        return site

    def rotate_identity_secret_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        """POST: give the site a new identity secret; the current one stays valid for the overlap."""
        site = self._site_to_change(request, object_id)
        do_rotate_identity_secret(site=site)
        self.message_user(
            request,
            "The identity secret is new: put it on your servers before the previous one stops working.",
        )
        return redirect(reverse("admin:sites_site_change", args=[site.pk]))

    def allow_origin_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        """POST: add the origin the installation check found refused to the site's allowed origins."""
        site = self._site_to_change(request, object_id)
        origin = request.POST.get("allow_origin", "")
        try:
            do_allow_site_origin(site=site, origin=origin)
        except ParleyError as error:
            self.message_user(request, error.message, level=messages.ERROR)
        else:
            self.message_user(request, f"Added {origin[:300]} to the allowed origins of {site.name}.")
        return redirect(reverse("admin:sites_site_change", args=[site.pk]))

    @admin.display(description="Site key")
    def site_key(self, site: Site) -> str:
        """The saved key, never the field's default: on the add form that would be a key never saved."""
        if site.pk is None:
            return "Made when the site is saved."
        return site.public_key


@admin.register(SiteMembership)
class SiteMembershipAdmin(admin.ModelAdmin[SiteMembership]):
    list_display = ["site", "user", "role", "created_at"]
    list_filter = ["role", "site"]


def _when(moment: datetime.datetime) -> str:
    return date_format(timezone.localtime(moment), "DATETIME_FORMAT")
