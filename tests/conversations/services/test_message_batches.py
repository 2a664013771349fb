"""Batches of visitor messages: stored together, announced after commit, each send answered alone."""

import asyncio
import json
import re
import uuid
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import psycopg
import pytest
from channels.db import database_sync_to_async
from django.db import connection, connections
from django.utils import timezone

from server.conversations import events
from server.conversations.models import Conversation, Message, Visitor
from server.conversations.services import message_batches
from server.conversations.services.messages import (
    PostedMessage,
    VisitorSend,
    do_post_agent_message,
    do_post_visitor_message,
    do_post_visitor_messages,
    store_visitor_messages,
)
from server.conversations.store import batches, loop_db
from server.errors import ParleyError
from server.realtime.gateway import layer_events
from server.realtime.groups import site_agents_group, visitor_group

pytestmark = pytest.mark.django_db(transaction=True)


def visitor_send(visitor, client_id: str, body: str = "x") -> VisitorSend:
    """A send of one of the named visitors, as a batch carries it."""
    return VisitorSend(visitor_id=uuid.UUID(visitor.visitor_id), client_id=client_id, body=body)


@pytest.fixture(params=["database thread", "event loop"])
def post_batch(request) -> Callable[[list[VisitorSend]], list[Any]]:
    """Post a batch the way a process would: on the database thread (do_post_visitor_messages) or, on
    PostgreSQL, with its statement on the event loop (store_visitor_messages, loop_db enabled)."""
    if request.param == "database thread":
        return lambda sends: list(do_post_visitor_messages(sends=sends))
    if connection.vendor != "postgresql":
        pytest.skip("statements run on the event loop on PostgreSQL only (make test-postgres runs this)")
    assert loop_db.enabled()

    async def on_loop(sends: list[VisitorSend]) -> list[Any]:
        try:
            return list(await store_visitor_messages(sends=sends))
        finally:
            # Both connections close, or the test database could not be dropped at the end.
            await loop_db.close()
            await database_sync_to_async(lambda: connections["default"].close())()

    return lambda sends: asyncio.run(on_loop(sends))


def published_frames(monkeypatch) -> list[tuple[str, dict[str, Any]]]:
    """Collect (group, frame) of every event the gateway sends (on commit, or committed on the loop)."""
    frames: list[tuple[str, dict[str, Any]]] = []

    def publish(published: list[events.Event]) -> None:
        frames.extend((group, json.loads(message["text"])) for group, message in layer_events(published))

    monkeypatch.setattr(events, "publisher", lambda: publish)
    return frames


def test_a_batch_stores_each_visitors_messages_in_order(visitor_alice, visitor_carol, post_batch):
    """Sends of several visitors share one batch; each conversation's seqs stay gapless, in send order."""
    do_post_visitor_message(visitor_id=uuid.UUID(visitor_alice.visitor_id), client_id="a0", body="hi")
    do_post_visitor_message(visitor_id=uuid.UUID(visitor_carol.visitor_id), client_id="c0", body="hi")
    results = post_batch(
        [
            visitor_send(visitor_alice, "a1", "one"),
            visitor_send(visitor_carol, "c1", "uno"),
            visitor_send(visitor_alice, "a2", "two"),
        ]
    )
    assert all(isinstance(result, PostedMessage) and result.created for result in results)
    assert [(r.message.body, r.message.seq) for r in results] == [("one", 2), ("uno", 2), ("two", 3)]
    alice_conversation = Conversation.objects.get(visitor_id=visitor_alice.visitor_id)
    assert alice_conversation.last_seq == 3
    assert alice_conversation.last_message_id == results[2].message.id
    assert list(Message.objects.filter(conversation=alice_conversation).values_list("seq", "body")) == [
        (1, "hi"),
        (2, "one"),
        (3, "two"),
    ]
    assert Conversation.objects.get(visitor_id=visitor_carol.visitor_id).last_seq == 2


