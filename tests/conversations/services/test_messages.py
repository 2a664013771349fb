"""Message services called directly: seq allocation, idempotency and permissions."""

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from unittest import mock

import pytest
from django.utils import timezone

from server.conversations import events
from server.conversations.models import Conversation, Message, Visitor
from server.conversations.services import message_rows
from server.conversations.services.messages import (
    PostedMessage,
    do_post_agent_message,
    do_post_visitor_message,
)
from server.errors import ParleyError

pytestmark = pytest.mark.django_db(transaction=True)


def test_seq_strictly_increases_across_authors(site_acme, visitor_alice, agent_bob):
    """Visitor and agent messages share one gapless seq per conversation."""
    visitor_id = uuid.UUID(visitor_alice.visitor_id)
    first = do_post_visitor_message(visitor_id=visitor_id, client_id="v1", body="one")
    second = do_post_agent_message(agent=agent_bob, conversation_id=first.conversation_id, body="two")
    third = do_post_visitor_message(visitor_id=visitor_id, client_id="v2", body="three")
    assert [first.message.seq, second.message.seq, third.message.seq] == [1, 2, 3]
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
    assert second.message.seq == 1


def test_a_retry_is_found_in_an_older_conversation(visitor_alice):
    """A client_id retried after its conversation was resolved is acknowledged, not stored again."""
    visitor_id = uuid.UUID(visitor_alice.visitor_id)
    first = do_post_visitor_message(visitor_id=visitor_id, client_id="c1", body="x")
    Conversation.objects.filter(pk=first.conversation_id).update(status=Conversation.Status.RESOLVED)
    do_post_visitor_message(visitor_id=visitor_id, client_id="c2", body="y")
    again = do_post_visitor_message(visitor_id=visitor_id, client_id="c1", body="x")
    assert (again.created, again.message.id) == (False, first.message.id)
    assert Message.objects.count() == 2


@pytest.mark.parametrize("post", ["visitor", "agent"])
def test_a_retry_racing_its_original_is_answered_as_a_retry(post, visitor_alice, agent_bob, monkeypatch):
    """When the retry check misses a concurrent send of the same client_id, the rerun answers as a retry."""
    visitor_id = uuid.UUID(visitor_alice.visitor_id)
    opened = do_post_visitor_message(visitor_id=visitor_id, client_id="c0", body="hi")

    def send() -> PostedMessage:
        if post == "visitor":
            return do_post_visitor_message(visitor_id=visitor_id, client_id="same", body="x")
        return do_post_agent_message(
            agent=agent_bob, conversation_id=opened.conversation_id, client_id="same", body="x"
        )

    original = send()
    # The first attempt's retry check sees nothing, as a send racing its original's commit would.
    calls = []
    lock_name = "_lock_open_conversation" if post == "visitor" else "_lock_agent_conversation"
    real_lock = getattr(message_rows, lock_name)

    def blind_lock(**kwargs):
        calls.append(kwargs)
        conversation, retried = real_lock(**kwargs)
        return conversation, retried and len(calls) > 1

    monkeypatch.setattr(message_rows, lock_name, blind_lock)
    again = send()
    assert len(calls) == 2
    assert (again.created, again.message.id) == (False, original.message.id)
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


def _resolve(conversation_id: uuid.UUID, *, ago: timedelta) -> None:
    """Mark a conversation resolved `ago` (as a resolve that long ago would have left it)."""
    Conversation.objects.filter(pk=conversation_id).update(
        status=Conversation.Status.RESOLVED, resolved_at=timezone.now() - ago
    )


