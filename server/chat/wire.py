"""The JSON shapes of stored objects on the wire (docs/protocol.md, "Objects")."""

import uuid
from typing import Any

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser

from server.chat.models import Conversation, Message, Site, Visitor


def agent_display_name(user: AbstractBaseUser | AnonymousUser | None) -> str:
    """The name visitors and colleagues see for an agent: first name, else the username before any '@'."""
    if user is None or isinstance(user, AnonymousUser):
        return "Support"
    first_name = str(getattr(user, "first_name", "") or "").strip()
    if first_name:
        return first_name
    return user.get_username().split("@", 1)[0]


def message_wire(message: Message) -> dict[str, Any]:
    """A stored message as sent to clients."""
    author_name = agent_display_name(message.agent) if message.author == Message.Author.AGENT else None
    return {
        "id": message.pk,
        "conversation_id": str(message.conversation_id),
        "seq": message.seq,
        "author": message.author,
        "author_name": author_name,
        "agent_id": message.agent_id,
        "body": message.body,
        "client_id": message.client_id,
        "created_at": message.created_at.isoformat(),
    }


def conversation_wire(conversation: Conversation) -> dict[str, Any]:
    """A conversation as its visitor sees it."""
    return conversation_fields(
        conversation_id=conversation.pk, status=conversation.status, last_seq=conversation.last_seq
    )


def conversation_fields(*, conversation_id: uuid.UUID, status: str, last_seq: int) -> dict[str, Any]:
    """The visitor's view of a conversation, from its fields (when no row object is at hand)."""
    return {"id": str(conversation_id), "status": status, "last_seq": last_seq}


def visitor_wire(visitor: Visitor) -> dict[str, Any]:
    """A visitor as agents see it."""
    return {
        "id": str(visitor.pk),
        "name": visitor.name,
        "email": visitor.email,
        "last_page_url": visitor.last_page_url,
    }


def site_wire(site: Site) -> dict[str, Any]:
    """A site as agents see it."""
    return {"id": site.pk, "name": site.name}


def conversation_summary(conversation: Conversation, *, last_read_seq: int | None) -> dict[str, Any]:
    """A conversation as an inbox row; `last_read_seq` is the reading agent's mark, None in broadcasts."""
    last_message = conversation.last_message
    return {
        "id": str(conversation.pk),
        "site": site_wire(conversation.site),
        "status": conversation.status,
        "visitor": visitor_wire(conversation.visitor),
        "assignee_id": conversation.assignee_id,
        "last_seq": conversation.last_seq,
        "last_message": message_wire(last_message) if last_message is not None else None,
        "created_at": conversation.created_at.isoformat(),
        "updated_at": conversation.updated_at.isoformat(),
        "last_read_seq": last_read_seq,
    }
