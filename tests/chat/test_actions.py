"""Actions called directly: validation of site settings, seq allocation and idempotency."""

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
from django.db import connection, connections, transaction
from django.utils import timezone

from server.chat import actions, gateway, loop_db
from server.chat.actions import (
    PostedMessage,
    VisitorSend,
    check_allowed_origins,
    check_widget_color,
    do_create_site,
    do_post_agent_message,
    do_post_visitor_message,
    do_post_visitor_messages,
    do_post_visitor_messages_on_loop,
    do_start_visitor_session,
)
from server.chat.errors import ParleyError
from server.chat.groups import site_agents_group, visitor_group
from server.chat.models import Conversation, Message, Visitor

pytestmark = pytest.mark.django_db(transaction=True)


def test_origins_are_normalised_and_deduplicated():
    """Origins lose trailing slashes and case in the host, and duplicates go."""
    assert check_allowed_origins(origins=["https://Shop.Example.com/", "https://shop.example.com", " "]) == [
        "https://shop.example.com"
    ]


@pytest.mark.parametrize(
    "origin", ["shop.example.com", "ftp://x.test", "https://x.test/path", "https://u:p@x.test"]
)
def test_malformed_origins_are_refused(origin):
    """Anything but scheme://host[:port] is refused."""
    with pytest.raises(ParleyError) as raised:
        check_allowed_origins(origins=[origin])
    assert raised.value.code == "invalid_field"


@pytest.mark.parametrize("color", ["red", "#fff", "#12345g", "#123456;}"])
def test_widget_colour_must_be_hex(color):
    """The colour ends up in CSS, so only #rrggbb passes."""
    with pytest.raises(ParleyError):
        check_widget_color(color=color)


def test_seq_strictly_increases_across_authors(site_acme, visitor_alice, agent_bob):
    """Visitor and agent messages share one gapless seq per conversation."""
    visitor_id = uuid.UUID(visitor_alice.visitor_id)
    first = do_post_visitor_message(visitor_id=visitor_id, client_id="v1", body="one")
    second = do_post_agent_message(agent=agent_bob, conversation_id=first.conversation_id, body="two")
    third = do_post_visitor_message(visitor_id=visitor_id, client_id="v2", body="three")
    assert [first.message["seq"], second.message["seq"], third.message["seq"]] == [1, 2, 3]
    assert Conversation.objects.get().last_seq == 3


def test_a_visitor_keeps_one_open_conversation(visitor_alice):
    """Later messages go to the same open conversation."""
    visitor_id = uuid.UUID(visitor_alice.visitor_id)
    for index in range(3):
        do_post_visitor_message(visitor_id=visitor_id, client_id=f"c{index}", body="x")
    assert Conversation.objects.count() == 1


def test_a_message_after_resolution_starts_a_new_conversation(visitor_alice):
    """Once resolved, the next message opens a new conversation."""
    visitor_id = uuid.UUID(visitor_alice.visitor_id)
    first = do_post_visitor_message(visitor_id=visitor_id, client_id="c1", body="x")
    Conversation.objects.filter(pk=first.conversation_id).update(status=Conversation.Status.RESOLVED)
    second = do_post_visitor_message(visitor_id=visitor_id, client_id="c2", body="y")
    assert second.conversation_id != first.conversation_id
    assert second.message["seq"] == 1


def test_a_retry_is_found_in_an_older_conversation(visitor_alice):
    """A client_id retried after its conversation was resolved is acknowledged, not stored again."""
    visitor_id = uuid.UUID(visitor_alice.visitor_id)
    first = do_post_visitor_message(visitor_id=visitor_id, client_id="c1", body="x")
    Conversation.objects.filter(pk=first.conversation_id).update(status=Conversation.Status.RESOLVED)
    do_post_visitor_message(visitor_id=visitor_id, client_id="c2", body="y")
    again = do_post_visitor_message(visitor_id=visitor_id, client_id="c1", body="x")
    assert (again.created, again.message["id"]) == (False, first.message["id"])
    assert Message.objects.count() == 2


