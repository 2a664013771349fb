"""Typing indicators: the per-socket throttle, and the relay to followers and the visitor's tabs only."""

import uuid
from types import SimpleNamespace
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.db.backends import utils as db_utils

from server.realtime import typing as typing_module
from server.realtime.typing import TypingThrottle
from server.sites.models import Site, SiteMembership
from server.sites.services import do_add_site_member
from tests.conftest import connect_agent, connect_visitor
from tests.realtime.test_visitor_socket import send_message, visitor_with_agent_following

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def agent_dan(site_acme: Site) -> User:
    """A second agent of Acme."""
    user = User.objects.create_user(username="dan@acme.test", password="dan-password-1")
    do_add_site_member(site=site_acme, user=user, role=SiteMembership.Role.AGENT)
    return user


@pytest.fixture
def queries(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every SQL statement any thread runs while the test does (the ORM's and hand-written ones)."""
    seen: list[str] = []
    original = db_utils.CursorWrapper.execute

    def counted(self: Any, sql: str, params: Any = None) -> Any:
        seen.append(sql)
        return original(self, sql, params)

    monkeypatch.setattr(db_utils.CursorWrapper, "execute", counted)
    return seen


async def next_typing(communicator: Any) -> dict[str, Any]:
    """The next `typing` frame, skipping others (read receipts of the conversation being opened)."""
    while True:
        frame = await communicator.receive_json_from()
        if frame["type"] == "typing":
            return frame  # type: ignore[no-any-return]


async def drain(communicator: Any) -> None:
    """Read everything already sent, so receive_nothing then means nothing more came."""
    while not await communicator.receive_nothing(timeout=0.1):
        await communicator.receive_json_from()


def test_throttle_relays_one_start_per_interval_and_a_stop_only_after_a_start(monkeypatch, settings):
    """Starts within the interval are dropped; a stop passes once after a relayed start, never alone."""
    settings.PARLEY_TYPING_INTERVAL_SECONDS = 2
    now = [100.0]
    monkeypatch.setattr(typing_module, "time", SimpleNamespace(monotonic=lambda: now[0]))
    throttle = TypingThrottle()
    conversation = uuid.uuid4()
    assert not throttle.allow(conversation_id=conversation, state="stop")
    assert throttle.allow(conversation_id=conversation, state="start")
    now[0] += 1.9
    assert not throttle.allow(conversation_id=conversation, state="start")
    assert throttle.allow(conversation_id=conversation, state="stop")
    assert not throttle.allow(conversation_id=conversation, state="stop")
    assert not throttle.allow(conversation_id=conversation, state="start")
    now[0] += 0.1
    assert throttle.allow(conversation_id=conversation, state="start")


async def test_visitor_typing_reaches_the_following_agent_only_without_a_query(
    agent_bob, agent_dan, visitor_alice, queries
):
    """The agent following gets `typing` (author visitor, the TTL); one not following gets nothing; no SQL."""
    visitor, bob, conversation_id = await visitor_with_agent_following(visitor_alice, agent_bob)
    dan, _ = await connect_agent(agent_dan)
    await drain(visitor)
    await drain(bob)
    queries.clear()
    await visitor.send_json_to({"type": "typing", "state": "start"})
    frame = await next_typing(bob)
    assert queries == []
    assert frame == {
        "type": "typing",
        "conversation_id": conversation_id,
        "author": "visitor",
        "agent_id": None,
        "author_name": None,
        "state": "start",
        "ttl_seconds": 6,
    }
    assert await dan.receive_nothing(timeout=0.2)
    assert await visitor.receive_nothing(timeout=0.1)  # no reply, not even to itself
    # The counter sees the database thread's statements: a read mark is one.
    await visitor.send_json_to({"type": "conversation.read", "conversation_id": conversation_id, "seq": 1})
    await bob.receive_json_from()
    assert queries
    for communicator in (visitor, bob, dan):
        await communicator.disconnect()


async def test_a_visitor_typing_flood_is_dropped_silently(agent_bob, visitor_alice):
    """Ten starts relay one; the stop after them passes; the visitor gets no error for the rest."""
    visitor, bob, _ = await visitor_with_agent_following(visitor_alice, agent_bob)
    await drain(visitor)
    await drain(bob)
    for _ in range(10):
        await visitor.send_json_to({"type": "typing", "state": "start"})
    await visitor.send_json_to({"type": "typing", "state": "stop"})
    assert (await next_typing(bob))["state"] == "start"
    assert (await next_typing(bob))["state"] == "stop"
    assert await bob.receive_nothing(timeout=0.2)
    assert await visitor.receive_nothing(timeout=0.1)
    await visitor.disconnect()
    await bob.disconnect()


async def test_visitor_typing_before_any_conversation_is_dropped(agent_bob, visitor_alice):
    """A visitor with no conversation yet has nowhere to type: nothing is sent, no error."""
    bob, _ = await connect_agent(agent_bob)
    visitor, _ = await connect_visitor(visitor_alice)
    await visitor.send_json_to({"type": "typing", "state": "start"})
    assert await visitor.receive_nothing(timeout=0.2)
    assert await bob.receive_nothing(timeout=0.1)
    await visitor.disconnect()
    await bob.disconnect()


async def test_agent_typing_reaches_every_visitor_tab_and_other_followers_not_itself(
    agent_bob, agent_dan, visitor_alice
):
    """Bob's typing goes to both of Alice's tabs and to Dan (following too), not back to Bob."""
    visitor, bob, conversation_id = await visitor_with_agent_following(visitor_alice, agent_bob)
    second_tab, _ = await connect_visitor(visitor_alice)
    dan, _ = await connect_agent(agent_dan)
    await dan.send_json_to({"type": "conversation.open", "conversation_id": conversation_id})
    await drain(dan)
    await drain(bob)
    await bob.send_json_to({"type": "typing", "conversation_id": conversation_id, "state": "start"})
    for communicator in (visitor, second_tab, dan):
        frame = await next_typing(communicator)
        assert (frame["author"], frame["agent_id"], frame["author_name"], frame["state"]) == (
            "agent",
            agent_bob.pk,
            "Bob",
            "start",
        )
    assert await bob.receive_nothing(timeout=0.2)
    for communicator in (visitor, second_tab, bob, dan):
        await communicator.disconnect()


async def test_agent_typing_in_a_conversation_not_opened_is_rule_checked_and_relayed(
    agent_bob, visitor_alice
):
    """A conversation of Bob's site that his socket does not follow still reaches its visitor."""
    visitor, _ = await connect_visitor(visitor_alice)
    ack = await send_message(visitor, "hi", "c-1")
    bob, _ = await connect_agent(agent_bob)
    await bob.send_json_to(
        {"type": "typing", "conversation_id": ack["message"]["conversation_id"], "state": "start"}
    )
    assert (await next_typing(visitor))["agent_id"] == agent_bob.pk
    await visitor.disconnect()
    await bob.disconnect()


async def test_agent_typing_outside_its_sites_is_not_found(agent_eve, visitor_alice):
    """Eve (Globex) typing in Acme's conversation gets not_found, and Alice gets nothing."""
    visitor, _ = await connect_visitor(visitor_alice)
    ack = await send_message(visitor, "hi", "c-1")
    await drain(visitor)
    eve, _ = await connect_agent(agent_eve)
    await eve.send_json_to(
        {"type": "typing", "conversation_id": ack["message"]["conversation_id"], "state": "start"}
    )
    error = await eve.receive_json_from()
    assert (error["type"], error["code"], error["ref"]) == ("error", "not_found", "typing")
    assert await visitor.receive_nothing(timeout=0.2)
    await visitor.disconnect()
    await eve.disconnect()


async def test_after_leave_an_agent_no_longer_hears_typing(agent_bob, visitor_alice, layer_groups):
    """conversation.leave leaves the conversation's group: the visitor's typing no longer reaches Bob."""
    visitor, bob, conversation_id = await visitor_with_agent_following(visitor_alice, agent_bob)
    await bob.send_json_to({"type": "conversation.leave", "conversation_id": conversation_id})
    await drain(bob)
    await visitor.send_json_to({"type": "typing", "state": "start"})
    assert await bob.receive_nothing(timeout=0.2)
    await visitor.disconnect()
    await bob.disconnect()


async def test_agent_typing_needs_a_valid_state(agent_bob, visitor_alice):
    """A state other than start or stop is invalid_field, like any other refused field."""
    _, bob, conversation_id = await visitor_with_agent_following(visitor_alice, agent_bob)
    await drain(bob)
    await bob.send_json_to({"type": "typing", "conversation_id": conversation_id, "state": "maybe"})
    error = await bob.receive_json_from()
    assert (error["code"], error["ref"]) == ("invalid_field", "typing")
    await bob.disconnect()
