"""Search over message bodies and visitors (name, email, last page URL): a filter of Conversation.

PostgreSQL: full-text search on GIN expression indexes (migration 0004). SQLite: FTS5 tables kept by
triggers. Every term is a prefix ("refu" finds "refund") and all terms must match; the terms are only
letters and digits, so nothing typed reaches the query syntax.
"""

import re
import uuid
from dataclasses import dataclass
from typing import Any

from django.db import connection
from django.db.models import BooleanField, Max, Q
from django.db.models.expressions import RawSQL

from server.conversations.models import Message

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
SQL = {
    "postgresql": {
        # Conversations a message or the visitor matches, as one set: the planner joins it to the view
        # when it is small and walks the view's index when it is large (an OR of two sets allows neither).
        "conversation_ids": "SELECT conversation_id FROM chat_message "  # noqa: S608 (constants only)
        f"WHERE body_search @@ {_PG_QUERY} "
        "UNION SELECT c.id FROM chat_conversation c JOIN chat_visitor v ON v.id = c.visitor_id "
        f"WHERE {_PG_VISITOR_VECTOR} @@ {_PG_QUERY}",
        # Tested on the messages of a page's conversations only, row by row (no scan of every match).
        "message_matches": f"body_search @@ {_PG_QUERY}",
    },
    "sqlite": {
        "conversation_ids": "SELECT conversation_id FROM chat_message WHERE id IN "
        "(SELECT rowid FROM chat_message_fts WHERE chat_message_fts MATCH %s) "
        "UNION SELECT c.id FROM chat_conversation c JOIN chat_visitor v ON v.id = c.visitor_id "
        "WHERE v.rowid IN (SELECT rowid FROM chat_visitor_fts WHERE chat_visitor_fts MATCH %s)",
        "message_matches": "chat_message.id IN "
        "(SELECT rowid FROM chat_message_fts WHERE chat_message_fts MATCH %s)",
    },
}


def _matching(name: str, terms: list[str], **expression: Any) -> RawSQL:
    """SQL[vendor][name] with the terms bound to each of its parameters."""
    sql = SQL[connection.vendor][name]
    return RawSQL(sql, [_match_text(terms)] * sql.count("%s"), **expression)  # noqa: S611 (constant SQL)


def search_terms(text: str) -> list[str]:
    """The words of a search, lower-cased, at most MAX_TERMS."""
    return _WORD.findall(text.lower())[:MAX_TERMS]


def _match_text(terms: list[str]) -> str:
    """The terms as the database's query text: all of them, each as a prefix."""
    if connection.vendor == "postgresql":
        return " & ".join(f"{term}:*" for term in terms)
    return " ".join(f'"{term}"*' for term in terms)


def search_filter(*, terms: list[str]) -> Q:
    """A filter of Conversation: a message or its visitor matches every term."""
    return Q(pk__in=_matching("conversation_ids", terms))


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
        _matching("message_matches", terms, output_field=BooleanField()), conversation_id__in=conversation_ids
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
