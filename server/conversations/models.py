"""Persistent state of conversations: visitors, conversations, their messages and agents' read marks."""

import uuid

from django.conf import settings
from django.db import models

from server.sites.models import Site


class Contact(models.Model):
    """A site's user whose identity its server verified (docs/identity.md): on any browser or device the
    widget is then this contact's visitor, with the same conversations."""

    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="contacts")
    external_id = models.CharField(max_length=255, help_text="The site's own id of its user.")
    email = models.EmailField(blank=True)
    name = models.CharField(max_length=120, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    verified_at = models.DateTimeField(help_text="When the site's server first verified this user.")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["site", "external_id"], name="unique_contact_per_site")
        ]

    def __str__(self) -> str:
        return self.name or self.email or self.external_id


class Visitor(models.Model):
    """A person chatting through the widget on one site, known by a signed token."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="visitors")
    name = models.CharField(max_length=120, blank=True)
    email = models.EmailField(blank=True)
    # Set when the site's server verified who this visitor is; one visitor per contact.
    contact = models.OneToOneField(
        Contact, null=True, blank=True, on_delete=models.SET_NULL, related_name="visitor"
    )
    first_seen_at = models.DateTimeField(auto_now_add=True)
    last_seen_at = models.DateTimeField(auto_now_add=True)
    last_page_url = models.URLField(max_length=2000, blank=True)
    user_agent = models.CharField(max_length=400, blank=True)
    # What the widget reports of the visitor's browser, for the console's sidebar (visitor_context.py).
    # db_default too, so a row written by hand-written SQL gets them as the ORM's do.
    last_page_title = models.CharField(max_length=300, blank=True, default="", db_default="")
    referrer = models.URLField(max_length=2000, blank=True, default="", db_default="")
    timezone = models.CharField(max_length=64, blank=True, default="", db_default="")
    language = models.CharField(max_length=35, blank=True, default="", db_default="")
    # Sessions more than PARLEY_VISIT_GAP_SECONDS apart.
    visits = models.PositiveIntegerField(default=1, db_default=1)
    # The site's own facts about the visitor (Parley('setAttributes'), services/visitor_attributes.py):
    # key -> string, number or boolean.
    attributes = models.JSONField(default=dict, blank=True)

    def __str__(self) -> str:
        return self.name or self.email or f"Visitor {str(self.id)[:6]}"


class Conversation(models.Model):
    """A thread between one visitor and a site's agents."""

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        RESOLVED = "resolved", "Resolved"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="conversations")
    visitor = models.ForeignKey(Visitor, on_delete=models.CASCADE, related_name="conversations")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="assigned_conversations",
    )
    # The highest seq stored; allocating under a row lock keeps seq gapless and strictly increasing.
    last_seq = models.PositiveIntegerField(default=0)
    # Not indexed, and `updated_at` written at most every few seconds (INBOX_ORDER_RESOLUTION in
    # services/messages.py): a message then changes no indexed column, so PostgreSQL updates the row in
    # place (a HOT update) instead of adding an entry to every index of the table and leaving dead
    # versions that each send of a busy conversation would walk until autovacuum came round. Nothing looks
    # conversations up by it.
    last_message = models.ForeignKey(
        "Message", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", db_index=False
    )
    created_at = models.DateTimeField(auto_now_add=True)
    # When the conversation last had activity, to within INBOX_ORDER_RESOLUTION (the inbox's order);
    # the exact time is its last message's (wire.conversation_summary reports the later of the two).
    updated_at = models.DateTimeField(auto_now_add=True)
    # When it was resolved; null while open (a reopen clears it). A visitor's message within
    # PARLEY_REOPEN_WINDOW of it reopens the conversation instead of starting a new one.
    resolved_at = models.DateTimeField(null=True, blank=True)
    # Read receipts, never lowered and never past last_seq; unindexed, so raising one is a HOT update.
    # The highest seq the visitor has read (the widget's unread badge, agents' view of what was read).
    visitor_last_read_seq = models.PositiveIntegerField(default=0, db_default=0)
    # The highest seq any agent has read (the visitor's "Seen"); each agent's own mark is AgentReadMark.
    agent_last_read_seq = models.PositiveIntegerField(default=0, db_default=0)
    # The highest seq whose agent replies were emailed to the visitor (docs/offline.md): one email each.
    emailed_seq = models.PositiveIntegerField(default=0, db_default=0)

    class Meta:
        indexes = [
            models.Index(fields=["site", "-updated_at"], name="conversation_inbox"),
            models.Index(fields=["visitor", "status"], name="conversation_visitor_status"),
            # The inbox views (selectors/inbox_views.py): each first page is a walk down one of these.
            models.Index(fields=["site", "status", "-updated_at", "-id"], name="conversation_view"),
            models.Index(
                fields=["site", "status", "assignee", "-updated_at", "-id"], name="conversation_view_assignee"
            ),
        ]

    def __str__(self) -> str:
        return f"Conversation {str(self.id)[:8]} with {self.visitor}"


