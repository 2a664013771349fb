"""Django admin for sites and their agents."""

from django import forms
from django.contrib import admin

from server.errors import ParleyError
from server.sites.models import Site, SiteMembership
from server.sites.services import check_allowed_origins, check_widget_color


class SiteMembershipInline(admin.TabularInline[SiteMembership, Site]):
    model = SiteMembership
    extra = 0
    autocomplete_fields = ["user"]


class SiteForm(forms.ModelForm[Site]):
    """Site settings validated by the same checks as every other way in."""

    class Meta:
        model = Site
        fields = ["name", "allowed_origins", "widget_color", "widget_greeting", "widget_position"]

    def clean_allowed_origins(self) -> str:
        """One normalised origin per line."""
        try:
            origins = check_allowed_origins(origins=self.cleaned_data["allowed_origins"].splitlines())
        except ParleyError as error:
            raise forms.ValidationError(error.message) from error
        return "\n".join(origins)

    def clean_widget_color(self) -> str:
        """A #rrggbb colour (it goes into the widget's CSS)."""
        try:
            return check_widget_color(color=self.cleaned_data["widget_color"])
        except ParleyError as error:
            raise forms.ValidationError(error.message) from error


@admin.register(Site)
class SiteAdmin(admin.ModelAdmin[Site]):
    form = SiteForm
    list_display = ["name", "public_key", "widget_position", "created_at"]
    search_fields = ["name", "public_key"]
    readonly_fields = ["public_key", "created_at"]
    inlines = [SiteMembershipInline]


@admin.register(SiteMembership)
class SiteMembershipAdmin(admin.ModelAdmin[SiteMembership]):
    list_display = ["site", "user", "role", "created_at"]
    list_filter = ["role", "site"]