@pytest.mark.parametrize("post", ["visitor", "agent"])
def test_a_retry_racing_its_original_is_answered_as_a_retry(post, visitor_alice, agent_bob, monkeypatch):
    """When the retry check misses a concurrent send of the same client_id, the rerun answers as a retry."""
    visitor_id = uuid.UUID(visitor_alice.visitor_id)
    opened = do_post_visitor_message(visitor_id=visitor_id, client_id="c0", body="hi")

    def send() -> actions.PostedMessage:
        if post == "visitor":
            return do_post_visitor_message(visitor_id=visitor_id, client_id="same", body="x")
        return do_post_agent_message(
            agent=agent_bob, conversation_id=opened.conversation_id, client_id="same", body="x"
        )

    original = send()
    # The first attempt's retry check sees nothing, as a send racing its original's commit would.
    calls = []
    lock_name = "_lock_open_conversation" if post == "visitor" else "_lock_agent_conversation"
    real_lock = getattr(actions, lock_name)

    def blind_lock(**kwargs):
        calls.append(kwargs)
        conversation, retried = real_lock(**kwargs)
        return conversation, retried and len(calls) > 1

    monkeypatch.setattr(actions, lock_name, blind_lock)
    again = send()
    assert len(calls) == 2
    assert (again.created, again.message["id"]) == (False, original.message["id"])
    assert Message.objects.filter(client_id="same").count() == 1


def test_a_visitor_is_touched_at_most_once_a_minute_by_its_messages(visitor_alice):
    """Sending refreshes last_seen_at only when it is older than a minute (no write per message)."""
    visitor_id = uuid.UUID(visitor_alice.visitor_id)
    do_post_visitor_message(visitor_id=visitor_id, client_id="c0", body="hi")
    long_ago = timezone.now() - timedelta(minutes=5)
    Visitor.objects.filter(pk=visitor_id).update(last_seen_at=long_ago)
    do_post_visitor_message(visitor_id=visitor_id, client_id="c1", body="x")
    touched = Visitor.objects.get(pk=visitor_id).last_seen_at
    assert touched > long_ago
    do_post_visitor_message(visitor_id=visitor_id, client_id="c2", body="y")
    assert Visitor.objects.get(pk=visitor_id).last_seen_at == touched


def test_an_agent_cannot_post_to_another_sites_conversation(visitor_alice, agent_eve):
    """A non-member gets not_found and nothing is stored."""
    posted = do_post_visitor_message(visitor_id=uuid.UUID(visitor_alice.visitor_id), client_id="c1", body="x")
    with pytest.raises(ParleyError) as raised:
        do_post_agent_message(agent=agent_eve, conversation_id=posted.conversation_id, body="hijack")
    assert raised.value.code == "not_found"
    assert Message.objects.count() == 1


def test_create_site_refuses_a_bad_position(db):
    """The widget position is right or left."""
    with pytest.raises(ParleyError):
        do_create_site(name="X", allowed_origins=[], position="top")


def test_history_pages_are_capped_by_bytes_and_say_more_follows(visitor_alice, settings):
    """A page stops before PARLEY_HISTORY_MAX_BYTES (always at least one message) and sets has_more."""
    from server.chat.selectors import messages_after

    settings.PARLEY_HISTORY_MAX_BYTES = 2700  # each message counts its body plus 300 bytes
    visitor_id = uuid.UUID(visitor_alice.visitor_id)
    for index in range(5):
        posted = do_post_visitor_message(visitor_id=visitor_id, client_id=f"c{index}", body="x" * 1000)
    page, has_more = messages_after(conversation_id=posted.conversation_id, after_seq=0)
    assert [message["seq"] for message in page] == [1, 2]
    assert has_more
    settings.PARLEY_HISTORY_MAX_BYTES = 10
    page, has_more = messages_after(conversation_id=posted.conversation_id, after_seq=4)
    assert [message["seq"] for message in page] == [5]
    assert not has_more


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("allowed_origins", "shop.example.com"),
        ("allowed_origins", "https://x.test/path"),
        ("widget_color", "red;}"),
    ],
)
def test_the_admin_refuses_bad_site_settings(field, value):
    """The admin's site form runs the same checks: no path in an origin, no CSS in a colour."""
    from server.chat.admin import SiteForm

    data = {
        "name": "X",
        "allowed_origins": "https://ok.test",
        "widget_color": "#123456",
        "widget_greeting": "Hi",
        "widget_position": "right",
        field: value,
    }
    form = SiteForm(data=data)
    assert not form.is_valid()
    assert field in form.errors


