"""Reads: every query the consumers and views need, with the permission rules for reading."""

import time
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.db.models import QuerySet

from server.chat import sql
from server.chat.errors import ParleyError
from server.chat.models import AgentReadMark, Conversation, Message, Site, SiteMembership, Visitor
from server.chat.wire import (
    agent_display_name,
    conversation_fields,
    conversation_summary,
    display_name,
    message_fields,
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


# What one message adds to a frame besides its body (ids, names, times), for the page-size budget.
MESSAGE_FRAME_OVERHEAD_BYTES = 300


# Per handshake with missed messages, per `sync` and per opened conversation: hand-written (sql.py).
MESSAGES_AFTER_SQL = """
SELECT m.id, m.seq, m.author, m.agent_id, m.body, m.client_id, m.created_at, u.first_name, u.username
FROM chat_message m LEFT JOIN auth_user u ON u.id = m.agent_id
WHERE m.conversation_id = %s AND m.seq > %s
ORDER BY m.seq
LIMIT %s
"""


def messages_after(*, conversation_id: uuid.UUID, after_seq: int) -> tuple[list[dict[str, Any]], bool]:
    """Messages with seq > after_seq, oldest first, and whether more follow.

    A page holds at most PARLEY_HISTORY_LIMIT messages and about PARLEY_HISTORY_MAX_BYTES, so every
    frame stays well under the server's frame limit; clients ask for the rest with `sync`.
    """
    limit = settings.PARLEY_HISTORY_LIMIT
    rows = sql.fetch_all(
        MESSAGES_AFTER_SQL,
        [sql.db_param(Message, "conversation", conversation_id), after_seq, limit + 1],
    )
    page: list[dict[str, Any]] = []
    size = 0
    for message_id, seq, author, agent_id, body, client_id, created_at, first_name, username in rows[:limit]:
        size += len(body.encode()) + MESSAGE_FRAME_OVERHEAD_BYTES
        if page and size > settings.PARLEY_HISTORY_MAX_BYTES:
            return page, True
        author_name = None
        if author == Message.Author.AGENT:
            author_name = display_name(first_name=first_name, username=username)
        page.append(
            message_fields(
                message_id=message_id,
                conversation_id=conversation_id,
                seq=seq,
                author=author,
                author_name=author_name,
                agent_id=agent_id,
                body=body,
                client_id=client_id,
                created_at=sql.from_db(Message, "created_at", created_at),
            )
        )
    return page, len(rows) > limit


@dataclass(frozen=True)
class VisitorVisit:
    """What a visitor's hello needs to know, read in one statement."""

    last_seen_at: datetime
    last_page_url: str
    conversation_id: uuid.UUID | None
    conversation_last_seq: int


# Per visitor handshake: hand-written (sql.py).
VISITOR_VISIT_SQL = """
SELECT v.last_seen_at, v.last_page_url, c.id, c.last_seq
FROM chat_visitor v
LEFT JOIN chat_conversation c ON c.id = (
    SELECT latest.id FROM chat_conversation latest
    WHERE latest.visitor_id = v.id AND latest.status = %s
    ORDER BY latest.created_at DESC
    LIMIT 1
)
WHERE v.id = %s AND v.site_id = %s
"""


def visitor_visit(*, site_id: int, visitor_id: uuid.UUID) -> VisitorVisit | None:
    """The visitor (if it exists on this site) with its open conversation's id and last seq."""
    row = sql.fetch_one(
        VISITOR_VISIT_SQL,
        [Conversation.Status.OPEN.value, sql.db_param(Visitor, "id", visitor_id), site_id],
    )
    if row is None:
        return None
    last_seen_at, last_page_url, conversation_id, conversation_last_seq = row
    return VisitorVisit(
        last_seen_at=sql.from_db(Visitor, "last_seen_at", last_seen_at),
        last_page_url=last_page_url,
        conversation_id=sql.from_db(Conversation, "id", conversation_id),
        conversation_last_seq=conversation_last_seq or 0,
    )


def visitor_ready_frame(*, visitor_id: uuid.UUID, visit: VisitorVisit, last_seq: int) -> dict[str, Any]:
    """The `ready` frame for a visitor socket: its open conversation and what it has not seen."""
    messages: list[dict[str, Any]] = []
    has_more = False
    conversation_frame = None
    if visit.conversation_id is not None:
        if visit.conversation_last_seq > last_seq:  # a reconnect that missed nothing reads no messages
            messages, has_more = messages_after(conversation_id=visit.conversation_id, after_seq=last_seq)
        # Messages stored after the conversation row was read are in `messages`: the larger seq wins.
        conversation_frame = conversation_fields(
            conversation_id=visit.conversation_id,
            status=Conversation.Status.OPEN,
            last_seq=max([visit.conversation_last_seq] + [m["seq"] for m in messages]),
        )
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


def embed_code(*, site: Site, server_url: str) -> str:
    """The embed code a site owner pastes into their pages: a preload hint for the config, then the script."""
    base = server_url.rstrip("/")
    # The hint only lets the browser ask for the site's config while widget.js downloads, so a first
    # visit's launcher need not wait for a second round trip after the script runs; the script works
    # alone. `crossorigin` makes the preload's request match the widget's fetch (CORS, no cookies).
    config_url = f"{base}/api/widget/sites/{site.public_key}/config"
    return (
        f'<link rel="preload" href="{config_url}" as="fetch" crossorigin>\n'
        f'<script async src="{base}/widget.js" data-site="{site.public_key}"></script>'
    )
