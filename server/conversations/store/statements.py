"""Hand-written statements of the per-message and per-handshake paths (sql.py runs them)."""

from functools import cache
from typing import Any

from django.contrib.auth.models import User
from django.db import connection

from server.conversations import rules
from server.conversations.models import Conversation, Visitor
from server.conversations.store import sql
from server.conversations.store.names import render
from server.sites.models import Site

# Paid by a handshake that lands on a new page or after a minute away.
RECORD_VISIT_SQL = render(
    "UPDATE {Visitor} SET {Visitor.last_seen_at} = %s, {Visitor.last_page_url} = %s WHERE {Visitor.id} = %s"
)

INSERT_MESSAGE_SQL = render("""
INSERT INTO {Message} ({Message.conversation}, {Message.seq}, {Message.author}, {Message.agent}, \
{Message.body}, {Message.client_id}, {Message.created_at}, {Message.event})
VALUES (%s, %s, %s, %s, %s, %s, %s, %s)
RETURNING {Message.id}
""")

UPDATE_CONVERSATION_AFTER_MESSAGE_SQL = render("""
UPDATE {Conversation} SET {Conversation.last_seq} = %s, {Conversation.last_message} = %s
WHERE {Conversation.id} = %s
""")

UPDATE_CONVERSATION_ACTIVITY_AFTER_MESSAGE_SQL = render("""
UPDATE {Conversation} SET {Conversation.last_seq} = %s, {Conversation.last_message} = %s, \
{Conversation.updated_at} = %s
WHERE {Conversation.id} = %s
""")

# How a send finds the conversation it locks: a visitor's latest open one, or (agent_send_target) the one
# an agent names on one of the agent's sites. Each statement also checks whether the client_id was already
# stored.
VISITOR_SEND_TARGET = render("""
    EXISTS (
        SELECT 1 FROM {Message} m JOIN {Conversation} mc ON mc.{Conversation.id} = m.{Message.conversation}
        WHERE mc.{Conversation.visitor} = %s AND m.{Message.client_id} = %s
    )
FROM {Conversation} c
JOIN {Site} s ON s.{Site.id} = c.{Conversation.site}
JOIN {Visitor} v ON v.{Visitor.id} = c.{Conversation.visitor}
LEFT JOIN {User} a ON a.{User.id} = c.{Conversation.assignee}
WHERE c.{Conversation.visitor} = %s AND c.{Conversation.status} = %s
ORDER BY c.{Conversation.created_at} DESC
LIMIT 1
""")


@cache
def agent_send_target(vendor: str) -> str:
    """How an agent's send finds its conversation: the one it names, if on one of the agent's sites (the rule
    of rules.py, compiled for a vendor)."""
    site_column = render("c.{Conversation.site}")
    return render(
        """
    EXISTS (
        SELECT 1 FROM {Message} m
        WHERE m.{Message.conversation} = c.{Conversation.id} AND m.{Message.client_id} = %s
    )
FROM {Conversation} c
JOIN {Site} s ON s.{Site.id} = c.{Conversation.site}
JOIN {Visitor} v ON v.{Visitor.id} = c.{Conversation.visitor}
LEFT JOIN {User} a ON a.{User.id} = c.{Conversation.assignee}
WHERE c.{Conversation.id} = %s
    AND {agent_rule}
""",
        agent_rule=rules.agent_conversations_sql(site_column=site_column, vendor=vendor),
    )


@cache
def lock_conversation_sql(target: str, vendor: str) -> str:
    """The statement that starts a send (`target`: VISITOR_SEND_TARGET or agent_send_target), for a vendor."""
    # SQLite has no row locks (a write transaction locks the database); PostgreSQL locks the row.
    lock = "FOR UPDATE OF c" if connection.features.has_select_for_update_of else ""
    # Only column names from the models' metadata go into the text; values are parameters.
    return f"""
SELECT {sql.columns(Conversation, "c")}, {sql.columns(Site, "s")}, {sql.columns(Visitor, "v")},
{ASSIGNEE_NAME_COLUMNS}, {target}
{lock}
"""


# The assignee's names (its display name in the inbox row), from `LEFT JOIN {User} a` on the assignee.
ASSIGNEE_NAME_COLUMNS = render("a.{User.first_name}, a.{User.username}")


def conversation_from_row(row: tuple[Any, ...]) -> tuple[Conversation, tuple[Any, ...]]:
    """The conversation (its site, visitor and assignee loaded) from a row that starts with the columns of
    `columns(Conversation)`, `columns(Site)`, `columns(Visitor)` and ASSIGNEE_NAME_COLUMNS; and the row's
    values after them."""
    conversation_end = len(Conversation._meta.concrete_fields)
    site_end = conversation_end + len(Site._meta.concrete_fields)
    visitor_end = site_end + len(Visitor._meta.concrete_fields)
    conversation = sql.model_from_row(Conversation, row[:conversation_end])
    conversation.site = sql.model_from_row(Site, row[conversation_end:site_end])
    conversation.visitor = sql.model_from_row(Visitor, row[site_end:visitor_end])
    first_name, username = row[visitor_end : visitor_end + 2]
    if conversation.assignee_id is not None:
        # Only what its display name needs: the row is read to be announced, never saved.
        conversation.assignee = User(id=conversation.assignee_id, first_name=first_name, username=username)
    return conversation, row[visitor_end + 2 :]


# Per handshake with missed messages, per `sync` and per opened conversation.
MESSAGES_AFTER_SQL = render("""
SELECT m.{Message.id}, m.{Message.seq}, m.{Message.author}, m.{Message.agent}, m.{Message.body}, \
m.{Message.client_id}, m.{Message.created_at}, m.{Message.event}, u.{User.first_name}, u.{User.username}
FROM {Message} m LEFT JOIN {User} u ON u.{User.id} = m.{Message.agent}
WHERE m.{Message.conversation} = %s AND m.{Message.seq} > %s
ORDER BY m.{Message.seq}
LIMIT %s
""")


# Per visitor handshake: the visitor, its latest conversation (open or resolved) and the one before that.
VISITOR_VISIT_SQL = render("""
SELECT v.{Visitor.last_seen_at}, v.{Visitor.last_page_url}, c.{Conversation.id}, c.{Conversation.last_seq}, \
c.{Conversation.status}, (
    SELECT p.{Conversation.id} FROM {Conversation} p
    WHERE p.{Conversation.visitor} = v.{Visitor.id}
        AND p.{Conversation.created_at} < c.{Conversation.created_at}
    ORDER BY p.{Conversation.created_at} DESC
    LIMIT 1
)
FROM {Visitor} v
LEFT JOIN {Conversation} c ON c.{Conversation.id} = (
    SELECT latest.{Conversation.id} FROM {Conversation} latest
    WHERE latest.{Conversation.visitor} = v.{Visitor.id}
    ORDER BY latest.{Conversation.created_at} DESC
    LIMIT 1
)
WHERE v.{Visitor.id} = %s AND v.{Visitor.site} = %s
""")
