"""The query every inbox row is read with."""

from django.db.models import QuerySet

from server.conversations.models import Conversation


def summary_query() -> QuerySet[Conversation]:
    """Conversations with everything an inbox row shows, in one query."""
    return Conversation.objects.select_related(
        "site", "visitor", "assignee", "last_message", "last_message__agent"
    )
