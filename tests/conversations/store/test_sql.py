"""The hand-written SQL of the hot paths returns exactly what the ORM would (run on PostgreSQL too)."""

import uuid
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.db import connection, transaction
from django.utils import timezone

from server.conversations.models import Conversation, Message, Visitor
from server.conversations.selectors.history import messages_after, visitor_visit
from server.conversations.selectors.inbox import summary_query
from server.conversations.services import message_rows
from server.conversations.services.messages import VisitorSend, do_post_agent_message, do_post_visitor_message
from server.conversations.services.visitors import do_accept_visitor_hello
from server.protocol.wire import conversation_summary, message_wire
from server.sites.services import do_add_site_member

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_visit_reads_the_visitor_and_its_latest_open_conversation(visitor_alice):
    """last_seen_at comes back as the ORM's aware datetime, the conversation as a UUID with its last seq."""
    visitor_id = uuid.UUID(visitor_alice.visitor_id)
    first = do_post_visitor_message(visitor_id=visitor_id, client_id="c1", body="one")
    Conversation.objects.filter(pk=first.conversation_id).update(status=Conversation.Status.RESOLVED)
    second = do_post_visitor_message(visitor_id=visitor_id, client_id="c2", body="two")
    do_post_visitor_message(visitor_id=visitor_id, client_id="c3", body="three")
    visit = visitor_visit(site_id=visitor_alice.site.pk, visitor_id=visitor_id)
    stored = Visitor.objects.get(pk=visitor_id)
    assert visit is not None
    assert (visit.last_seen_at, visit.last_page_url) == (stored.last_seen_at, stored.last_page_url)
    assert visit.last_seen_at.tzinfo is not None
    assert (visit.conversation_id, visit.conversation_last_seq) == (second.conversation_id, 2)


def test_a_visit_without_an_open_conversation_has_none(visitor_alice):
    """A new visitor has no conversation and last seq 0."""
    visit = visitor_visit(site_id=visitor_alice.site.pk, visitor_id=uuid.UUID(visitor_alice.visitor_id))
    assert visit is not None
    assert (visit.conversation_id, visit.conversation_last_seq) == (None, 0)


def test_a_visit_on_another_site_finds_nothing(visitor_alice, site_globex):
    """A visitor id is only found on its own site."""
    assert visitor_visit(site_id=site_globex.pk, visitor_id=uuid.UUID(visitor_alice.visitor_id)) is None


def test_messages_after_match_the_orm_for_every_kind_of_author(visitor_alice, agent_bob, site_acme):
    """Visitor and agent messages, agents without a first name or deleted, as message_wire has them."""
    visitor_id = uuid.UUID(visitor_alice.visitor_id)
    posted = do_post_visitor_message(visitor_id=visitor_id, client_id="c1", body="hi")
    conversation_id = posted.conversation_id
    do_post_agent_message(agent=agent_bob, conversation_id=conversation_id, body="Hello, I am Bob")
    carol = User.objects.create_user(username="carol@acme.test", password="carol-password-1")
    do_add_site_member(site=site_acme, user=carol)
    do_post_agent_message(agent=carol, conversation_id=conversation_id, client_id="k1", body="Carol here")
    dave = User.objects.create_user(username="dave", first_name="Dave", password="dave-password-1")
    do_add_site_member(site=site_acme, user=dave)
    do_post_agent_message(agent=dave, conversation_id=conversation_id, body="Dave, leaving")
    dave.delete()
    do_post_visitor_message(visitor_id=visitor_id, client_id="c2", body="ünïcode ✓")
    page, has_more = messages_after(conversation_id=conversation_id, after_seq=1)
    stored = Message.objects.select_related("agent").filter(conversation_id=conversation_id, seq__gt=1)
    expected = [message_wire(message) for message in stored]
    assert ([message_wire(message) for message in page], has_more) == (expected, False)
    assert [message_wire(message).author_name for message in page] == ["Bob", "carol", "Support", None]


def _fields(instance: Any) -> dict[str, Any]:
    """Every concrete field of a model instance, by attribute name."""
    return {field.attname: getattr(instance, field.attname) for field in type(instance)._meta.concrete_fields}


def test_the_send_lock_loads_the_conversation_its_site_and_visitor_as_the_orm_does(visitor_alice):
    """The locked conversation, its site and its visitor have every field as the ORM loads them."""
    visitor_id = uuid.UUID(visitor_alice.visitor_id)
    posted = do_post_visitor_message(visitor_id=visitor_id, client_id="c1", body="hi")
    with transaction.atomic():
        conversation, retried = message_rows._lock_open_conversation(visitor_id=visitor_id, client_id="c1")
    assert conversation is not None
    assert retried
    stored = Conversation.objects.select_related("site", "visitor").get(pk=posted.conversation_id)
    assert _fields(conversation) == _fields(stored)
    assert _fields(conversation.site) == _fields(stored.site)
    assert _fields(conversation.visitor) == _fields(stored.visitor)
    assert conversation.updated_at.tzinfo is not None


def test_a_stored_message_is_acknowledged_as_the_orm_reads_it_back(visitor_alice, agent_bob):
    """What a send acknowledges and broadcasts equals the stored row, for visitor and agent messages."""
    visitor_id = uuid.UUID(visitor_alice.visitor_id)
    posted = do_post_visitor_message(visitor_id=visitor_id, client_id="c1", body="ünïcode ✓")
    reply = do_post_agent_message(agent=agent_bob, conversation_id=posted.conversation_id, body="Hello")
    for sent in (posted, reply):
        stored = Message.objects.select_related("agent").get(pk=sent.message.id)
        assert message_wire(sent.message) == message_wire(stored)
    conversation = Conversation.objects.get(pk=posted.conversation_id)
    assert (conversation.last_seq, conversation.last_message_id) == (2, reply.message.id)


