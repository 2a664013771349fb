"""Reads: every query the consumers and views need, with the permission rules for reading."""

import time
import uuid
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.db.models import QuerySet

from server.chat.errors import ParleyError
from server.chat.models import AgentReadMark, Conversation, Message, Site, SiteMembership, Visitor
from server.chat.wire import (
    agent_display_name,
    conversation_summary,
    conversation_wire,
    message_wire,
    site_wire,
)

# Every widget request and visitor handshake starts by finding its site: keep them for a few seconds
# per process. A change to a site (origins, style) is seen within PARLEY_SITE_CACHE_SECONDS everywhere.
_site_cache: dict[str, tuple[float, Site]] = {}
SITE_CACHE_MAX_ENTRIES = 10_000


def get_site_by_key(*, site_key: str) -> Site:
    """The site with this public key, or `site_not_found`."""
    if len(site_key) > 64:
        raise ParleyError("site_not_found", "No site has this key.")
    now = time.monotonic()
    cached = _site_cache.get(site_key)
    if cached is not None and cached[0] > now:
        return cached[1]
    site = Site.objects.filter(public_key=site_key).first()
    if site is None:
        # Unknown keys are not cached, so random keys cannot fill the cache.
        raise ParleyError("site_not_found", "No site has this key.")
    if len(_site_cache) >= SITE_CACHE_MAX_ENTRIES:
        _site_cache.clear()
    _site_cache[site_key] = (now + settings.PARLEY_SITE_CACHE_SECONDS, site)
    return site


def is_site_cached(*, site_key: str) -> bool:
    """Whether `get_site_by_key` would answer from memory (so it may run on the event loop)."""
    cached = _site_cache.get(site_key)
    return cached is not None and cached[0] > time.monotonic()


def forget_cached_site(*, site_key: str) -> None:
    """Drop a site from this process's cache (after it changed here)."""
    _site_cache.pop(site_key, None)


def is_origin_allowed(*, site: Site, origin: str | None) -> bool:
    """Whether a browser Origin is one of the site's allowed origins (exact scheme, host and port)."""
    if not origin:
        return False
    return origin.rstrip("/").lower() in {allowed.lower() for allowed in site.allowed_origin_list()}


def site_allowed_origins(*, site_key: str) -> frozenset[str]:
    """The lower-cased allowed origins of the site with this key (empty when there is none)."""
    try:
        site = get_site_by_key(site_key=site_key)
    except ParleyError:
        return frozenset()
    return frozenset(origin.lower() for origin in site.allowed_origin_list())


def widget_config(*, site: Site) -> dict[str, Any]:
    """The public widget settings of a site."""
    return {
        "site": {
            "name": site.name,
            "color": site.widget_color,
            "greeting": site.widget_greeting,
            "position": site.widget_position,
        }
    }


def _messages_query() -> QuerySet[Message]:
    return Message.objects.select_related("agent").order_by("seq")


def messages_after(*, conversation_id: uuid.UUID, after_seq: int) -> tuple[list[dict[str, Any]], bool]:
    """Up to PARLEY_HISTORY_LIMIT messages with seq > after_seq, oldest first, and whether more follow."""
    limit = settings.PARLEY_HISTORY_LIMIT
    rows = list(_messages_query().filter(conversation_id=conversation_id, seq__gt=after_seq)[: limit + 1])
    return [message_wire(message) for message in rows[:limit]], len(rows) > limit


def visitor_open_conversation(*, visitor_id: uuid.UUID) -> Conversation | None:
    """The visitor's current open conversation, if any."""
    return (
        Conversation.objects.filter(visitor_id=visitor_id, status=Conversation.Status.OPEN)
        .order_by("-created_at")
        .first()
    )


