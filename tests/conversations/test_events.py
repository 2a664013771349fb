"""Domain events reach the publisher PARLEY_EVENT_PUBLISHER names, after commit, a message's together."""

import uuid
from collections.abc import Sequence

import pytest
from django.db import transaction

from server.conversations import events
from server.conversations.services.conversations import send_notification
from server.conversations.services.messages import do_post_visitor_message

pytestmark = pytest.mark.django_db(transaction=True)

handed_over: list[list[events.Event]] = []


def collect(published: Sequence[events.Event]) -> None:
    """A publisher that keeps what it is handed."""
    handed_over.append(list(published))


@pytest.fixture
def collected(settings) -> list[list[events.Event]]:
    """What the publisher is handed while the test runs, one list per hand-over."""
    handed_over.clear()
    settings.PARLEY_EVENT_PUBLISHER = "tests.conversations.test_events.collect"
    return handed_over


def test_a_message_is_one_event_handed_over_after_commit(collected, visitor_alice):
    """A visitor's first message starts its conversation; both are said by one event, once committed."""
    visitor_id = uuid.UUID(visitor_alice.visitor_id)
    with transaction.atomic():
        first = do_post_visitor_message(visitor_id=visitor_id, client_id="c1", body="hi")
        assert collected == []
    second = do_post_visitor_message(visitor_id=visitor_id, client_id="c2", body="again")
    assert [[type(event) for event in batch] for batch in collected] == [[events.MessageStored]] * 2
    (started,), (following,) = collected
    assert isinstance(started, events.MessageStored)
    assert isinstance(following, events.MessageStored)
    assert (started.started, started.message.id) == (True, first.message.id)
    assert (following.started, following.message.id) == (False, second.message.id)


def test_a_rolled_back_write_is_never_handed_over(collected, visitor_alice):
    """Events of a transaction that rolls back are dropped with it."""

    def post_then_fail() -> None:
        with transaction.atomic():
            do_post_visitor_message(visitor_id=uuid.UUID(visitor_alice.visitor_id), client_id="c1", body="hi")
            raise RuntimeError

    with pytest.raises(RuntimeError):
        post_then_fail()
    assert collected == []


def test_events_held_together_are_handed_over_in_one_call(collected):
    """Inside events.together, what commits is handed over once, at the end, in order."""
    with events.together():
        send_notification(user_id=1, payload={"n": 1})
        send_notification(user_id=2, payload={"n": 2})
        assert collected == []
    assert collected == [[events.AgentNotified(1, {"n": 1}), events.AgentNotified(2, {"n": 2})]]
