"""Presence through the sockets: agents' status, the widget's availability, and who views a conversation."""

from typing import Any

import pytest
from channels.db import database_sync_to_async
from django.contrib.auth.models import User

from server.realtime import presence
from server.sites.models import Site, SiteMembership
from server.sites.services import do_add_site_member
from tests.conftest import connect_agent, connect_visitor
from tests.realtime.test_agent_socket import start_conversation

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def agent_carol(site_acme: Site) -> User:
    """A second agent of Acme."""
    user = User.objects.create_user(username="carol", first_name="Carol", password="carol-password-1")
    do_add_site_member(site=site_acme, user=user, role=SiteMembership.Role.AGENT)
    return user


async def nothing_more(communicator: Any) -> None:
    """The socket has no frame waiting."""
    assert await communicator.receive_nothing(timeout=0.1)


async def test_visitor_ready_says_away_until_an_agent_connects(agent_bob, visitor_alice):
    """No console → ready.availability away; the first console → availability online, its close → away."""
    visitor, ready = await connect_visitor(visitor_alice)
    assert ready["availability"] == "away"
    agent, agent_ready = await connect_agent(agent_bob)
    assert agent_ready["presence"] == [{"agent_id": agent_bob.pk, "status": "online"}]
    assert await visitor.receive_json_from() == {"type": "availability", "status": "online"}
    second, _ = await connect_visitor(visitor_alice)
    await agent.disconnect()
    assert await visitor.receive_json_from() == {"type": "availability", "status": "away"}
    assert await second.receive_json_from() == {"type": "availability", "status": "away"}
    await visitor.disconnect()
    await second.disconnect()


async def test_visitor_ready_says_online_with_an_agent_connected(agent_bob, visitor_alice):
    """A visitor arriving while an agent's console is open sees the team online in ready."""
    agent, _ = await connect_agent(agent_bob)
    visitor, ready = await connect_visitor(visitor_alice)
    assert ready["availability"] == "online"
    await visitor.disconnect()
    await agent.disconnect()


async def test_away_flips_availability_and_tells_colleagues(agent_bob, agent_carol, visitor_alice):
    """presence.set away → colleagues get presence away, visitors away; online again → both flip back."""
    bob, _ = await connect_agent(agent_bob)
    carol, carol_ready = await connect_agent(agent_carol)
    assert {entry["agent_id"] for entry in carol_ready["presence"]} == {agent_bob.pk, agent_carol.pk}
    assert await bob.receive_json_from() == {
        "type": "presence",
        "agent_id": agent_carol.pk,
        "status": "online",
    }
    visitor, ready = await connect_visitor(visitor_alice)
    assert ready["availability"] == "online"
    await bob.send_json_to({"type": "presence.set", "status": "away"})
    assert await carol.receive_json_from() == {"type": "presence", "agent_id": agent_bob.pk, "status": "away"}
    assert await bob.receive_json_from() == {"type": "presence", "agent_id": agent_bob.pk, "status": "away"}
    await nothing_more(visitor)  # Carol is still online
    await carol.send_json_to({"type": "presence.set", "status": "away"})
    assert await visitor.receive_json_from() == {"type": "availability", "status": "away"}
    await bob.send_json_to({"type": "presence.set", "status": "online"})
    assert await visitor.receive_json_from() == {"type": "availability", "status": "online"}
    for socket in (bob, carol, visitor):
        await socket.disconnect()


async def test_away_is_remembered_for_a_new_console_and_offline_is_announced(agent_bob, agent_carol):
    """A second console of an away agent starts away; the agent's last console closing → offline."""
    carol, _ = await connect_agent(agent_carol)
    bob, _ = await connect_agent(agent_bob)
    await carol.receive_json_from()  # Bob online
    await bob.send_json_to({"type": "presence.set", "status": "away"})
    await carol.receive_json_from()  # Bob away
    second, ready = await connect_agent(agent_bob)
    assert {"agent_id": agent_bob.pk, "status": "away"} in ready["presence"]
    await second.disconnect()
    await nothing_more(carol)
    await bob.disconnect()
    assert await carol.receive_json_from() == {
        "type": "presence",
        "agent_id": agent_bob.pk,
        "status": "offline",
    }
    await carol.disconnect()


