"""Search over message bodies and visitors (name, email, last page URL): a filter of Conversation.

PostgreSQL: full-text search on GIN expression indexes (migration 0004). SQLite: FTS5 tables kept by
triggers. Every term is a prefix ("refu" finds "refund") and all terms must match; the terms are only
letters and digits, so nothing typed reaches the query syntax.
"""

import re
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from django.db import connection, transaction
from django.db.models import BooleanField, Max
from django.db.models.expressions import RawSQL

from server.conversations.models import Conversation, Message, Visitor

# Words beyond this many are ignored: each is one more index lookup.
MAX_TERMS = 8
# Characters of a matched message shown around its first match.
SNIPPET_CHARS = 160
_WORD = re.compile(r"[^\W_]+")

# Each statement's one parameter is the match text (_match_text). PostgreSQL's spell the expressions of
# search_index.py's indexes exactly, or the planner would not use them.
_PG_QUERY = "to_tsquery('simple'::regconfig, %s)"
_PG_VISITOR_VECTOR = (
    "to_tsvector('simple'::regconfig, regexp_replace("
    "name || ' ' || email || ' ' || last_page_url, '[^[:alnum:]]+', ' ', 'g'))"
)
# Each statement's parameters are the match text (_match_text), then a number where it has a LIMIT.
SQL = {
    "postgresql": {
        # At most LIMIT matching messages' conversations: whether the match is rare (a set to join to a
        # view) or common (found soonest by walking the view). PostgreSQL's estimate for a prefix cannot
        # tell the two apart, and the wrong plan costs seconds on a million messages.
        # The inner query is planned without the LIMIT (OFFSET 0 fences it): with a LIMIT the planner
        # would rather walk any index in order and filter, expecting to stop early, than read the GIN one.
        "probe_messages": "SELECT conversation_id FROM (SELECT conversation_id FROM chat_message "  # noqa: S608
        f"WHERE body_search @@ {_PG_QUERY} OFFSET 0) AS m LIMIT %s",
        "probe_visitors": "SELECT id FROM (SELECT c.id FROM chat_conversation c "  # noqa: S608
        f"JOIN chat_visitor v ON v.id = c.visitor_id WHERE {_PG_VISITOR_VECTOR} @@ {_PG_QUERY} OFFSET 0) "
        "AS m LIMIT %s",
        # Conditions on the rows of conversations already chosen (a chunk of the view, a page): the match
        # function rather than its operator `@@`, which the planner cannot serve from the GIN index, so it
        # tests these conversations' own rows instead of reading every match of a common word.
        "message_matches": f"ts_match_vq(body_search, {_PG_QUERY})",
        "visitor_matches": f"ts_match_vq({_PG_VISITOR_VECTOR}, {_PG_QUERY})",
    },
    "sqlite": {
        "probe_messages": "SELECT conversation_id FROM chat_message WHERE id IN "
        "(SELECT rowid FROM chat_message_fts WHERE chat_message_fts MATCH %s LIMIT %s)",
        "probe_visitors": "SELECT c.id FROM chat_conversation c JOIN chat_visitor v ON v.id = c.visitor_id "
        "WHERE v.rowid IN (SELECT rowid FROM chat_visitor_fts WHERE chat_visitor_fts MATCH %s LIMIT %s)",
        "message_matches": "chat_message.id IN "
        "(SELECT rowid FROM chat_message_fts WHERE chat_message_fts MATCH %s)",
        # Unqualified: Django names the visitors' table by an alias in the subquery this is used in.
        "visitor_matches": "rowid IN (SELECT rowid FROM chat_visitor_fts WHERE chat_visitor_fts MATCH %s)",
    },
}


def search_terms(text: str) -> list[str]:
    """The words of a search, lower-cased, at most MAX_TERMS."""
    return _WORD.findall(text.lower())[:MAX_TERMS]


def _match_text(terms: list[str]) -> str:
    """The terms as the database's query text: all of them, each as a prefix."""
    if connection.vendor == "postgresql":
        return " & ".join(f"{term}:*" for term in terms)
    return " ".join(f'"{term}"*' for term in terms)


# Matches beyond this many make a search common: the view is walked instead of joined to the set.
PROBE_LIMIT = 2000


