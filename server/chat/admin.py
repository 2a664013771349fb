"""Django admin for sites, memberships, visitors, conversations and messages."""

from django import forms
from django.contrib import admin
from django.http import HttpRequest

from server.chat.actions import check_allowed_origins, check_widget_color
from server.chat.errors import ParleyError
from server.chat.models import Conversation, Message, Site, SiteMembership, Visitor


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


@admin.register(Visitor)
class VisitorAdmin(admin.ModelAdmin[Visitor]):
    list_display = ["id", "site", "name", "email", "last_seen_at", "last_page_url"]
    list_filter = ["site"]
    search_fields = ["id", "name", "email"]
    readonly_fields = ["id", "first_seen_at", "last_seen_at", "user_agent"]


class MessageInline(admin.TabularInline[Message, Conversation]):
    model = Message
    extra = 0
    fields = readonly_fields = ("seq", "author", "agent", "body", "created_at")
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Conversation | None = None) -> bool:
        """Messages are posted through the console, where they are announced to everyone."""
        return False


@admin.register(Conversation)
class ConversationAdmin(admin.ModelAdmin[Conversation]):
    list_display = ["id", "site", "visitor", "status", "assignee", "last_seq", "updated_at"]
    list_filter = ["status", "site"]
    readonly_fields = ["id", "visitor", "last_seq", "last_message", "created_at", "updated_at"]
    inlines = [MessageInline]


@admin.register(Message)
class MessageAdmin(admin.ModelAdmin[Message]):
    list_display = ["id", "conversation", "seq", "author", "agent", "created_at"]
    list_filter = ["author"]
    search_fields = ["body"]
    readonly_fields = ["conversation", "seq", "author", "agent", "client_id", "created_at"]