def test_a_message_within_the_reopen_window_reopens_the_conversation(visitor_alice, settings):
    """A message within PARLEY_REOPEN_WINDOW of a resolve reopens it: a `reopened` line, then the message."""
    settings.PARLEY_REOPEN_WINDOW = 3600
    visitor_id = uuid.UUID(visitor_alice.visitor_id)
    first = do_post_visitor_message(visitor_id=visitor_id, client_id="c1", body="x")
    _resolve(first.conversation_id, ago=timedelta(minutes=59))
    second = do_post_visitor_message(visitor_id=visitor_id, client_id="c2", body="back again")
    assert (second.conversation_id, second.message.seq) == (first.conversation_id, 3)
    line = Message.objects.get(seq=2)
    assert (line.author, line.agent_id, line.event) == ("system", None, "reopened")
    conversation = Conversation.objects.get()
    assert (conversation.status, conversation.resolved_at, conversation.last_seq) == ("open", None, 3)


def test_a_message_after_the_reopen_window_starts_a_conversation_naming_the_last(visitor_alice, settings):
    """Past the window the visitor's message starts a new conversation, whose start names the one before."""
    settings.PARLEY_REOPEN_WINDOW = 3600
    visitor_id = uuid.UUID(visitor_alice.visitor_id)
    first = do_post_visitor_message(visitor_id=visitor_id, client_id="c1", body="x")
    _resolve(first.conversation_id, ago=timedelta(minutes=61))
    published: list[events.Event] = []
    with _collect(published):
        second = do_post_visitor_message(visitor_id=visitor_id, client_id="c2", body="y")
    assert second.conversation_id != first.conversation_id
    assert second.message.seq == 1
    (stored,) = published
    assert isinstance(stored, events.MessageStored)
    assert (stored.started, stored.previous_id) == (True, first.conversation_id)
    assert Conversation.objects.get(pk=first.conversation_id).status == Conversation.Status.RESOLVED


def test_an_agents_reply_to_a_resolved_conversation_reopens_it_first(visitor_alice, agent_bob):
    """The reply reaches the visitor like any other: a `reopened` line by the agent, then the reply."""
    visitor_id = uuid.UUID(visitor_alice.visitor_id)
    first = do_post_visitor_message(visitor_id=visitor_id, client_id="c1", body="x")
    _resolve(first.conversation_id, ago=timedelta(days=30))
    reply = do_post_agent_message(agent=agent_bob, conversation_id=first.conversation_id, body="Still there?")
    assert reply.message.seq == 3
    assert list(Message.objects.values_list("seq", "author", "agent_id", "event")) == [
        (1, "visitor", None, ""),
        (2, "system", agent_bob.pk, "reopened"),
        (3, "agent", agent_bob.pk, ""),
    ]
    assert Conversation.objects.get().status == Conversation.Status.OPEN


def test_an_agents_reply_to_a_superseded_conversation_is_refused(visitor_alice, agent_bob):
    """A reply to a conversation the visitor left for a newer one is refused; a retry is still answered."""
    visitor_id = uuid.UUID(visitor_alice.visitor_id)
    first = do_post_visitor_message(visitor_id=visitor_id, client_id="c1", body="x")
    earlier = do_post_agent_message(
        agent=agent_bob, conversation_id=first.conversation_id, body="hi", client_id="r1"
    )
    _resolve(first.conversation_id, ago=timedelta(days=30))
    do_post_visitor_message(visitor_id=visitor_id, client_id="c2", body="new question")
    with pytest.raises(ParleyError) as refused:
        do_post_agent_message(
            agent=agent_bob, conversation_id=first.conversation_id, body="late", client_id="r2"
        )
    assert refused.value.code == "conversation_superseded"
    assert not Message.objects.filter(client_id="r2").exists()
    again = do_post_agent_message(
        agent=agent_bob, conversation_id=first.conversation_id, body="hi", client_id="r1"
    )
    assert (again.created, again.message.id) == (False, earlier.message.id)


@contextmanager
def _collect(published: list[events.Event]) -> Iterator[None]:
    """Keep the events handed over inside the block instead of publishing them."""
    with mock.patch.object(events, "publisher", return_value=published.extend):
        yield
