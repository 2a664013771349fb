"""Agents' notification preferences on the socket: in `ready`, set by `preferences.set`, synced to all."""

import pytest

from tests.conftest import connect_agent

pytestmark = pytest.mark.django_db(transaction=True)

DEFAULTS = {"desktop": True, "push": False, "sound": False, "title_count": True}


async def test_ready_carries_the_agents_preferences(agent_bob):
    """A new agent's ready holds the defaults."""
    agent, ready = await connect_agent(agent_bob)
    assert ready["preferences"] == DEFAULTS
    await agent.disconnect()


async def test_a_change_reaches_every_console_of_the_agent_and_no_one_else(agent_bob, agent_eve):
    """preferences.set is answered by `preferences` on all of the agent's sockets, the sender's included."""
    first, _ = await connect_agent(agent_bob)
    second, _ = await connect_agent(agent_bob)
    other, _ = await connect_agent(agent_eve)
    await first.send_json_to({"type": "preferences.set", "sound": True, "title_count": False})
    expected = {**DEFAULTS, "sound": True, "title_count": False}
    for socket in (first, second):
        assert await socket.receive_json_from() == {"type": "preferences", "preferences": expected}
    assert await other.receive_nothing()
    third, ready = await connect_agent(agent_bob)
    assert ready["preferences"] == expected
    for socket in (first, second, third, other):
        await socket.disconnect()


async def test_a_set_naming_nothing_answers_the_stored_preferences_to_that_socket_only(agent_bob):
    """Fields left out or null keep their value; with none to change only the asking socket is answered."""
    first, _ = await connect_agent(agent_bob)
    second, _ = await connect_agent(agent_bob)
    await first.send_json_to({"type": "preferences.set", "desktop": None})
    assert await first.receive_json_from() == {"type": "preferences", "preferences": DEFAULTS}
    assert await second.receive_nothing()
    await first.disconnect()
    await second.disconnect()


@pytest.mark.parametrize("value", ["yes", 1, [], {}])
async def test_a_preference_must_be_a_boolean(agent_bob, value):
    """Anything but true, false or null is invalid_field, naming the frame; nothing is stored."""
    agent, _ = await connect_agent(agent_bob)
    await agent.send_json_to({"type": "preferences.set", "sound": value})
    error = await agent.receive_json_from()
    assert (error["type"], error["code"], error["ref"]) == ("error", "invalid_field", "preferences.set")
    assert "sound" in error["message"]
    again, ready = await connect_agent(agent_bob)
    assert ready["preferences"] == DEFAULTS
    await agent.disconnect()
    await again.disconnect()