def test_the_admin_normalises_origins():
    """Origins entered in the admin are stored normalised, one per line."""
    from server.chat.admin import SiteForm

    form = SiteForm(
        data={
            "name": "X",
            "allowed_origins": "https://Shop.Test/\n\nhttps://shop.test",
            "widget_color": "#ABCDEF",
            "widget_greeting": "Hi",
            "widget_position": "left",
        }
    )
    assert form.is_valid(), form.errors
    assert form.cleaned_data["allowed_origins"] == "https://shop.test"
    assert form.cleaned_data["widget_color"] == "#abcdef"


# --- Batches of visitor messages ---------------------------------------------------------------------------


def visitor_send(visitor, client_id: str, body: str = "x") -> VisitorSend:
    """A send of one of the named visitors, as a batch carries it."""
    return VisitorSend(visitor_id=uuid.UUID(visitor.visitor_id), client_id=client_id, body=body)


@pytest.fixture(params=["database thread", "event loop"])
def post_batch(request) -> Callable[[list[VisitorSend]], list[Any]]:
    """Post a batch the way a process would: on the database thread (do_post_visitor_messages) or, on
    PostgreSQL, with its statement on the event loop (do_post_visitor_messages_on_loop)."""
    if request.param == "database thread":
        return lambda sends: list(do_post_visitor_messages(sends=sends))
    if connection.vendor != "postgresql":
        pytest.skip("statements run on the event loop on PostgreSQL only (test_postgres.py runs this)")

    async def on_loop(sends: list[VisitorSend]) -> list[Any]:
        try:
            return list(await do_post_visitor_messages_on_loop(sends=sends))
        finally:
            # Both connections close, or the test database could not be dropped at the end.
            await loop_db.close()
            await database_sync_to_async(lambda: connections["default"].close())()

    return lambda sends: asyncio.run(on_loop(sends))


def published_frames(monkeypatch) -> list[tuple[str, dict[str, Any]]]:
    """Collect (group, frame) of every event the gateway sends (on commit, or committed on the loop)."""
    frames: list[tuple[str, dict[str, Any]]] = []

    def publish_event(event):
        group, message = event
        transaction.on_commit(lambda: frames.append((group, json.loads(message["text"]))))

    async def send_committed(events):
        frames.extend((group, json.loads(message["text"])) for group, message in events)

    monkeypatch.setattr(gateway, "publish_event", publish_event)
    monkeypatch.setattr(gateway, "send_committed", send_committed)
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
    assert [(r.message["body"], r.message["seq"]) for r in results] == [("one", 2), ("uno", 2), ("two", 3)]
    alice_conversation = Conversation.objects.get(visitor_id=visitor_alice.visitor_id)
    assert alice_conversation.last_seq == 3
    assert alice_conversation.last_message_id == results[2].message["id"]
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
    assert [(r.created, r.message["seq"]) for r in results] == [(True, 1), (False, 1), (True, 2)]
    assert results[1].message["id"] == original.message["id"]
    assert Conversation.objects.filter(visitor_id=visitor_carol.visitor_id).count() == 1
    assert Message.objects.filter(client_id="a0").count() == 1


