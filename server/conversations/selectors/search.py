"""Search over message bodies and visitors (name, email, last page URL): a filter of Conversation.

PostgreSQL: full-text search on GIN expression indexes (migration 0004). SQLite: FTS5 tables kept by
triggers. Every term is a prefix ("refu" finds "refund") and all terms must match; the terms are only
letters and digits, so nothing typed reaches the query syntax.
"""

import re
import uuid
from dataclasses import dataclass

from django.db import connection
from django.db.models import Max, Q
from django.db.models.expressions import RawSQL

from server.conversations.models import Message

# Words beyond this many are ignored: each is one more index lookup.
MAX_TERMS = 8
# Characters of a matched message shown around its first match.
SNIPPET_CHARS = 160
_WORD = re.compile(r"[^\W_]+")

# Each statement's one parameter is the match text (_match_text). PostgreSQL's spell the expressions of
# search_index.py's indexes exactly, or the planner would not use them.
SQL = {
    "postgresql": {
        "message_ids": "SELECT id FROM chat_message "
        "WHERE to_tsvector('simple'::regconfig, body) @@ to_tsquery('simple'::regconfig, %s)",
        "conversation_ids": "SELECT conversation_id FROM chat_message "
        "WHERE to_tsvector('simple'::regconfig, body) @@ to_tsquery('simple'::regconfig, %s)",
        "visitor_ids": "SELECT id FROM chat_visitor WHERE to_tsvector('simple'::regconfig, regexp_replace("
        "name || ' ' || email || ' ' || last_page_url, '[^[:alnum:]]+', ' ', 'g')) "
        "@@ to_tsquery('simple'::regconfig, %s)",
    },
    "sqlite": {
        "message_ids": "SELECT rowid FROM chat_message_fts WHERE chat_message_fts MATCH %s",
        "conversation_ids": "SELECT conversation_id FROM chat_message "
        "WHERE id IN (SELECT rowid FROM chat_message_fts WHERE chat_message_fts MATCH %s)",
        "visitor_ids": "SELECT id FROM chat_visitor "
        "WHERE rowid IN (SELECT rowid FROM chat_visitor_fts WHERE chat_visitor_fts MATCH %s)",
    },
}


def _matching(name: str, terms: list[str]) -> RawSQL:
    """A subquery of ids matching every term (SQL[vendor][name]), the terms bound as its one parameter."""
    return RawSQL(SQL[connection.vendor][name], [_match_text(terms)])  # noqa: S611 (constant SQL, bound text)


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
    return Q(pk__in=_matching("conversation_ids", terms)) | Q(visitor_id__in=_matching("visitor_ids", terms))


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
        conversation_id__in=conversation_ids, id__in=_matching("message_ids", terms)
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
