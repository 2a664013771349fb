"""Read receipts on the sockets: the visitor's mark to all its tabs and the agents following, the agents'
mark to the visitor ("Seen"), never lowered, never past the last message, and only on the visitor's own."""

from typing import Any

import pytest
from channels.db import database_sync_to_async

from server.conversations.models import Conversation
from tests.conftest import connect_agent, connect_visitor
from tests.realtime.test_typing import agent_dan, drain  # noqa: F401 (a fixture)
from tests.realtime.test_visitor_socket import send_message, visitor_with_agent_following

pytestmark = pytest.mark.django_db(transaction=True)


async def next_of(communicator: Any, frame_type: str) -> dict[str, Any]:
    """The next frame of one type, skipping others."""
    while True:
        frame = await communicator.receive_json_from()
        if frame["type"] == frame_type:
            return frame  # type: ignore[no-any-return]


async def marks(conversation_id: str) -> tuple[int, int]:
    """The conversation's stored (visitor, agents) read marks."""
    conversation = await database_sync_to_async(Conversation.objects.get)(pk=conversation_id)
    return conversation.visitor_last_read_seq, conversation.agent_last_read_seq


async def test_an_agent_opening_the_conversation_tells_every_visitor_tab_it_was_seen(
    agent_bob, visitor_alice
):
    """conversation.open marks it read: both of Alice's tabs get `read` (reader agent) up to seq 1."""
    visitor, _ = await connect_visitor(visitor_alice)
    ack = await send_message(visitor, "hello?", "c-1")
    conversation_id = ack["message"]["conversation_id"]
    second_tab, _ = await connect_visitor(visitor_alice)
    bob, _ = await connect_agent(agent_bob)
    await bob.send_json_to({"type": "conversation.open", "conversation_id": conversation_id})
    expected = {"type": "read", "conversation_id": conversation_id, "reader": "agent", "seq": 1}
    assert await next_of(visitor, "read") == expected
    assert await next_of(second_tab, "read") == expected
    assert await marks(conversation_id) == (0, 1)
    _, ready = await connect_visitor(visitor_alice)
    assert (ready["conversation"]["visitor_last_read_seq"], ready["conversation"]["agent_last_read_seq"]) == (
        0,
        1,
    )
    for communicator in (visitor, second_tab, bob):
        await communicator.disconnect()


async def test_a_mark_that_does_not_move_sends_nothing(agent_bob, agent_dan, visitor_alice):  # noqa: F811
    """A second agent opening, or conversation.read at or below the mark, tells the visitor nothing."""
    visitor, bob, conversation_id = await visitor_with_agent_following(visitor_alice, agent_bob)
    await next_of(visitor, "read")
    dan, _ = await connect_agent(agent_dan)
    await dan.send_json_to({"type": "conversation.open", "conversation_id": conversation_id})
    await bob.send_json_to({"type": "conversation.read", "conversation_id": conversation_id, "seq": 1})
    assert await visitor.receive_nothing(timeout=0.3)
    for communicator in (visitor, bob, dan):
        await communicator.disconnect()


async def test_the_visitors_read_reaches_its_tabs_and_the_agents_following(
    agent_bob,
    agent_dan,  # noqa: F811
    visitor_alice,
):
    """conversation.read in one tab: `read` (reader visitor) to both tabs and to Bob (following), not Dan."""
    visitor, bob, conversation_id = await visitor_with_agent_following(visitor_alice, agent_bob)
    await send_message_as_agent(bob, conversation_id)
    second_tab, _ = await connect_visitor(visitor_alice)
    dan, _ = await connect_agent(agent_dan)
    await drain(visitor)
    await drain(bob)
    await visitor.send_json_to({"type": "conversation.read", "conversation_id": conversation_id, "seq": 2})
    expected = {"type": "read", "conversation_id": conversation_id, "reader": "visitor", "seq": 2}
    assert await next_of(visitor, "read") == expected
    assert await next_of(second_tab, "read") == expected
    assert await next_of(bob, "read") == expected
    assert await dan.receive_nothing(timeout=0.2)
    assert (await marks(conversation_id))[0] == 2
    for communicator in (visitor, second_tab, bob, dan):
        await communicator.disconnect()


async def send_message_as_agent(agent: Any, conversation_id: str) -> None:
    """Bob replies (seq 2) and waits for the ack."""
    await agent.send_json_to(
        {"type": "message.send", "conversation_id": conversation_id, "client_id": "a-1", "body": "Hi!"}
    )
    await next_of(agent, "message.ack")


async def test_the_visitors_mark_is_never_lowered_nor_past_the_last_message(visitor_alice):
    """A seq past the last message stores the last seq; a lower one afterwards changes and sends nothing."""
    visitor, _ = await connect_visitor(visitor_alice)
    ack = await send_message(visitor, "hello?", "c-1")
    conversation_id = ack["message"]["conversation_id"]
    await drain(visitor)
    await visitor.send_json_to({"type": "conversation.read", "conversation_id": conversation_id, "seq": 99})
    assert (await next_of(visitor, "read"))["seq"] == 1
    await visitor.send_json_to({"type": "conversation.read", "conversation_id": conversation_id, "seq": 0})
    await visitor.send_json_to({"type": "conversation.read", "conversation_id": conversation_id, "seq": 1})
    assert await visitor.receive_nothing(timeout=0.3)
    assert await marks(conversation_id) == (1, 0)
    await visitor.disconnect()


async def test_reading_another_visitors_conversation_is_not_found(visitor_alice, visitor_carol):
    """Carol cannot move (or learn of) Alice's read mark: not_found, and nothing stored or sent."""
    alice, _ = await connect_visitor(visitor_alice)
    ack = await send_message(alice, "hello?", "c-1")
    conversation_id = ack["message"]["conversation_id"]
    await drain(alice)
    carol, _ = await connect_visitor(visitor_carol)
    await carol.send_json_to({"type": "conversation.read", "conversation_id": conversation_id, "seq": 1})
    error = await carol.receive_json_from()
    assert (error["type"], error["code"], error["ref"]) == ("error", "not_found", "conversation.read")
    assert await alice.receive_nothing(timeout=0.2)
    assert await marks(conversation_id) == (0, 0)
    await alice.disconnect()
    await carol.disconnect()


async def test_agents_see_the_visitors_mark_in_inbox_rows(agent_bob, visitor_alice):
    """ready's inbox and conversation.opened carry visitor_last_read_seq."""
    visitor, _ = await connect_visitor(visitor_alice)
    ack = await send_message(visitor, "hello?", "c-1")
    conversation_id = ack["message"]["conversation_id"]
    await visitor.send_json_to({"type": "conversation.read", "conversation_id": conversation_id, "seq": 1})
    await next_of(visitor, "read")
    bob, ready = await connect_agent(agent_bob)
    assert ready["inbox"][0]["visitor_last_read_seq"] == 1
    await bob.send_json_to({"type": "conversation.open", "conversation_id": conversation_id})
    opened = await next_of(bob, "conversation.opened")
    assert opened["conversation"]["visitor_last_read_seq"] == 1
    await visitor.disconnect()
    await bob.disconnect()
