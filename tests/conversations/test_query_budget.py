"""Queries per hot-path operation stay within a budget (each one is paid per message or per socket)."""

import uuid
from collections.abc import Callable

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from server.conversations.services.message_batches import VisitorSend, do_post_visitor_messages
from server.conversations.services.messages import do_post_agent_message, do_post_visitor_message
from server.conversations.services.visitors import do_accept_visitor_hello
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


def test_a_visitor_message_costs_three_queries(visitor_alice):
    """Lock the open conversation with the retry check, insert, update the conversation."""
    visitor_id = uuid.UUID(visitor_alice.visitor_id)
    do_post_visitor_message(visitor_id=visitor_id, client_id="c0", body="first")
    assert (
        count_queries(lambda: do_post_visitor_message(visitor_id=visitor_id, client_id="c1", body="x")) == 3
    )


def test_a_batch_of_visitor_messages_costs_one_query_on_postgresql_three_on_sqlite(
    visitor_alice, visitor_carol
):
    """Whatever its size, a batch is one statement on PostgreSQL; lock, insert and update on SQLite."""
    visitors = [uuid.UUID(visitor_alice.visitor_id), uuid.UUID(visitor_carol.visitor_id)]
    for visitor_id in visitors:
        do_post_visitor_message(visitor_id=visitor_id, client_id="c0", body="first")
    sends = [
        VisitorSend(visitor_id=visitor_id, client_id=f"c{number}", body="x")
        for number in range(1, 6)
        for visitor_id in visitors
    ]
    expected = 1 if connection.vendor == "postgresql" else 3
    assert count_queries(lambda: do_post_visitor_messages(sends=sends)) == expected


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
