"""An agent's inbox views (Mine, Unassigned, All open, Resolved), one page at a time, newest activity first.

Pages are cut by an opaque keyset cursor on (updated_at, id): a page asked for later starts right after the
last row of the one before, however many rows moved to the top in between.
"""

import base64
import binascii
import json
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Literal, get_args

from django.conf import settings
from django.db.models import Q

from server.conversations import rules
from server.conversations.models import AgentReadMark, Conversation
from server.conversations.selectors.search import (
    SearchMatch,
    index_plans,
    matching_among,
    rare_matches,
    search_matches,
    search_terms,
)
from server.conversations.selectors.summaries import summary_query
from server.errors import ParleyError

View = Literal["mine", "unassigned", "open", "resolved"]
VIEWS: tuple[View, ...] = get_args(View)

Cursor = tuple[datetime, uuid.UUID]


def view_filter(*, view: View, user_id: int) -> Q:
    """A filter of Conversation: the conversations a view shows to this agent."""
    if view == "resolved":
        return Q(status=Conversation.Status.RESOLVED)
    if view == "mine":
        return Q(status=Conversation.Status.OPEN, assignee_id=user_id)
    if view == "unassigned":
        return Q(status=Conversation.Status.OPEN, assignee__isnull=True)
    return Q(status=Conversation.Status.OPEN)


def encode_cursor(cursor: Cursor) -> str:
    """The opaque text of a cursor: where the next page starts."""
    updated_at, conversation_id = cursor
    raw = json.dumps([updated_at.isoformat(), conversation_id.hex], separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(text: str) -> Cursor:
    """The cursor an `inbox.page` gave, else `invalid_field` (a cursor is never trusted to be one)."""
    try:
        raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
        updated_at, conversation_hex = json.loads(raw)
        cursor = (datetime.fromisoformat(updated_at), uuid.UUID(hex=conversation_hex))
    except (binascii.Error, ValueError, TypeError, AttributeError):
        cursor = None
    if cursor is None or cursor[0].tzinfo is None:
        raise ParleyError("invalid_field", "Field 'before' must be a cursor from an inbox.page.")
    return cursor


def agent_inbox_site_ids(*, user_id: int, site_id: int | None) -> list[int]:
    """The agent's sites a query covers: all of them, or the one asked for (else `not_found`)."""
    site_ids = sorted(row["site"] for row in rules.agent_site_ids(user_id=user_id))
    if site_id is None:
        return site_ids
    if site_id not in site_ids:
        raise ParleyError("not_found", "No such site.")
    return [site_id]


@dataclass(frozen=True)
class InboxQuery:
    """What an agent asks of its inbox."""

    view: View
    site_id: int | None = None
    before: str | None = None
    search: str | None = None


@dataclass(frozen=True)
class InboxPage:
    """One page of a view: its conversations (newest first), the agent's marks, search matches, the cursor."""

    query: InboxQuery
    conversations: list[Conversation]
    last_read_seqs: dict[uuid.UUID, int]
    matches: list[SearchMatch]
    next: str | None


def inbox_page(*, user_id: int, query: InboxQuery) -> InboxPage:
    """A page of one of the agent's inbox views, searched when `query.search` holds a word."""
    size = settings.PARLEY_INBOX_PAGE_SIZE
    site_ids = agent_inbox_site_ids(user_id=user_id, site_id=query.site_id)
    before = decode_cursor(query.before) if query.before else None
    terms = search_terms(query.search or "")
    if query.search and not terms:
        # Nothing searchable in it (only punctuation): nothing matches.
        return InboxPage(query=query, conversations=[], last_read_seqs={}, matches=[], next=None)
    selection = view_filter(view=query.view, user_id=user_id)
    if terms:
        with index_plans():
            rare = rare_matches(terms=terms)
            if rare is None:
                keys, resume = walk_matching(
                    selection=selection, site_ids=site_ids, before=before, terms=terms
                )
            else:
                keys = view_keys(
                    selection=selection & Q(pk__in=rare), site_ids=site_ids, before=before, count=size + 1
                )
                resume = None
    else:
        keys, resume = view_keys(selection=selection, site_ids=site_ids, before=before, count=size + 1), None
    shown = keys[:size]
    next_key = shown[-1] if len(keys) > size else resume
    by_id = summary_query().in_bulk([conversation_id for _, conversation_id in shown])
    conversations = [by_id[conversation_id] for _, conversation_id in shown if conversation_id in by_id]
    marks = dict(
        AgentReadMark.objects.filter(user_id=user_id, conversation__in=conversations).values_list(
            "conversation_id", "last_read_seq"
        )
    )
    matches: list[SearchMatch] = []
    if terms:
        with index_plans():
            matches = search_matches(terms=terms, conversation_ids=[c.pk for c in conversations])
    return InboxPage(
        query=query,
        conversations=conversations,
        last_read_seqs=marks,
        matches=matches,
        next=encode_cursor(next_key) if next_key is not None else None,
    )


def view_keys(*, selection: Q, site_ids: list[int], before: Cursor | None, count: int) -> list[Cursor]:
    """The first `count` (updated_at, id) of a view after a cursor, newest first, over the agent's sites.

    One query per site: each is a walk down one index (site, status[, assignee], updated_at), where one
    query over several sites would sort every row of the view.
    """
    if before is not None:
        selection &= Q(updated_at__lt=before[0]) | Q(updated_at=before[0], id__lt=before[1])
    keys: list[Cursor] = []
    for site in site_ids:
        rows = Conversation.objects.filter(selection, site_id=site).order_by("-updated_at", "-id")
        keys.extend(rows.values_list("updated_at", "id")[:count])
    keys.sort(reverse=True)
    return keys[:count]


# A common search walks the view this many rows at a time, at most WALK_CHUNKS times per page.
WALK_CHUNK = 500
WALK_CHUNKS = 20


def walk_matching(
    *, selection: Q, site_ids: list[int], before: Cursor | None, terms: list[str]
) -> tuple[list[Cursor], Cursor | None]:
    """A common search's page: the view walked newest first, chunk by chunk, until a page is full.

    Returns the keys found (up to a page and one) and, when the walk stopped before the view's end with
    fewer, the key the next page resumes after (such a page holds fewer rows than a full one).
    """
    wanted = settings.PARLEY_INBOX_PAGE_SIZE + 1
    found: list[Cursor] = []
    for _ in range(WALK_CHUNKS):
        chunk = view_keys(selection=selection, site_ids=site_ids, before=before, count=WALK_CHUNK)
        hits = matching_among(terms=terms, conversation_ids=[key[1] for key in chunk])
        found += [key for key in chunk if key[1] in hits]
        if len(found) >= wanted or len(chunk) < WALK_CHUNK:
            return found[:wanted], None
        before = chunk[-1]
    return found, before
