"""The offline frames on the sockets: a visitor's email and rating reach the site's consoles live, a
transcript request is queued, and the console asks for ratings per agent (docs/offline.md)."""

import uuid

import pytest
from channels.db import database_sync_to_async
from django_tasks_db.models import DBTaskResult

from server.conversations.models import Visitor
from server.conversations.services.workflow import do_resolve_conversation
from tests.conftest import GLOBEX_ORIGIN, connect_agent, connect_visitor
from tests.realtime.test_read_receipts import next_of
from tests.realtime.test_visitor_socket import send_message, visitor_with_agent_following

pytestmark = pytest.mark.django_db(transaction=True)


async def test_a_visitor_email_is_acknowledged_and_shown_to_the_sites_agents(visitor_alice, agent_bob):
    """`visitor.email` → `email.saved`, and `visitor.email` to every console of the site."""
    visitor, _ = await connect_visitor(visitor_alice)
    bob, _ = await connect_agent(agent_bob)
    await visitor.send_json_to({"type": "visitor.email", "email": " Alice@Example.com "})
    assert await next_of(visitor, "email.saved") == {"type": "email.saved", "email": "Alice@example.com"}
    assert await next_of(bob, "visitor.email") == {
        "type": "visitor.email",
        "visitor_id": visitor_alice.visitor_id,
        "email": "Alice@example.com",
    }
    stored = await database_sync_to_async(Visitor.objects.get)(pk=visitor_alice.visitor_id)
    assert stored.email == "Alice@example.com"
    await visitor.disconnect()
    await bob.disconnect()


@pytest.mark.parametrize(
    ("email", "code"),
    [("not an email", "email_invalid"), ("a" * 300 + "@example.com", "email_invalid"), (42, "invalid_field")],
)
async def test_a_bad_email_gets_an_error_frame_and_stores_nothing(visitor_alice, email, code):
    """Refused with its code; the socket stays open."""
    visitor, _ = await connect_visitor(visitor_alice)
    await visitor.send_json_to({"type": "visitor.email", "email": email})
    error = await next_of(visitor, "error")
    assert error["code"] == code
    await visitor.send_json_to({"type": "ping"})
    assert await next_of(visitor, "pong") == {"type": "pong"}
    stored = await database_sync_to_async(Visitor.objects.get)(pk=visitor_alice.visitor_id)
    assert stored.email == ""
    await visitor.disconnect()


async def test_email_requests_are_limited_per_visitor(settings, visitor_alice):
    """Past PARLEY_LIMIT_EMAIL_REQUESTS_PER_VISITOR: rate_limited with retry_after."""
    settings.PARLEY_LIMIT_EMAIL_REQUESTS_PER_VISITOR = "2/hour"
    visitor, _ = await connect_visitor(visitor_alice)
    for index in range(2):
        await visitor.send_json_to({"type": "visitor.email", "email": f"a{index}@example.com"})
        await next_of(visitor, "email.saved")
    await visitor.send_json_to({"type": "visitor.email", "email": "a3@example.com"})
    error = await next_of(visitor, "error")
    assert error["code"] == "rate_limited"
    assert error["retry_after"] >= 1
    await visitor.disconnect()


async def test_a_rating_after_a_resolve_reaches_the_console_live(visitor_alice, agent_bob):
    """`conversation.rate` → `conversation.rated` to the visitor and to the site's consoles."""
    visitor, bob, conversation_id = await visitor_with_agent_following(visitor_alice, agent_bob)
    await database_sync_to_async(do_resolve_conversation)(
        agent=agent_bob, conversation_id=uuid.UUID(conversation_id)
    )
    await visitor.send_json_to(
        {
            "type": "conversation.rate",
            "conversation_id": conversation_id,
            "score": "good",
            "comment": "Quick!",
        }
    )
    mine = await next_of(visitor, "conversation.rated")
    theirs = await next_of(bob, "conversation.rated")
    assert mine == theirs
    assert mine["rating"]["score"] == "good"
    assert mine["rating"]["comment"] == "Quick!"
    assert mine["rating"]["agent_id"] == agent_bob.pk
    await bob.send_json_to({"type": "ratings.get"})
    ratings = await next_of(bob, "ratings")
    assert ratings["days"] == 30
    assert ratings["agents"] == [{"agent_id": agent_bob.pk, "name": "Bob", "good": 1, "okay": 0, "bad": 0}]
    await visitor.disconnect()
    await bob.disconnect()


@pytest.mark.parametrize(
    ("frame", "code"),
    [
        ({"score": "great"}, "invalid_field"),
        ({"score": "good", "comment": "x" * 1001}, "invalid_field"),
        ({"score": "good"}, "rating_unavailable"),
    ],
)
async def test_a_bad_rating_is_refused(visitor_alice, frame, code):
    """An unknown score, a long comment, or a conversation still open."""
    visitor, _ = await connect_visitor(visitor_alice)
    conversation_id = (await send_message(visitor, "hello?", "c-1"))["message"]["conversation_id"]
    await visitor.send_json_to({"type": "conversation.rate", "conversation_id": conversation_id, **frame})
    assert (await next_of(visitor, "error"))["code"] == code
    await visitor.disconnect()


async def test_a_transcript_is_queued_once_an_email_is_left(visitor_alice):
    """email_required first; after `visitor.email`, `transcript.queued` and a task in the queue."""
    visitor, _ = await connect_visitor(visitor_alice)
    conversation_id = (await send_message(visitor, "hello?", "c-1"))["message"]["conversation_id"]
    request = {"type": "transcript.request", "conversation_id": conversation_id}
    await visitor.send_json_to(request)
    assert (await next_of(visitor, "error"))["code"] == "email_required"
    await visitor.send_json_to({"type": "visitor.email", "email": "alice@example.com"})
    await next_of(visitor, "email.saved")
    await visitor.send_json_to(request)
    assert await next_of(visitor, "transcript.queued") == {
        "type": "transcript.queued",
        "conversation_id": conversation_id,
        "email": "alice@example.com",
    }
    assert await database_sync_to_async(DBTaskResult.objects.count)() == 1
    await visitor.disconnect()


async def test_ratings_are_only_those_of_the_agents_sites(visitor_gina, agent_bob, agent_eve):
    """A Globex rating never shows in Bob's (Acme) ratings, and Bob's console never hears of it."""
    bob, _ = await connect_agent(agent_bob)
    visitor, _ = await connect_visitor(visitor_gina, origin=GLOBEX_ORIGIN)
    conversation_id = (await send_message(visitor, "hello?", "c-1"))["message"]["conversation_id"]
    await database_sync_to_async(do_resolve_conversation)(
        agent=agent_eve, conversation_id=uuid.UUID(conversation_id)
    )
    await visitor.send_json_to(
        {"type": "conversation.rate", "conversation_id": conversation_id, "score": "bad"}
    )
    assert (await next_of(visitor, "conversation.rated"))["rating"]["agent_id"] == agent_eve.pk
    await bob.send_json_to({"type": "ratings.get"})
    frame = await bob.receive_json_from()
    while frame["type"] != "ratings":
        assert frame["type"] != "conversation.rated"
        frame = await bob.receive_json_from()
    assert frame["agents"] == []
    for communicator in (visitor, bob):
        await communicator.disconnect()
