"""A big inbox on PostgreSQL, seeded in a few statements: N conversations of M messages each.

Every row is built by `generate_series` inside PostgreSQL (no row crosses the wire), the search index is
built once after the messages are in, and the tables are vacuumed and analysed, as a long-lived database's
would be. A bench fixture, never a test.
"""

import time

import psycopg

from bench.common import log
from server.conversations.search_index import POSTGRES_INDEXES

# Words the message bodies are drawn from; "refund" is in about one message in 40 (a common word), and
# each conversation's first message carries an order number of its own (a rare one).
WORDS = [
    "hello",
    "hi",
    "thanks",
    "please",
    "order",
    "parcel",
    "delivery",
    "shipping",
    "size",
    "colour",
    "return",
    "exchange",
    "invoice",
    "payment",
    "card",
    "paypal",
    "coupon",
    "discount",
    "account",
    "password",
    "email",
    "address",
    "tracking",
    "late",
    "damaged",
    "missing",
    "wrong",
    "cancel",
    "change",
    "question",
    "help",
    "stock",
    "available",
    "today",
    "tomorrow",
    "week",
    "store",
    "warranty",
    "broken",
    "replace",
    "refund",
]

DROP_SEARCH_INDEX = "DROP INDEX IF EXISTS message_body_search"
CREATE_SEARCH_INDEX = POSTGRES_INDEXES["message_body_search"]

SEED_SQL = (
    """
INSERT INTO chat_visitor (id, site_id, name, email, first_seen_at, last_seen_at, last_page_url, user_agent)
SELECT md5('v' || i)::uuid, %(site)s,
       CASE WHEN i %% 3 = 0 THEN 'Customer ' || i ELSE '' END,
       CASE WHEN i %% 4 = 0 THEN 'customer' || i || '@example.com' ELSE '' END,
       now() - make_interval(secs => (%(n)s - i) * 30), now() - make_interval(secs => (%(n)s - i) * 30),
       'https://shop.example/products/item-' || (i %% 500), 'bench'
FROM generate_series(1, %(n)s) AS i
""",
    """
-- One conversation in five open; of those, a third unassigned, a third the agent's, a third a colleague's.
INSERT INTO chat_conversation (id, site_id, visitor_id, status, assignee_id, last_seq, created_at, updated_at)
SELECT md5('c' || i)::uuid, %(site)s, md5('v' || i)::uuid,
       CASE WHEN i %% 5 = 0 THEN 'open' ELSE 'resolved' END,
       CASE WHEN i %% 5 <> 0 OR i %% 3 = 0 THEN NULL WHEN i %% 3 = 1 THEN %(agent)s ELSE %(colleague)s END,
       %(m)s,
       now() - make_interval(secs => (%(n)s - i) * 30),
       now() - make_interval(secs => (%(n)s - i) * 30 - %(m)s * 20)
FROM generate_series(1, %(n)s) AS i
""",
    """
INSERT INTO chat_message (conversation_id, seq, author, agent_id, body, client_id, created_at)
SELECT md5('c' || i)::uuid, s,
       CASE WHEN s %% 2 = 1 THEN 'visitor' ELSE 'agent' END,
       CASE WHEN s %% 2 = 1 THEN NULL ELSE %(agent)s END,
       CASE WHEN s = 1 THEN 'Hello, about order Q' || i || ': ' ELSE '' END
       || (%(words)s::text[])[1 + (i * 7 + s * 13) %% %(count)s] || ' '
       || (%(words)s::text[])[1 + (i * 11 + s * 3) %% %(count)s] || ' '
       || (%(words)s::text[])[1 + (i * 5 + s * 17) %% %(count)s] || ' '
       || (%(words)s::text[])[1 + (i * 13 + s * 7) %% %(count)s] || ' '
       || (%(words)s::text[])[1 + (i + s * 19) %% %(count)s] || '.',
       NULL,
       now() - make_interval(secs => (%(n)s - i) * 30 - s * 20)
FROM generate_series(1, %(n)s) AS i, generate_series(1, %(m)s) AS s
""",
    """
UPDATE chat_conversation AS c SET last_message_id = m.id
FROM chat_message AS m
WHERE m.conversation_id = c.id AND m.seq = c.last_seq AND c.site_id = %(site)s
""",
)


def seed(
    *, url: str, site_id: int, agent_id: int, colleague_id: int, conversations: int, messages: int
) -> float:
    """Add `conversations` conversations of `messages` messages to a site; return the seconds it took."""
    started = time.monotonic()
    with psycopg.connect(url, autocommit=True) as connection:
        connection.execute(DROP_SEARCH_INDEX)
        values = {
            "site": site_id,
            "agent": agent_id,
            "colleague": colleague_id,
            "n": conversations,
            "m": messages,
            "words": WORDS,
            "count": len(WORDS),
        }
        with connection.transaction():
            for statement in SEED_SQL:
                connection.execute(statement, values)
        log(f"seeded {conversations} conversations, {conversations * messages} messages; indexing")
        connection.execute(CREATE_SEARCH_INDEX)
        connection.execute("VACUUM ANALYZE")
    return time.monotonic() - started
