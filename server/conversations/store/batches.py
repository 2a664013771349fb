"""Hand-written statements that store a batch of visitor messages (services/message_batches.py)."""

from functools import cache

from server.conversations.models import Conversation, Visitor
from server.conversations.store import sql, statements
from server.conversations.store.names import render
from server.sites.models import Site

# The retry probe of a batch statement: whether a send's client_id is already among its visitor's messages.
# On PostgreSQL it is a LATERAL lookup, so the plan can only look up unique_message_client_id by
# (conversation, client_id). As a plain join, the generic plan looked up by conversation alone and
# filtered every message of the conversation, so a send grew dearer with each message before it (0.38 →
# 0.47 ms over 400 messages a conversation). SQLite has no LATERAL; its planner takes the index anyway.
CLIENT_ID_PROBE_POSTGRESQL = render("""CROSS JOIN LATERAL (
        SELECT 1 FROM {Message} m
        WHERE m.{Message.conversation} = mc.{Conversation.id} AND m.{Message.client_id} = s.client_id LIMIT 1
    ) m""")
CLIENT_ID_PROBE_SQLITE = render(
    "JOIN {Message} m ON m.{Message.conversation} = mc.{Conversation.id} "
    "AND m.{Message.client_id} = s.client_id"
)


# The sends of a batch, and which of their visitors go one by one (see StoredBatch), as the common start
# of the statements below (`sent_source` gives the rows: position, visitor_id, client_id, body;
# `client_id_probe` is one of the two probes above).
BATCH_ASIDE_SQL = """
WITH sent AS (
    SELECT u.column1 AS position, u.column2 AS visitor_id, u.column3 AS client_id, u.column4 AS body
    FROM {sent_source}
), target AS (
    SELECT {conversation_columns}
    FROM {Conversation} c
    WHERE c.{Conversation.visitor} IN (SELECT visitor_id FROM sent) AND c.{Conversation.status} = %s
        AND c.{Conversation.created_at} = (
            SELECT MAX(o.{Conversation.created_at}) FROM {Conversation} o
            WHERE o.{Conversation.visitor} = c.{Conversation.visitor} AND o.{Conversation.status} = %s
        )
    ORDER BY c.{Conversation.id}
    {lock}
), aside AS (
    -- A probe of unique_message_client_id per send, once for the whole batch.
    SELECT s.visitor_id FROM sent s
    JOIN {Conversation} mc ON mc.{Conversation.visitor} = s.visitor_id
    {client_id_probe}
    UNION ALL
    SELECT a.visitor_id FROM sent a
    JOIN sent b ON b.visitor_id = a.visitor_id AND b.client_id = a.client_id AND b.position > a.position
    UNION ALL
    SELECT t.{Conversation.visitor} FROM target t GROUP BY t.{Conversation.visitor} HAVING COUNT(*) > 1
)"""


# What the batch statement reads back of each message's conversation: the fields of BatchedConversation
# (its site and visitor as their wire shapes need them), in the order _batch_from_rows takes them.
BATCHED_CONVERSATION_COLUMNS = render(
    "t.{Conversation.id}, t.{Conversation.site}, s.{Site.name}, t.{Conversation.status}, "
    "t.{Conversation.assignee}, t.{Conversation.created_at}, t.{Conversation.visitor}, v.{Visitor.name}, "
    "v.{Visitor.email}, v.{Visitor.last_page_url}, a.{User.first_name}, a.{User.username}"
)


@cache
def batch_in_one_statement_sql(rows: int) -> str:
    """PostgreSQL: a whole batch in one statement (lock, retry check, insert, update, touch, read back)."""
    # Rows are locked in id order, so two batches sharing conversations never each hold a row the other
    # waits for. Locking in `target` makes the later sub-statements see each row's latest last_seq.
    start = _batch_aside_sql(rows=rows, client_id_probe=CLIENT_ID_PROBE_POSTGRESQL, lock="FOR UPDATE OF c")
    return start + render(
        BATCH_IN_ONE_STATEMENT_SQL, batched_conversation_columns=BATCHED_CONVERSATION_COLUMNS
    )