def test_a_batch_announces_each_message_after_commit_in_seq_order(visitor_alice, monkeypatch, post_batch):
    """Every batched message reaches the visitor's group and the site's agents, in seq order."""
    visitor_id = uuid.UUID(visitor_alice.visitor_id)
    do_post_visitor_message(visitor_id=visitor_id, client_id="a0", body="hi")
    frames = published_frames(monkeypatch)
    post_batch([visitor_send(visitor_alice, "a1"), visitor_send(visitor_alice, "a2")])
    visitor_frames = [frame for group, frame in frames if group == visitor_group(visitor_id)]
    inbox_rows = [frame for group, frame in frames if group == site_agents_group(visitor_alice.site.pk)]
    assert [frame["message"]["seq"] for frame in visitor_frames] == [2, 3]
    assert [row["conversation"]["last_seq"] for row in inbox_rows] == [2, 3]


def test_first_messages_and_retries_go_one_by_one(visitor_alice, visitor_carol, post_batch):
    """A visitor without an open conversation gets one; a retried client_id is answered, not stored twice."""
    alice_id = uuid.UUID(visitor_alice.visitor_id)
    original = do_post_visitor_message(visitor_id=alice_id, client_id="a0", body="hi")
    results = post_batch(
        [
            visitor_send(visitor_carol, "c0", "first"),
            visitor_send(visitor_alice, "a0", "hi"),
            visitor_send(visitor_alice, "a1", "next"),
        ]
    )
    assert [(r.created, r.message.seq) for r in results] == [(True, 1), (False, 1), (True, 2)]
    assert results[1].message.id == original.message.id
    assert Conversation.objects.filter(visitor_id=visitor_carol.visitor_id).count() == 1
    assert Message.objects.filter(client_id="a0").count() == 1


def test_a_client_id_twice_in_one_batch_is_stored_once(visitor_alice, post_batch):
    """The second send of a client_id in the same batch is answered as a retry of the first."""
    do_post_visitor_message(visitor_id=uuid.UUID(visitor_alice.visitor_id), client_id="a0", body="hi")
    first, second = post_batch([visitor_send(visitor_alice, "same"), visitor_send(visitor_alice, "same")])
    assert (first.created, second.created) == (True, False)
    assert first.message.id == second.message.id
    assert Message.objects.filter(client_id="same").count() == 1


def test_a_bad_send_fails_alone(visitor_alice, post_batch):
    """An empty, too long or unstorable body is refused for that send alone; the rest is stored."""
    do_post_visitor_message(visitor_id=uuid.UUID(visitor_alice.visitor_id), client_id="a0", body="hi")
    empty, stored, too_long, nul, surrogate = post_batch(
        [
            visitor_send(visitor_alice, "a1", "   "),
            visitor_send(visitor_alice, "a2", " ok "),
            visitor_send(visitor_alice, "a3", "x" * 5000),
            visitor_send(visitor_alice, "a4", "a\x00b"),
            visitor_send(visitor_alice, "a5", "\ud800"),
        ]
    )
    assert isinstance(empty, ParleyError)
    assert empty.code == "empty_body"
    assert isinstance(too_long, ParleyError)
    assert too_long.code == "body_too_long"
    assert isinstance(nul, ParleyError)
    assert isinstance(surrogate, ParleyError)
    assert (nul.code, surrogate.code) == ("invalid_field", "invalid_field")
    assert (stored.message.body, stored.message.seq) == ("ok", 2)
    assert Message.objects.filter(conversation_id=stored.conversation_id).count() == 2


def test_a_visitor_that_no_longer_exists_fails_alone(visitor_alice, visitor_carol, post_batch):
    """A send of a deleted visitor gets token_invalid; the others are stored."""
    do_post_visitor_message(visitor_id=uuid.UUID(visitor_alice.visitor_id), client_id="a0", body="hi")
    Visitor.objects.filter(pk=visitor_carol.visitor_id).delete()
    stored, gone = post_batch([visitor_send(visitor_alice, "a1"), visitor_send(visitor_carol, "c1")])
    assert stored.created
    assert isinstance(gone, ParleyError)
    assert gone.code == "token_invalid"


