"""An agent's inbox views (Mine, Unassigned, All open, Resolved), one page at a time, newest activity first.

Pages are cut by an opaque keyset cursor on (updated_at, id): a page asked for later starts right after the
last row of the one before, however many rows moved to the top in between.
"""

import base64
import binascii
import json
import math
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
    message_matches,
    search_matches,
    search_terms,
    visitor_matches,
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
            keys, resume = search_keys(selection=selection, site_ids=site_ids, before=before, terms=terms)
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


# A search first tests this many of the view's newest rows, then walks on at most WALK_CHUNK at a time
# (as many as the rate found so far says a page needs, and half again), at most WALK_CHUNKS times per
# page. It walks on only if that rate fills a page within WALK_EXPECTED_ROWS; else it asks the index for
# every match.
FIRST_CHUNK = 200
WALK_CHUNK = 500
WALK_CHUNKS = 20
WALK_EXPECTED_ROWS = 2000


def search_keys(
    *, selection: Q, site_ids: list[int], before: Cursor | None, terms: list[str]
) -> tuple[list[Cursor], Cursor | None]:
    """A search's keys (up to a page and one) and, when a walk stopped early, the key the next page resumes
    after.

    A word common in the view is found soonest by testing its newest rows; a rare one by reading the
    index's matches (when fewer than PROBE_LIMIT) and joining them to the view. Each way is ruinous for
    the other kind of word, and PostgreSQL cannot estimate a prefix's matches: the rate of matches in the
    view's newest FIRST_CHUNK rows decides, and those rows are a first page's start either way. Visitors'
    matches are read from their index once (a word in most visitors' page URLs is tested row by row).
    """
    wanted = settings.PARLEY_INBOX_PAGE_SIZE + 1
    by_visitor = visitor_matches(terms=terms)
    chunk = view_keys(selection=selection, site_ids=site_ids, before=before, count=FIRST_CHUNK)
    hits = matching_among(terms=terms, conversation_ids=[key[1] for key in chunk], by_visitor=by_visitor)
    found = [key for key in chunk if key[1] in hits]
    if len(found) >= wanted or len(chunk) < FIRST_CHUNK:
        return found[:wanted], None
    expected_rows = (wanted - len(found)) * FIRST_CHUNK / len(found) if found else float("inf")
    if expected_rows > WALK_EXPECTED_ROWS and by_visitor is not None:
        by_message = message_matches(terms=terms)
        if by_message is not None:
            rare = by_message | by_visitor
            keys = view_keys(
                selection=selection & Q(pk__in=rare), site_ids=site_ids, before=before, count=wanted
            )
            return keys, None
    return walk_matching(
        selection=selection,
        site_ids=site_ids,
        before=chunk[-1],
        terms=terms,
        found=found,
        walked=len(chunk),
        by_visitor=by_visitor,
    )


def walk_matching(
    *,
    selection: Q,
    site_ids: list[int],
    before: Cursor | None,
    terms: list[str],
    found: list[Cursor],
    walked: int,
    by_visitor: set[uuid.UUID] | None,
) -> tuple[list[Cursor], Cursor | None]:
    """A common search's page: the view walked newest first after `before`, chunk by chunk, adding to
    `found` (matches among the `walked` rows before) until a page is full.

    Returns the keys found (up to a page and one) and, when the walk stopped before the view's end with
    fewer, the key the next page resumes after (such a page holds fewer rows than a full one).
    """
    wanted = settings.PARLEY_INBOX_PAGE_SIZE + 1
    for _ in range(WALK_CHUNKS):
        rate = len(found) / walked if walked else 0.0
        count = WALK_CHUNK if not rate else math.ceil((wanted - len(found)) / rate * 1.5)
        count = max(FIRST_CHUNK, min(WALK_CHUNK, count))
        chunk = view_keys(selection=selection, site_ids=site_ids, before=before, count=count)
        hits = matching_among(terms=terms, conversation_ids=[key[1] for key in chunk], by_visitor=by_visitor)
        found = found + [key for key in chunk if key[1] in hits]
        walked += len(chunk)
        if len(found) >= wanted or len(chunk) < count:
            return found[:wanted], None
        before = chunk[-1]
    return found, before
