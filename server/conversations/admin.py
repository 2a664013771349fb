"""Django admin for visitors, conversations and messages."""

from django.contrib import admin
from django.http import HttpRequest

from server.conversations.models import Activity, Contact, Conversation, Message, Visitor


@admin.register(Contact)
class ContactAdmin(admin.ModelAdmin[Contact]):
    """Contacts come from identity verification (docs/identity.md), never from here."""

    list_display = ["external_id", "site", "name", "email", "verified_at"]
    list_filter = ["site"]
    search_fields = ["external_id", "name", "email"]
    readonly_fields = ["site", "external_id", "created_at", "verified_at"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        """A contact is made by a verified identity, which the site's server signs."""
        return False


@admin.register(Visitor)
class VisitorAdmin(admin.ModelAdmin[Visitor]):
    list_display = ["id", "site", "name", "email", "last_seen_at", "last_page_url"]
    list_filter = ["site"]
    search_fields = ["id", "name", "email"]
    readonly_fields = ["id", "contact", "first_seen_at", "last_seen_at", "user_agent"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        """A visitor comes into being when a widget starts a session, with the token that names it."""
        return False


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
    """Read-only: assigning, resolving and reopening happen in the console, which stores who and when and
    tells every open console and the visitor's widget."""

    list_display = ["id", "site", "visitor", "status", "assignee", "last_seq", "updated_at"]
    list_filter = ["status", "site"]
    inlines = [MessageInline]

    def has_add_permission(self, request: HttpRequest) -> bool:
        """A conversation starts with a visitor's first message."""
        return False

    def has_change_permission(self, request: HttpRequest, obj: Conversation | None = None) -> bool:
        """Changes go through the console's workflow, which announces them."""
        return False


@admin.register(Message)
class MessageAdmin(admin.ModelAdmin[Message]):
    """Read-only: a message is posted from a socket, which numbers it, stores it once and delivers it; one
    changed or removed here would differ from what both sides were shown."""

    list_display = ["id", "conversation", "seq", "author", "agent", "created_at"]
    list_filter = ["author"]
    search_fields = ["body"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        """Messages are posted through the widget or the console."""
        return False

    def has_change_permission(self, request: HttpRequest, obj: Message | None = None) -> bool:
        """What was delivered stays as delivered."""
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Message | None = None) -> bool:
        """A message removed here would leave a gap in the numbering clients resume from."""
        return False


@admin.register(Activity)
class ActivityAdmin(admin.ModelAdmin[Activity]):
    """Agent-only lines, read-only: they are written through the console, where they are announced."""

    list_display = ["id", "conversation", "kind", "agent", "assignee", "created_at"]
    list_filter = ["kind"]
    readonly_fields = ["conversation", "kind", "agent", "assignee", "body", "client_id", "created_at"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        """Activity is added through the console."""
        return False

    def has_change_permission(self, request: HttpRequest, obj: Activity | None = None) -> bool:
        """Activity is a record of what happened."""
        return False