def test_a_failed_batch_is_posted_one_by_one_and_announced_once(
    visitor_alice, visitor_carol, monkeypatch, post_batch
):
    """When the batch's transaction fails, it stores and announces nothing; each send then goes alone."""
    do_post_visitor_message(visitor_id=uuid.UUID(visitor_alice.visitor_id), client_id="a0", body="hi")
    do_post_visitor_message(visitor_id=uuid.UUID(visitor_carol.visitor_id), client_id="c0", body="hi")
    frames = published_frames(monkeypatch)
    # The conversations' update fails after the messages were inserted: on PostgreSQL within the batch's
    # one statement, on SQLite as the second statement of its transaction.
    for name in ("batch_in_one_statement_sql", "update_conversations_sql"):
        real = getattr(batches, name)
        monkeypatch.setattr(
            batches, name, lambda rows, real=real: real(rows).replace("SET last_seq", "SET no_such_column")
        )
    results = post_batch([visitor_send(visitor_alice, "a1"), visitor_send(visitor_carol, "c1")])
    assert [(r.created, r.message.seq) for r in results] == [(True, 2), (True, 2)]
    assert Message.objects.count() == 4
    new_messages = [frame for _, frame in frames if frame["type"] == "message.new"]
    assert sorted(frame["message"]["client_id"] for frame in new_messages) == ["a1", "c1"]


def test_a_batch_moves_the_inbox_order_at_most_every_few_seconds(visitor_alice, post_batch):
    """updated_at (the inbox's order) is written back unchanged when recent, moved on when older."""
    visitor_id = uuid.UUID(visitor_alice.visitor_id)
    do_post_visitor_message(visitor_id=visitor_id, client_id="a0", body="hi")
    recent = Conversation.objects.get().updated_at
    post_batch([visitor_send(visitor_alice, "a1")])
    assert Conversation.objects.get().updated_at == recent
    long_ago = timezone.now() - timedelta(minutes=1)
    Conversation.objects.update(updated_at=long_ago)
    post_batch([visitor_send(visitor_alice, "a2")])
    assert Conversation.objects.get().updated_at > long_ago + timedelta(seconds=30)


def test_a_batch_touches_a_visitor_at_most_once_a_minute(visitor_alice, post_batch):
    """As a lone send does, a batch refreshes last_seen_at only when it is older than a minute."""
    visitor_id = uuid.UUID(visitor_alice.visitor_id)
    do_post_visitor_message(visitor_id=visitor_id, client_id="a0", body="hi")
    long_ago = timezone.now() - timedelta(minutes=5)
    Visitor.objects.filter(pk=visitor_id).update(last_seen_at=long_ago)
    post_batch([visitor_send(visitor_alice, "a1")])
    touched = Visitor.objects.get(pk=visitor_id).last_seen_at
    assert touched > long_ago
    post_batch([visitor_send(visitor_alice, "a2")])
    assert Visitor.objects.get(pk=visitor_id).last_seen_at == touched


def test_a_batch_whose_loop_connection_broke_is_posted_one_by_one_and_the_next_reconnects(visitor_alice):
    """After PostgreSQL drops the loop's connection, that batch goes one by one and the next reconnects."""
    if connection.vendor != "postgresql":
        pytest.skip("statements run on the event loop on PostgreSQL only (make test-postgres runs this)")
    do_post_visitor_message(visitor_id=uuid.UUID(visitor_alice.visitor_id), client_id="a0", body="hi")

    def drop_loop_connection(pid: int) -> None:
        with connections["default"].cursor() as cursor:
            cursor.execute("SELECT pg_terminate_backend(%s)", [pid])

    async def scenario() -> list[Any]:
        try:
            first = await store_visitor_messages(sends=[visitor_send(visitor_alice, "a1")])
            async with loop_db.connection() as loop_connection:
                pid = loop_connection.info.backend_pid
            await database_sync_to_async(drop_loop_connection)(pid)
            second = await store_visitor_messages(sends=[visitor_send(visitor_alice, "a2")])
            third = await store_visitor_messages(sends=[visitor_send(visitor_alice, "a3")])
            async with loop_db.connection() as loop_connection:
                assert loop_connection.info.backend_pid != pid
            return [*first, *second, *third]
        finally:
            await loop_db.close()
            await database_sync_to_async(lambda: connections["default"].close())()

    results = asyncio.run(scenario())
    assert [(r.created, r.message.seq) for r in results] == [(True, 2), (True, 3), (True, 4)]
    assert Message.objects.filter(conversation__visitor_id=visitor_alice.visitor_id).count() == 4