def visitor_ready_frame(
    *, visitor_id: uuid.UUID, conversation: Conversation | None, last_seq: int
) -> dict[str, Any]:
    """The `ready` frame for a visitor socket: its open conversation and what it has not seen."""
    messages: list[dict[str, Any]] = []
    has_more = False
    conversation_frame = None
    if conversation is not None:
        messages, has_more = messages_after(conversation_id=conversation.pk, after_seq=last_seq)
        conversation_frame = conversation_wire(conversation)
        # The conversation row was read before the socket joined its group; its messages after that.
        conversation_frame["last_seq"] = max([conversation.last_seq] + [m["seq"] for m in messages])
    return {
        "type": "ready",
        "visitor": {"id": str(visitor_id)},
        "conversation": conversation_frame,
        "messages": messages,
        "has_more": has_more,
    }


def visitor_history_frame(
    *, visitor_id: uuid.UUID, conversation_id: uuid.UUID, after_seq: int
) -> dict[str, Any]:
    """A `history` frame for one of the visitor's own conversations, else `not_found`."""
    if not Conversation.objects.filter(pk=conversation_id, visitor_id=visitor_id).exists():
        raise ParleyError("not_found", "No such conversation.")
    return _history_frame(conversation_id=conversation_id, after_seq=after_seq)


def _history_frame(*, conversation_id: uuid.UUID, after_seq: int) -> dict[str, Any]:
    """A `history` frame, for a caller that has checked the reader may see the conversation."""
    messages, has_more = messages_after(conversation_id=conversation_id, after_seq=after_seq)
    return {
        "type": "history",
        "conversation_id": str(conversation_id),
        "messages": messages,
        "has_more": has_more,
    }


def agent_site_ids(*, user_id: int) -> list[int]:
    """The ids of the sites an agent is a member of."""
    return list(SiteMembership.objects.filter(user_id=user_id).values_list("site_id", flat=True))


def summary_query() -> QuerySet[Conversation]:
    """Conversations with everything an inbox row shows, in one query."""
    return Conversation.objects.select_related("site", "visitor", "last_message", "last_message__agent")


def agent_conversation(*, user_id: int, conversation_id: uuid.UUID) -> Conversation:
    """A conversation of one of the agent's sites, else `not_found` (whether or not it exists)."""
    conversation = summary_query().filter(pk=conversation_id, site__memberships__user_id=user_id).first()
    if conversation is None:
        raise ParleyError("not_found", "No such conversation.")
    return conversation


def agent_ready_frame(*, user: AbstractBaseUser) -> dict[str, Any]:
    """The `ready` frame for an agent socket: the agent's sites and inbox."""
    user_id = int(user.pk)
    sites = Site.objects.filter(memberships__user_id=user_id).order_by("name")
    conversations = list(
        summary_query()
        .filter(site__memberships__user_id=user_id)
        .order_by("-updated_at")[: settings.PARLEY_INBOX_LIMIT]
    )
    marks = dict(
        AgentReadMark.objects.filter(user_id=user_id, conversation__in=conversations).values_list(
            "conversation_id", "last_read_seq"
        )
    )
    return {
        "type": "ready",
        "agent": {"id": user_id, "name": agent_display_name(user)},
        "sites": [site_wire(site) for site in sites],
        "inbox": [
            conversation_summary(conversation, last_read_seq=marks.get(conversation.pk, 0))
            for conversation in conversations
        ],
    }


def agent_history_frame(*, user_id: int, conversation_id: uuid.UUID, after_seq: int) -> dict[str, Any]:
    """A `history` frame for a conversation of the agent's sites, else `not_found`."""
    agent_conversation(user_id=user_id, conversation_id=conversation_id)
    return _history_frame(conversation_id=conversation_id, after_seq=after_seq)


def visitor_exists(*, visitor_id: uuid.UUID, site_id: int) -> bool:
    """Whether this visitor exists on this site."""
    return Visitor.objects.filter(pk=visitor_id, site_id=site_id).exists()


def embed_code(*, site: Site, server_url: str) -> str:
    """The one-line embed code a site owner pastes into their pages."""
    return f'<script async src="{server_url.rstrip("/")}/widget.js" data-site="{site.public_key}"></script>'