def test_a_client_id_twice_in_one_batch_is_stored_once(visitor_alice, post_batch):
    """The second send of a client_id in the same batch is answered as a retry of the first."""
    do_post_visitor_message(visitor_id=uuid.UUID(visitor_alice.visitor_id), client_id="a0", body="hi")
    first, second = post_batch([visitor_send(visitor_alice, "same"), visitor_send(visitor_alice, "same")])
    assert (first.created, second.created) == (True, False)
    assert first.message["id"] == second.message["id"]
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
    assert (stored.message["body"], stored.message["seq"]) == ("ok", 2)
    assert Message.objects.filter(conversation_id=stored.conversation_id).count() == 2


def test_a_visitor_session_drops_what_cannot_be_stored(site_acme):
    """An unstorable page_url (a lone surrogate) is dropped and NUL is taken out of the user agent: the
    session still starts, on PostgreSQL too."""
    session = do_start_visitor_session(
        site=site_acme,
        visitor_token=None,
        page_url="https://shop.acme.test/\ud800",
        user_agent="Mozilla\x00/5.0",
    )
    visitor = Visitor.objects.get(pk=session.visitor_id)
    assert (visitor.last_page_url, visitor.user_agent) == ("", "Mozilla/5.0")


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
    for name in ("_batch_in_one_statement_sql", "_update_conversations_sql"):
        real = getattr(actions, name)
        monkeypatch.setattr(
            actions, name, lambda rows, real=real: real(rows).replace("SET last_seq", "SET no_such_column")
        )
    results = post_batch([visitor_send(visitor_alice, "a1"), visitor_send(visitor_carol, "c1")])
    assert [(r.created, r.message["seq"]) for r in results] == [(True, 2), (True, 2)]
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
        pytest.skip("statements run on the event loop on PostgreSQL only (test_postgres.py runs this)")
    do_post_visitor_message(visitor_id=uuid.UUID(visitor_alice.visitor_id), client_id="a0", body="hi")

    def drop_loop_connection(pid: int) -> None:
        with connections["default"].cursor() as cursor:
            cursor.execute("SELECT pg_terminate_backend(%s)", [pid])

    async def scenario() -> list[Any]:
        try:
            first = await do_post_visitor_messages_on_loop(sends=[visitor_send(visitor_alice, "a1")])
            async with loop_db.connection() as loop_connection:
                pid = loop_connection.info.backend_pid
            await database_sync_to_async(drop_loop_connection)(pid)
            second = await do_post_visitor_messages_on_loop(sends=[visitor_send(visitor_alice, "a2")])
            third = await do_post_visitor_messages_on_loop(sends=[visitor_send(visitor_alice, "a3")])
            async with loop_db.connection() as loop_connection:
                assert loop_connection.info.backend_pid != pid
            return [*first, *second, *third]
        finally:
            await loop_db.close()
            await database_sync_to_async(lambda: connections["default"].close())()

    results = asyncio.run(scenario())
    assert [(r.created, r.message["seq"]) for r in results] == [(True, 2), (True, 3), (True, 4)]
    assert Message.objects.filter(conversation__visitor_id=visitor_alice.visitor_id).count() == 4


def test_the_loop_statement_probes_client_ids_by_index_whatever_the_statistics(visitor_alice):
    """The batch statement's generic plan on the loop's connection, made from a near-empty table's
    statistics, looks a client_id up by conversation and client_id and never scans chat_message."""
    if connection.vendor != "postgresql":
        pytest.skip("statements run on the event loop on PostgreSQL only (test_postgres.py runs this)")
    do_post_visitor_message(visitor_id=uuid.UUID(visitor_alice.visitor_id), client_id="a0", body="hi")
    with connection.cursor() as cursor:
        # Statistics of one message: a sequential scan of chat_message looks cheapest.
        cursor.execute("ANALYZE")
    statement, params, _ = actions._batch_in_one_statement(sends=[(0, visitor_send(visitor_alice, "a1"))])
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
