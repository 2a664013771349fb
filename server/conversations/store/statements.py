"""Hand-written statements of the per-message and per-handshake paths (sql.py runs them)."""

from functools import cache
from typing import Any

from django.db import connection

from server.conversations.models import Conversation, Visitor
from server.conversations.store import sql
from server.sites.models import Site

# Paid by a handshake that lands on a new page or after a minute away.
RECORD_VISIT_SQL = "UPDATE chat_visitor SET last_seen_at = %s, last_page_url = %s WHERE id = %s"

INSERT_MESSAGE_SQL = """
INSERT INTO chat_message (conversation_id, seq, author, agent_id, body, client_id, created_at)
VALUES (%s, %s, %s, %s, %s, %s, %s)
RETURNING id
"""

UPDATE_CONVERSATION_AFTER_MESSAGE_SQL = """
UPDATE chat_conversation SET last_seq = %s, last_message_id = %s WHERE id = %s
"""

UPDATE_CONVERSATION_ACTIVITY_AFTER_MESSAGE_SQL = """
UPDATE chat_conversation SET last_seq = %s, last_message_id = %s, updated_at = %s WHERE id = %s
"""

# How a send finds the conversation it locks: a visitor's latest open one, or the one an agent names on
# one of the agent's sites. Each statement also checks whether the client_id was already stored.
VISITOR_SEND_TARGET = """
    EXISTS (
        SELECT 1 FROM chat_message m JOIN chat_conversation mc ON mc.id = m.conversation_id
        WHERE mc.visitor_id = %s AND m.client_id = %s
    )
FROM chat_conversation c
JOIN chat_site s ON s.id = c.site_id
JOIN chat_visitor v ON v.id = c.visitor_id
WHERE c.visitor_id = %s AND c.status = %s
ORDER BY c.created_at DESC
LIMIT 1
"""
AGENT_SEND_TARGET = """
    EXISTS (SELECT 1 FROM chat_message m WHERE m.conversation_id = c.id AND m.client_id = %s)
FROM chat_conversation c
JOIN chat_site s ON s.id = c.site_id
JOIN chat_visitor v ON v.id = c.visitor_id
WHERE c.id = %s
    AND EXISTS (SELECT 1 FROM chat_sitemembership sm WHERE sm.site_id = c.site_id AND sm.user_id = %s)
"""


@cache
def lock_conversation_sql(target: str, vendor: str) -> str:
    """The statement that starts a send (`target`: VISITOR_SEND_TARGET or AGENT_SEND_TARGET), for a vendor."""
    # SQLite has no row locks (a write transaction locks the database); PostgreSQL locks the row.
    lock = "FOR UPDATE OF c" if connection.features.has_select_for_update_of else ""
    # Only column names from the models' metadata go into the text; values are parameters.
    return f"""
SELECT {sql.columns(Conversation, "c")}, {sql.columns(Site, "s")}, {sql.columns(Visitor, "v")},
{target}
{lock}
"""


def conversation_from_row(row: tuple[Any, ...]) -> tuple[Conversation, tuple[Any, ...]]:
    """The conversation (its site and visitor loaded) from a row that starts with the columns of
    `columns(Conversation)`, `columns(Site)` and `columns(Visitor)`; and the row's values after them."""
    conversation_end = len(Conversation._meta.concrete_fields)
    site_end = conversation_end + len(Site._meta.concrete_fields)
    visitor_end = site_end + len(Visitor._meta.concrete_fields)
    conversation = sql.model_from_row(Conversation, row[:conversation_end])
    conversation.site = sql.model_from_row(Site, row[conversation_end:site_end])
    conversation.visitor = sql.model_from_row(Visitor, row[site_end:visitor_end])
    return conversation, row[visitor_end:]


# Per handshake with missed messages, per `sync` and per opened conversation.
MESSAGES_AFTER_SQL = """
SELECT m.id, m.seq, m.author, m.agent_id, m.body, m.client_id, m.created_at, u.first_name, u.username
FROM chat_message m LEFT JOIN auth_user u ON u.id = m.agent_id
WHERE m.conversation_id = %s AND m.seq > %s
ORDER BY m.seq
LIMIT %s
"""


# Per visitor handshake.
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