class Message(models.Model):
    """One stored message; `seq` orders it within its conversation."""

    class Author(models.TextChoices):
        VISITOR = "visitor", "Visitor"
        AGENT = "agent", "Agent"
        SYSTEM = "system", "System"

    class Event(models.TextChoices):
        NONE = "", "None"
        RESOLVED = "resolved", "Resolved"
        REOPENED = "reopened", "Reopened"

    # Unindexed on its own: unique_message_seq (conversation, seq) already serves every lookup by it,
    # and one index less is one write less per message.
    conversation = models.ForeignKey(
        Conversation, on_delete=models.CASCADE, related_name="messages", db_index=False
    )
    seq = models.PositiveIntegerField()
    author = models.CharField(max_length=10, choices=Author.choices)
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    body = models.TextField()
    # NULL (not "") for messages without one: the unique constraint must not treat them as equal.
    client_id = models.CharField(max_length=64, null=True, blank=True)  # noqa: DJ001
    created_at = models.DateTimeField(auto_now_add=True)
    # What a system line says happened (resolved, reopened); "" for every other message. A database
    # default, so the batch statements, which never write it, need not name it.
    event = models.CharField(max_length=10, choices=Event.choices, blank=True, db_default="")

    class Meta:
        ordering = ["conversation", "seq"]
        constraints = [
            models.UniqueConstraint(fields=["conversation", "seq"], name="unique_message_seq"),
            models.UniqueConstraint(fields=["conversation", "client_id"], name="unique_message_client_id"),
        ]

    def __str__(self) -> str:
        return f"#{self.seq} {self.author}: {self.body[:40]}"


class AgentReadMark(models.Model):
    """The highest seq an agent has read in a conversation."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE, related_name="read_marks")
    last_read_seq = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "conversation"], name="unique_agent_read_mark")
        ]

    def __str__(self) -> str:
        return f"{self.user} read {self.conversation} up to #{self.last_read_seq}"


class CannedReply(models.Model):
    """A site's saved reply, expanded in the console's composer by typing `/shortcut`."""

    # Here, not in sites (which owns per-site settings): saving one publishes an event to the site's
    # consoles, and events belong to conversations, a layer above sites.
    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="canned_replies")
    shortcut = models.SlugField(max_length=40)
    title = models.CharField(max_length=120, blank=True)
    body = models.TextField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["site", "shortcut"], name="unique_canned_shortcut")]

    def __str__(self) -> str:
        return f"/{self.shortcut}"


class Activity(models.Model):
    """An agent-only line of a conversation (an assignment, a note): never in the seq stream, never sent
    to the visitor."""

    class Kind(models.TextChoices):
        ASSIGNED = "assigned", "Assigned"
        UNASSIGNED = "unassigned", "Unassigned"
        NOTE = "note", "Note"

    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE, related_name="activity")
    kind = models.CharField(max_length=12, choices=Kind.choices)
    # Who did it (null once that user is deleted).
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Who it was assigned to, for kind "assigned".
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    body = models.TextField(blank=True, default="")
    # A note's idempotency key; NULL (not "") without one, so the unique constraint ignores those.
    client_id = models.CharField(max_length=64, null=True, blank=True)  # noqa: DJ001
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name_plural = "activity"
        constraints = [
            models.UniqueConstraint(fields=["conversation", "client_id"], name="unique_activity_client_id")
        ]

    def __str__(self) -> str:
        return f"{self.kind} in {self.conversation_id}"


class Rating(models.Model):
    """A visitor's rating of a resolved conversation (docs/offline.md): one per conversation, changed by
    rating again while it stays resolved."""

    class Score(models.TextChoices):
        GOOD = "good", "Good"
        OKAY = "okay", "Okay"
        BAD = "bad", "Bad"

    conversation = models.OneToOneField(Conversation, on_delete=models.CASCADE, related_name="rating")
    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="+")
    # Who the rating is about: the conversation's assignee when rated, else the last agent who replied or
    # resolved it.
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    score = models.CharField(max_length=4, choices=Score.choices)
    comment = models.CharField(max_length=1000, blank=True)
    rated_at = models.DateTimeField()

    class Meta:
        # The ratings view counts a site's ratings of the last days per agent: a range scan of this index.
        indexes = [models.Index(fields=["site", "rated_at"], name="rating_site_recent")]

    def __str__(self) -> str:
        return f"{self.score} for {self.conversation_id}"