async def test_agents_of_other_sites_hear_nothing(agent_bob, agent_eve, visitor_gina):
    """Eve (Globex) hears nothing of Bob (Acme), nor do Globex's visitors."""
    eve, ready = await connect_agent(agent_eve)
    assert ready["presence"] == [{"agent_id": agent_eve.pk, "status": "online"}]
    visitor, visitor_ready = await connect_visitor(visitor_gina, origin="https://globex.test")
    assert visitor_ready["availability"] == "online"
    bob, _ = await connect_agent(agent_bob)
    await bob.send_json_to({"type": "presence.set", "status": "away"})
    await bob.disconnect()
    await nothing_more(eve)
    await nothing_more(visitor)
    await eve.disconnect()
    await visitor.disconnect()


async def test_viewers_are_told_who_else_views(agent_bob, agent_carol, visitor_alice):
    """Each console hears when the colleagues viewing a conversation change: opens, leaves and closes."""
    visitor, conversation_id = await start_conversation(visitor_alice)
    bob, _ = await connect_agent(agent_bob)
    carol, _ = await connect_agent(agent_carol)
    await bob.receive_json_from()  # Carol online
    await bob.send_json_to({"type": "conversation.open", "conversation_id": conversation_id})
    assert (await bob.receive_json_from())["type"] == "conversation.opened"
    await nothing_more(bob)  # nobody else views it: nothing to say
    viewers = {"type": "conversation.viewers", "conversation_id": conversation_id}
    assert await carol.receive_json_from() == {**viewers, "agent_ids": [agent_bob.pk]}
    await carol.send_json_to({"type": "conversation.open", "conversation_id": conversation_id})
    assert (await carol.receive_json_from())["type"] == "conversation.opened"
    both = sorted([agent_bob.pk, agent_carol.pk])
    assert await bob.receive_json_from() == {**viewers, "agent_ids": both}
    await nothing_more(carol)  # she already knows Bob views it
    await carol.send_json_to({"type": "conversation.leave", "conversation_id": conversation_id})
    assert await bob.receive_json_from() == {**viewers, "agent_ids": [agent_bob.pk]}
    await carol.send_json_to({"type": "conversation.open", "conversation_id": conversation_id})
    await carol.receive_json_from()  # conversation.opened
    assert await bob.receive_json_from() == {**viewers, "agent_ids": both}
    await carol.disconnect()
    assert await bob.receive_json_from() == {**viewers, "agent_ids": [agent_bob.pk]}
    await bob.disconnect()
    await visitor.disconnect()


async def test_online_agent_ids_counts_consoles_away_or_not(agent_bob, agent_carol):
    """online_agent_ids lists the agents with a console open, away included, and forgets closed ones."""
    bob, _ = await connect_agent(agent_bob)
    await bob.send_json_to({"type": "presence.set", "status": "away"})
    await bob.receive_json_from()
    assert await presence.online_agent_ids(user_ids=[agent_bob.pk, agent_carol.pk]) == {agent_bob.pk}
    site_id = await database_sync_to_async(lambda: agent_bob.site_memberships.get().site_id)()
    assert await presence.site_availability(site_id=site_id) == "away"
    await bob.disconnect()
    assert await presence.online_agent_ids(user_ids=[agent_bob.pk]) == set()


async def test_presence_set_is_checked(agent_bob):
    """A status other than online or away is refused with invalid_field."""
    bob, _ = await connect_agent(agent_bob)
    await bob.send_json_to({"type": "presence.set", "status": "busy"})
    error = await bob.receive_json_from()
    assert error["type"] == "error"
    assert error["code"] == "invalid_field"
    await bob.disconnect()


async def test_a_reloaded_console_comes_back_away_without_flipping_visitors(agent_bob, visitor_alice):
    """Away, then the only console reloads: it comes back away, and the visitor never sees online."""
    bob, _ = await connect_agent(agent_bob)
    visitor, ready = await connect_visitor(visitor_alice)
    assert ready["availability"] == "online"
    await bob.send_json_to({"type": "presence.set", "status": "away"})
    assert await visitor.receive_json_from() == {"type": "availability", "status": "away"}
    await bob.disconnect()
    reloaded, reloaded_ready = await connect_agent(agent_bob)
    assert reloaded_ready["presence"] == [{"agent_id": agent_bob.pk, "status": "away"}]
    await nothing_more(visitor)
    await reloaded.disconnect()
    await visitor.disconnect()