def test_the_loop_statement_probes_client_ids_by_index_whatever_the_statistics(visitor_alice):
    """The batch statement's generic plan on the loop's connection, made from a near-empty table's
    statistics, looks a client_id up by conversation and client_id and never scans chat_message."""
    if connection.vendor != "postgresql":
        pytest.skip("statements run on the event loop on PostgreSQL only (make test-postgres runs this)")
    do_post_visitor_message(visitor_id=uuid.UUID(visitor_alice.visitor_id), client_id="a0", body="hi")
    with connection.cursor() as cursor:
        # Statistics of one message: a sequential scan of chat_message looks cheapest.
        cursor.execute("ANALYZE")
    statement, params, _ = message_batches.batch_statement(sends=[(0, visitor_send(visitor_alice, "a1"))])
    numbered = statement.split("%s")
    prepared = "".join(part + f"${number}" for number, part in enumerate(numbered[:-1], 1)) + numbered[-1]

    async def generic_plan() -> str:
        try:
            async with loop_db.connection() as loop_connection:
                await loop_connection.execute("PREPARE batch AS " + prepared)
                await loop_connection.execute("SET plan_cache_mode = force_generic_plan")
                # Client-side binding: EXPLAIN EXECUTE takes its arguments as literals.
                cursor = psycopg.AsyncClientCursor(loop_connection)
                placeholders = ", ".join(["%s"] * len(params))
                await cursor.execute(f"EXPLAIN (COSTS OFF) EXECUTE batch({placeholders})", params)
                return "\n".join(row[0] for row in await cursor.fetchall())
        finally:
            await loop_db.close()

    plan = asyncio.run(generic_plan())
    assert "Seq Scan on chat_message" not in plan, plan
    probe = re.search(
        r"unique_message_client_id on chat_message m\n\s*Index Cond: "
        r"\(\(conversation_id = mc\.id\) AND \(client_id = s(_\d+)?\.client_id\)\)",
        plan,
    )
    assert probe is not None, plan


def test_a_batch_and_a_single_send_name_the_assignee_and_the_state_before(
    visitor_alice, agent_bob, monkeypatch, post_batch
):
    """The inbox rows of an assigned conversation carry the assignee's name and `previous` (unchanged)."""
    visitor_id = uuid.UUID(visitor_alice.visitor_id)
    first = do_post_visitor_message(visitor_id=visitor_id, client_id="a0", body="hi")
    Conversation.objects.filter(pk=first.conversation_id).update(assignee=agent_bob)
    frames = published_frames(monkeypatch)
    post_batch([visitor_send(visitor_alice, "a1")])
    do_post_visitor_message(visitor_id=visitor_id, client_id="a0", body="hi")  # a retry: one by one
    do_post_agent_message(agent=agent_bob, conversation_id=first.conversation_id, body="hello")
    inbox_rows = [frame for group, frame in frames if group == site_agents_group(visitor_alice.site.pk)]
    assert [row["conversation"]["last_seq"] for row in inbox_rows] == [2, 3]
    for row in inbox_rows:
        assert (row["conversation"]["assignee_id"], row["conversation"]["assignee_name"]) == (
            agent_bob.pk,
            "Bob",
        )
        assert row["previous"] == {"status": "open", "assignee_id": agent_bob.pk}
        assert row["conversation"]["resolved_at"] is None