# The rest of the one batch statement, after BATCH_ASIDE_SQL (batch_in_one_statement_sql).
BATCH_IN_ONE_STATEMENT_SQL = """, numbered AS (
    SELECT t.{Conversation.id} AS conversation_id, s.client_id, s.body,
        t.{Conversation.last_seq} + ROW_NUMBER() OVER (PARTITION BY s.visitor_id ORDER BY s.position) AS seq
    FROM sent s JOIN target t ON t.{Conversation.visitor} = s.visitor_id
    WHERE s.visitor_id NOT IN (SELECT visitor_id FROM aside)
), inserted AS (
    INSERT INTO {Message} ({Message.conversation}, {Message.seq}, {Message.author}, {Message.body}, \
{Message.client_id}, {Message.created_at})
    SELECT n.conversation_id, n.seq, %s, n.body, n.client_id, %s FROM numbered n
    RETURNING {Message.id}, {Message.conversation}, {Message.seq}, {Message.client_id}
), moved AS (
    -- updated_at (the inbox order) moves on only when older than INBOX_ORDER_RESOLUTION: written back
    -- unchanged otherwise, the update stays in place (HOT).
    UPDATE {Conversation} c
    SET {Conversation.last_seq} = i.{Message.seq}, {Conversation.last_message} = i.{Message.id},
        {Conversation.updated_at} = CASE WHEN c.{Conversation.updated_at} <= %s THEN %s \
ELSE c.{Conversation.updated_at} END
    FROM (
        SELECT DISTINCT ON ({Message.conversation}) * FROM inserted
        ORDER BY {Message.conversation}, {Message.seq} DESC
    ) i
    WHERE c.{Conversation.id} = i.{Message.conversation}
), touched AS (
    UPDATE {Visitor} v SET {Visitor.last_seen_at} = %s
    WHERE v.{Visitor.id} IN (
        SELECT t.{Conversation.visitor} FROM target t
        JOIN inserted i ON i.{Message.conversation} = t.{Conversation.id}
    )
        AND v.{Visitor.last_seen_at} < %s
)
SELECT {batched_conversation_columns}, i.{Message.id}, i.{Message.seq}, i.{Message.client_id}
FROM inserted i
JOIN target t ON t.{Conversation.id} = i.{Message.conversation}
JOIN {Site} s ON s.{Site.id} = t.{Conversation.site}
JOIN {Visitor} v ON v.{Visitor.id} = t.{Conversation.visitor}
LEFT JOIN {User} a ON a.{User.id} = t.{Conversation.assignee}
ORDER BY i.{Message.conversation}, i.{Message.seq}
"""


def _batch_aside_sql(*, rows: int, client_id_probe: str, lock: str) -> str:
    """BATCH_ASIDE_SQL for a batch of `rows` sends, with a retry probe and a lock clause."""
    return render(
        BATCH_ASIDE_SQL,
        sent_source=sql.rows_source(["integer", "uuid", "text", "text"], rows),
        conversation_columns=sql.columns(Conversation, "c"),
        client_id_probe=client_id_probe,
        lock=lock,
    )


@cache
def lock_batch_sql(rows: int) -> str:
    """SQLite: the conversations a batch goes into (site and visitor loaded), each with whether its
    visitor's sends go one by one. The write transaction locks the whole database (no row locks)."""
    start = _batch_aside_sql(rows=rows, client_id_probe=CLIENT_ID_PROBE_SQLITE, lock="")
    return start + render(
        """
SELECT {conversation}, {site}, {visitor}, {assignee},
    t.{Conversation.visitor} IN (SELECT visitor_id FROM aside)
FROM target t
JOIN {Site} s ON s.{Site.id} = t.{Conversation.site}
JOIN {Visitor} v ON v.{Visitor.id} = t.{Conversation.visitor}
LEFT JOIN {User} a ON a.{User.id} = t.{Conversation.assignee}
""",
        assignee=statements.ASSIGNEE_NAME_COLUMNS,
        conversation=sql.columns(Conversation, "t"),
        site=sql.columns(Site, "s"),
        visitor=sql.columns(Visitor, "v"),
    )


@cache
def insert_visitor_messages_sql(rows: int) -> str:
    """SQLite: insert a batch's messages in one statement, returning each one's id, conversation, seq and
    client_id."""
    source = sql.rows_source(["uuid", "integer", "text", "text", "text", "timestamptz"], rows)
    return render(
        """
INSERT INTO {Message} ({Message.conversation}, {Message.seq}, {Message.author}, {Message.body}, \
{Message.client_id}, {Message.created_at})
SELECT u.column1, u.column2, u.column3, u.column4, u.column5, u.column6 FROM {source}
RETURNING {Message.id}, {Message.conversation}, {Message.seq}, {Message.client_id}
""",
        source=source,
    )


@cache
def update_conversations_sql(rows: int) -> str:
    """SQLite: move each conversation of a batch on to its last new message, in one statement."""
    source = sql.rows_source(["uuid", "integer", "bigint", "timestamptz"], rows)
    return render(
        """
UPDATE {Conversation} SET {Conversation.last_seq} = u.column2, {Conversation.last_message} = u.column3, \
{Conversation.updated_at} = u.column4
FROM {source}
WHERE {Conversation}.{Conversation.id} = u.column1
""",
        source=source,
    )