def _matching(name: str, terms: list[str]) -> RawSQL:
    """SQL[vendor][name] (a condition) with the terms bound."""
    return RawSQL(SQL[connection.vendor][name], [_match_text(terms)], output_field=BooleanField())  # noqa: S611


@contextmanager
def index_plans() -> Iterator[None]:
    """A transaction in which PostgreSQL reads the search indexes rather than scanning tables.

    Its estimate for a prefix query is a fixed guess (a few percent of the rows), so for a rare word it
    would scan a million messages to find ten; with scans off it reads the GIN index, which costs a
    common word little more.
    """
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL enable_seqscan = off")
        yield


def _probe(name: str, terms: list[str]) -> set[uuid.UUID] | None:
    with connection.cursor() as cursor:
        cursor.execute(SQL[connection.vendor][name], [_match_text(terms), PROBE_LIMIT])
        rows = cursor.fetchall()
    return None if len(rows) >= PROBE_LIMIT else {_as_uuid(row[0]) for row in rows}


def message_matches(*, terms: list[str]) -> set[uuid.UUID] | None:
    """The conversations a message matches, read from the index, when fewer than PROBE_LIMIT; else None."""
    return _probe("probe_messages", terms)


def visitor_matches(*, terms: list[str]) -> set[uuid.UUID] | None:
    """The conversations whose visitor matches, from the index, when fewer than PROBE_LIMIT; else None."""
    return _probe("probe_visitors", terms)


def _as_uuid(value: object) -> uuid.UUID:
    return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))


def matching_among(
    *, terms: list[str], conversation_ids: list[uuid.UUID], by_visitor: set[uuid.UUID] | None = None
) -> set[uuid.UUID]:
    """Which of these conversations a message or the visitor matches (each tested on its own rows).

    `by_visitor`, when given, is every conversation whose visitor matches (visitor_matches), so only the
    messages are tested.
    """
    by_message = Message.objects.filter(
        _matching("message_matches", terms), conversation_id__in=conversation_ids
    )
    found = set(by_message.values_list("conversation_id", flat=True))
    if by_visitor is not None:
        return found | by_visitor.intersection(conversation_ids)
    their_visitors = Conversation.objects.filter(pk__in=conversation_ids).values("visitor_id")
    visitors = Conversation.objects.filter(
        pk__in=conversation_ids,
        visitor__in=Visitor.objects.filter(_matching("visitor_matches", terms), pk__in=their_visitors),
    )
    return found | set(visitors.values_list("pk", flat=True))


@dataclass(frozen=True)
class SearchMatch:
    """A conversation's latest message that matches a search, and a snippet of it around the match."""

    conversation_id: uuid.UUID
    message_id: int
    seq: int
    snippet: str


def snippet(body: str, terms: list[str]) -> str:
    """About SNIPPET_CHARS of `body` around the first place one of the terms starts a word, on one line."""
    flat = " ".join(body.split())
    lowered = flat.lower()
    found = [m.start() for m in _WORD.finditer(lowered) if any(m.group().startswith(t) for t in terms)]
    start = max(0, found[0] - SNIPPET_CHARS // 3) if found else 0
    end = start + SNIPPET_CHARS
    return ("…" if start else "") + flat[start:end] + ("…" if end < len(flat) else "")


def search_matches(*, terms: list[str], conversation_ids: list[uuid.UUID]) -> list[SearchMatch]:
    """The latest matching message of each of these conversations (none for a visitor-only match)."""
    if not conversation_ids:
        return []
    matching = Message.objects.filter(
        _matching("message_matches", terms), conversation_id__in=conversation_ids
    )
    latest = matching.values("conversation_id").annotate(latest=Max("id")).values_list("latest", flat=True)
    messages = Message.objects.filter(id__in=list(latest)).only("id", "conversation_id", "seq", "body")
    by_conversation = {message.conversation_id: message for message in messages}
    return [
        SearchMatch(
            conversation_id=conversation_id,
            message_id=message.id,
            seq=message.seq,
            snippet=snippet(message.body, terms),
        )
        for conversation_id in conversation_ids
        if (message := by_conversation.get(conversation_id)) is not None
    ]
