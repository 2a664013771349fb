"""The search indexes: GIN expression indexes on PostgreSQL, FTS5 tables kept by triggers on SQLite."""

from typing import Any

import pytest
from django.db import connection

from server.conversations.search_index import ensure_search_index
from tests.conversations.selectors.test_search import say, search

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_index_is_put_back_after_it_was_dropped(agent_bob, visitor_alice):
    """Triggers a SQLite table rebuild dropped, or a dropped index: ensure_search_index restores them."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("DROP TRIGGER chat_message_fts_insert")
        else:
            cursor.execute("DROP INDEX message_body_search")
    conversation_id = say(visitor_alice, "kiwis")
    if connection.vendor == "sqlite":
        assert search(agent_bob, "kiwis").conversations == []
    ensure_search_index(connection)
    assert "message_body_search" in indexes() or connection.vendor == "sqlite"
    assert [c.pk for c in search(agent_bob, "kiwis").conversations] == [conversation_id]


def indexes() -> dict[str, Any]:
    """The names of chat_message's indexes."""
    with connection.cursor() as cursor:
        constraints: dict[str, Any] = connection.introspection.get_constraints(cursor, "chat_message")
    return constraints
