"""Hand-written statements that store a batch of visitor messages (services/message_batches.py)."""

from functools import cache

from server.conversations.models import Conversation, Visitor
from server.conversations.store import sql
from server.sites.models import Site

# The retry probe of a batch statement: whether a send's client_id is already among its visitor's messages.
# On PostgreSQL it is a LATERAL lookup, so the plan can only look up unique_message_client_id by
# (conversation, client_id). As a plain join, the generic plan looked up by conversation alone and
# filtered every message of the conversation, so a send grew dearer with each message before it (0.38 →
# 0.47 ms over 400 messages a conversation). SQLite has no LATERAL; its planner takes the index anyway.
CLIENT_ID_PROBE_POSTGRESQL = """CROSS JOIN LATERAL (
        SELECT 1 FROM chat_message m WHERE m.conversation_id = mc.id AND m.client_id = s.client_id LIMIT 1
    ) m"""
CLIENT_ID_PROBE_SQLITE = "JOIN chat_message m ON m.conversation_id = mc.id AND m.client_id = s.client_id"


# The sends of a batch, and which of their visitors go one by one (see StoredBatch), as the common start
# of the statements below (`sent_source` gives the rows: position, visitor_id, client_id, body;
# `client_id_probe` is one of the two probes above).
BATCH_ASIDE_SQL = """
WITH sent AS (
    SELECT u.column1 AS position, u.column2 AS visitor_id, u.column3 AS client_id, u.column4 AS body
    FROM {sent_source}
), target AS (
    SELECT {conversation_columns}
    FROM chat_conversation c
    WHERE c.visitor_id IN (SELECT visitor_id FROM sent) AND c.status = %s
        AND c.created_at = (
            SELECT MAX(o.created_at) FROM chat_conversation o
            WHERE o.visitor_id = c.visitor_id AND o.status = %s
        )
    ORDER BY c.id
    {lock}
), aside AS (
    -- A probe of unique_message_client_id per send, once for the whole batch.
    SELECT s.visitor_id FROM sent s
    JOIN chat_conversation mc ON mc.visitor_id = s.visitor_id
    {client_id_probe}
    UNION ALL
    SELECT a.visitor_id FROM sent a
    JOIN sent b ON b.visitor_id = a.visitor_id AND b.client_id = a.client_id AND b.position > a.position
    UNION ALL
    SELECT t.visitor_id FROM target t GROUP BY t.visitor_id HAVING COUNT(*) > 1
)"""


# What the batch statement reads back of each message's conversation: the fields of BatchedConversation
# (its site and visitor as their wire shapes need them), in the order _batch_from_rows takes them.
BATCHED_CONVERSATION_COLUMNS = (
    "t.id, t.site_id, s.name, t.status, t.assignee_id, t.created_at, t.visitor_id, v.name, v.email, "
    "v.last_page_url"
)


@cache
def batch_in_one_statement_sql(rows: int) -> str:
    """PostgreSQL: a whole batch in one statement (lock, retry check, insert, update, touch, read back)."""
    # Rows are locked in id order, so two batches sharing conversations never each hold a row the other
    # waits for. Locking in `target` makes the later sub-statements see each row's latest last_seq.
    start = BATCH_ASIDE_SQL.format(
        sent_source=sql.rows_source(["integer", "uuid", "text", "text"], rows),
        conversation_columns=sql.columns(Conversation, "c"),
        client_id_probe=CLIENT_ID_PROBE_POSTGRESQL,
        lock="FOR UPDATE OF c",
    )
    return f"""{start}, numbered AS (
    SELECT t.id AS conversation_id, s.client_id, s.body,
        t.last_seq + ROW_NUMBER() OVER (PARTITION BY s.visitor_id ORDER BY s.position) AS seq
    FROM sent s JOIN target t ON t.visitor_id = s.visitor_id
    WHERE s.visitor_id NOT IN (SELECT visitor_id FROM aside)
), inserted AS (
    INSERT INTO chat_message (conversation_id, seq, author, body, client_id, created_at)
    SELECT n.conversation_id, n.seq, %s, n.body, n.client_id, %s FROM numbered n
    RETURNING id, conversation_id, seq, client_id
), moved AS (
    -- updated_at (the inbox order) moves on only when older than INBOX_ORDER_RESOLUTION: written back
    -- unchanged otherwise, the update stays in place (HOT).
    UPDATE chat_conversation c
    SET last_seq = i.seq, last_message_id = i.id,
        updated_at = CASE WHEN c.updated_at <= %s THEN %s ELSE c.updated_at END
    FROM (SELECT DISTINCT ON (conversation_id) * FROM inserted ORDER BY conversation_id, seq DESC) i
    WHERE c.id = i.conversation_id
), touched AS (
    UPDATE chat_visitor v SET last_seen_at = %s
    WHERE v.id IN (SELECT t.visitor_id FROM target t JOIN inserted i ON i.conversation_id = t.id)
        AND v.last_seen_at < %s
)
SELECT {BATCHED_CONVERSATION_COLUMNS}, i.id, i.seq, i.client_id
FROM inserted i
JOIN target t ON t.id = i.conversation_id
JOIN chat_site s ON s.id = t.site_id
JOIN chat_visitor v ON v.id = t.visitor_id
ORDER BY i.conversation_id, i.seq
"""  # noqa: S608


@cache
def lock_batch_sql(rows: int) -> str:
    """SQLite: the conversations a batch goes into (site and visitor loaded), each with whether its
    visitor's sends go one by one. The write transaction locks the whole database (no row locks)."""
    start = BATCH_ASIDE_SQL.format(
        sent_source=sql.rows_source(["integer", "uuid", "text", "text"], rows),
        conversation_columns=sql.columns(Conversation, "c"),
        client_id_probe=CLIENT_ID_PROBE_SQLITE,
        lock="",
    )
    return f"""{start}
SELECT {sql.columns(Conversation, "t")}, {sql.columns(Site, "s")}, {sql.columns(Visitor, "v")},
    t.visitor_id IN (SELECT visitor_id FROM aside)
FROM target t
JOIN chat_site s ON s.id = t.site_id
JOIN chat_visitor v ON v.id = t.visitor_id
"""  # noqa: S608


@cache
def insert_visitor_messages_sql(rows: int) -> str:
    """SQLite: insert a batch's messages in one statement, returning each one's id, conversation, seq and
    client_id."""
    source = sql.rows_source(["uuid", "integer", "text", "text", "text", "timestamptz"], rows)
    return f"""
INSERT INTO chat_message (conversation_id, seq, author, body, client_id, created_at)
SELECT u.column1, u.column2, u.column3, u.column4, u.column5, u.column6 FROM {source}
RETURNING id, conversation_id, seq, client_id
"""  # noqa: S608


@cache
def update_conversations_sql(rows: int) -> str:
    """SQLite: move each conversation of a batch on to its last new message, in one statement."""
    source = sql.rows_source(["uuid", "integer", "bigint", "timestamptz"], rows)
    return f"""
UPDATE chat_conversation SET last_seq = u.column2, last_message_id = u.column3, updated_at = u.column4
FROM {source}
WHERE chat_conversation.id = u.column1
"""  # noqa: S608