def test_a_conversations_stored_activity_moves_on_every_few_seconds_and_its_summary_is_exact(visitor_alice):
    """updated_at is written when INBOX_ORDER_RESOLUTION old; the inbox row shows the last message's time."""
    visitor_id = uuid.UUID(visitor_alice.visitor_id)
    posted = do_post_visitor_message(visitor_id=visitor_id, client_id="c1", body="one")
    started = Conversation.objects.get(pk=posted.conversation_id).updated_at
    do_post_visitor_message(visitor_id=visitor_id, client_id="c2", body="two")
    conversation = summary_query().get(pk=posted.conversation_id)
    # Within the resolution: the message changed only unindexed columns.
    assert conversation.updated_at == started
    assert conversation.last_message is not None
    summary = conversation_summary(conversation, last_read_seq=None)
    assert summary.updated_at == conversation.last_message.created_at
    long_ago = started - message_rows.INBOX_ORDER_RESOLUTION
    Conversation.objects.filter(pk=posted.conversation_id).update(updated_at=long_ago)
    third = do_post_visitor_message(visitor_id=visitor_id, client_id="c3", body="three")
    stored = Conversation.objects.get(pk=posted.conversation_id).updated_at
    assert stored == Message.objects.get(pk=third.message.id).created_at


def test_postgresql_prepares_the_statements_of_a_send(visitor_alice):
    """On PostgreSQL a send's statements become prepared statements of the connection after a few sends:
    those of the per-send path and the batch's."""
    if connection.vendor != "postgresql":
        pytest.skip("prepared statements are PostgreSQL's (make test-postgres runs this)")
    visitor_id = uuid.UUID(visitor_alice.visitor_id)
    do_post_visitor_message(visitor_id=visitor_id, client_id="c0", body="hi")
    for number in range(1, 9):
        message_rows.post_visitor_send(
            send=VisitorSend(visitor_id=visitor_id, client_id=f"c{number}", body="hi")
        )
        do_post_visitor_message(visitor_id=visitor_id, client_id=f"b{number}", body="hi")
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        prepared = " ".join(row[0] for row in cursor.fetchall())
    assert "INSERT INTO chat_message" in prepared
    assert "FOR UPDATE OF c" in prepared
    assert "UPDATE chat_conversation SET last_seq" in prepared
    assert "WITH sent AS" in prepared


def test_a_hello_on_a_new_page_records_the_visit_as_the_orm_reads_it(visitor_alice):
    """The page URL and the time of a hello on a new page are stored and read back unchanged."""
    visitor_id = uuid.UUID(visitor_alice.visitor_id)
    before = timezone.now()
    do_accept_visitor_hello(
        site_id=visitor_alice.site.pk, visitor_id=visitor_id, page_url="https://shop.acme.test/ü", last_seq=0
    )
    stored = Visitor.objects.get(pk=visitor_id)
    assert stored.last_page_url == "https://shop.acme.test/ü"
    assert before <= stored.last_seen_at <= timezone.now()


def test_postgresql_keeps_room_on_conversation_pages_for_in_place_updates():
    """chat_conversation has fillfactor 80 and no index on last_message, so a message's update can be HOT."""
    if connection.vendor != "postgresql":
        pytest.skip("fillfactor is PostgreSQL's (make test-postgres runs this)")
    with connection.cursor() as cursor:
        cursor.execute("SELECT reloptions FROM pg_class WHERE relname = 'chat_conversation'")
        row = cursor.fetchone()
        cursor.execute("SELECT indexdef FROM pg_indexes WHERE tablename = 'chat_conversation'")
        indexes = " ".join(definition for (definition,) in cursor.fetchall())
    assert row is not None
    assert "fillfactor=80" in row[0]
    assert "last_message_id" not in indexes


def test_an_agents_send_lock_finds_only_conversations_of_the_agents_sites(visitor_alice, agent_bob):
    """The agent's lock loads the conversation as the ORM does, flags a retry, and finds nothing elsewhere."""
    visitor_id = uuid.UUID(visitor_alice.visitor_id)
    posted = do_post_visitor_message(visitor_id=visitor_id, client_id="c1", body="hi")
    conversation_id = posted.conversation_id
    do_post_agent_message(agent=agent_bob, conversation_id=conversation_id, client_id="k1", body="Hello")
    outsider = User.objects.create_user(username="mallory", password="mallory-password-1")
    with transaction.atomic():
        conversation, retried = message_rows._lock_agent_conversation(
            user_id=agent_bob.pk, conversation_id=posted.conversation_id, client_id="k1"
        )
        _, fresh = message_rows._lock_agent_conversation(
            user_id=agent_bob.pk, conversation_id=posted.conversation_id, client_id=None
        )
        foreign, _ = message_rows._lock_agent_conversation(
            user_id=outsider.pk, conversation_id=posted.conversation_id, client_id=None
        )
    stored = Conversation.objects.select_related("site", "visitor").get(pk=posted.conversation_id)
    assert conversation is not None
    assert (_fields(conversation), _fields(conversation.site), _fields(conversation.visitor)) == (
        _fields(stored),
        _fields(stored.site),
        _fields(stored.visitor),
    )
    assert (retried, fresh, foreign) == (True, False, None)
