"""Queries per hot-path operation stay within a budget (each one is paid per message or per socket)."""

import uuid
from collections.abc import Callable

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from server.chat.actions import (
    check_site_origin,
    do_accept_visitor_hello,
    do_post_agent_message,
    do_post_visitor_message,
)
from server.chat.selectors import visitor_ready_frame
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


def test_hello_and_ready_cost_three_queries(visitor_alice):
    """hello: update the visitor, find its conversation; ready: read its messages."""
    do_post_visitor_message(visitor_id=uuid.UUID(visitor_alice.visitor_id), client_id="c0", body="hi")

    def hello_then_ready() -> None:
        presence = do_accept_visitor_hello(
            site_id=visitor_alice.site.pk, token=visitor_alice.token, page_url=""
        )
        visitor_ready_frame(visitor_id=presence.visitor_id, conversation=presence.conversation, last_seq=0)

    assert count_queries(hello_then_ready) <= 3


def test_a_visitor_message_costs_at_most_six_queries(visitor_alice):
    """Lock visitor, retry check, lock conversation, insert, update conversation, touch visitor."""
    visitor_id = uuid.UUID(visitor_alice.visitor_id)
    do_post_visitor_message(visitor_id=visitor_id, client_id="c0", body="first")
    assert (
        count_queries(lambda: do_post_visitor_message(visitor_id=visitor_id, client_id="c1", body="x")) <= 6
    )


def test_an_agent_message_costs_at_most_five_queries(visitor_alice, agent_bob):
    """Lock conversation with permission and summary, retry check, insert, update, raise read mark."""
    visitor_id = uuid.UUID(visitor_alice.visitor_id)
    conversation_id = do_post_visitor_message(
        visitor_id=visitor_id, client_id="c0", body="hi"
    ).conversation_id
    do_post_agent_message(agent=agent_bob, conversation_id=conversation_id, client_id="a0", body="first")

    def reply() -> None:
        do_post_agent_message(agent=agent_bob, conversation_id=conversation_id, client_id="a1", body="hello")

    assert count_queries(reply) <= 5
