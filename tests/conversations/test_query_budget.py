"""Queries per hot-path operation stay within a budget (each one is paid per message or per socket)."""

import uuid
from collections.abc import Callable

import pytest
from asgiref.sync import async_to_sync
from django.db import connection
from django.test.utils import CaptureQueriesContext

from server.conversations.services.message_rows import post_visitor_send
from server.conversations.services.messages import (
    PostedMessage,
    VisitorSend,
    do_post_agent_message,
    do_post_visitor_message,
    do_post_visitor_messages,
    store_visitor_messages,
)
from server.conversations.services.visitors import do_accept_visitor_hello
from server.conversations.store import loop_db
from server.errors import ParleyError
from server.sites.services import check_site_origin
from tests.conftest import ACME_ORIGIN

pytestmark = pytest.mark.django_db(transaction=True)


def count_queries(operation: Callable[[], object]) -> int:
    """Run an operation and return how many SQL statements it issued (transaction control excluded)."""
    with CaptureQueriesContext(connection) as captured:
        operation()
    control = ("BEGIN", "COMMIT", "SAVEPOINT", "RELEASE", "ROLLBACK")
    return sum(1 for query in captured.captured_queries if not query["sql"].startswith(control))


def test_a_known_site_costs_no_query_per_handshake(site_acme):
    """After the first lookup, the origin check of a handshake is answered from the site cache."""
    check_site_origin(site_key=site_acme.public_key, origin=ACME_ORIGIN)
    assert count_queries(lambda: check_site_origin(site_key=site_acme.public_key, origin=ACME_ORIGIN)) == 0


def test_hello_costs_two_reads_and_no_write_for_a_recent_visitor(visitor_alice):
    """hello reads the visitor and its open conversation, then its messages; no write for a recent visitor."""
    visitor_id = uuid.UUID(visitor_alice.visitor_id)
    do_post_visitor_message(visitor_id=visitor_id, client_id="c0", body="hi")

    def hello() -> None:
        do_accept_visitor_hello(site_id=visitor_alice.site.pk, visitor_id=visitor_id, page_url="", last_seq=0)

    with CaptureQueriesContext(connection) as captured:
        hello()
    statements = [query["sql"] for query in captured.captured_queries]
    assert count_queries(hello) == 2
    assert not [sql for sql in statements if sql.startswith(("UPDATE", "INSERT"))]


def test_a_visitor_message_posted_on_its_own_costs_three_queries(visitor_alice):
    """A send a batch leaves aside: lock the open conversation with the retry check, insert, update it."""
    visitor_id = uuid.UUID(visitor_alice.visitor_id)
    do_post_visitor_message(visitor_id=visitor_id, client_id="c0", body="first")
    send = VisitorSend(visitor_id=visitor_id, client_id="c1", body="x")
    assert count_queries(lambda: post_visitor_send(send=send)) == 3


def test_a_visitor_message_costs_what_a_batch_costs(visitor_alice):
    """One message is a batch of one: one statement on PostgreSQL; lock, insert and update on SQLite."""
    visitor_id = uuid.UUID(visitor_alice.visitor_id)
    do_post_visitor_message(visitor_id=visitor_id, client_id="c0", body="first")
    expected = 1 if connection.vendor == "postgresql" else 3
    assert (
        count_queries(lambda: do_post_visitor_message(visitor_id=visitor_id, client_id="c1", body="x"))
        == expected
    )


@pytest.fixture
def sends(visitor_alice, visitor_carol) -> list[VisitorSend]:
    """Five sends of each of two visitors whose conversations are open: a batch of ten."""
    visitors = [uuid.UUID(visitor_alice.visitor_id), uuid.UUID(visitor_carol.visitor_id)]
    for visitor_id in visitors:
        do_post_visitor_message(visitor_id=visitor_id, client_id="c0", body="first")
    return [
        VisitorSend(visitor_id=visitor_id, client_id=f"c{number}", body="x")
        for number in range(1, 6)
        for visitor_id in visitors
    ]


def test_a_batch_of_visitor_messages_costs_one_query_on_postgresql_three_on_sqlite(sends):
    """Whatever its size, a batch is one statement on PostgreSQL; lock, insert and update on SQLite."""
    expected = 1 if connection.vendor == "postgresql" else 3
    assert count_queries(lambda: do_post_visitor_messages(sends=sends)) == expected


def test_a_batch_on_the_event_loop_costs_one_statement_there_and_no_django_query(sends):
    """Whatever its size, a batch sent on the loop is one statement on the loop's pool, none elsewhere."""
    if connection.vendor != "postgresql":
        pytest.skip("statements run on the event loop on PostgreSQL only (make test-postgres runs this)")

    async def on_loop() -> list[PostedMessage | ParleyError]:
        try:
            return list(await store_visitor_messages(sends=sends))
        finally:
            await loop_db.close()

    # async_to_sync, not asyncio.run: the database thread's calls then run on this thread, on `connection`.
    with loop_db.executed_statements() as on_the_loop, CaptureQueriesContext(connection) as django:
        results = async_to_sync(on_loop)()
    assert all(isinstance(result, PostedMessage) and result.created for result in results)
    assert len(on_the_loop) == 1
    assert django.captured_queries == []


def test_an_agent_message_costs_four_queries(visitor_alice, agent_bob):
    """Lock the conversation with permission, summary and retry check, insert, update, raise read mark."""
    visitor_id = uuid.UUID(visitor_alice.visitor_id)
    conversation_id = do_post_visitor_message(
        visitor_id=visitor_id, client_id="c0", body="hi"
    ).conversation_id
    do_post_agent_message(agent=agent_bob, conversation_id=conversation_id, client_id="a0", body="first")

    def reply() -> None:
        do_post_agent_message(agent=agent_bob, conversation_id=conversation_id, client_id="a1", body="hello")

    assert count_queries(reply) == 4
