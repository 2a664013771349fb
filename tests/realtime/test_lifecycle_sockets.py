"""The conversation lifecycle on the sockets: assign, resolve and reopen from the console, what each side
is sent, and a visitor's view of its conversations after a resolve."""

from datetime import timedelta
from typing import Any

import pytest
from channels.db import database_sync_to_async
from django.contrib.auth.models import User
from django.utils import timezone

from server.conversations.models import Conversation
from server.sites.models import Site, SiteMembership
from server.sites.services import do_add_site_member
from tests.conftest import connect_agent, connect_visitor, visitor_socket
from tests.realtime.test_visitor_socket import receive_types, send_message

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def agent_dana(site_acme: Site) -> User:
    """A second agent of Acme."""
    user = User.objects.create_user(username="dana", first_name="Dana", password="dana-password-1")
    do_add_site_member(site=site_acme, user=user, role=SiteMembership.Role.AGENT)
    return user


async def start_conversation(visitor: Any) -> tuple[Any, str]:
    """A visitor's socket after its first message, with every frame that message caused received."""
    communicator, _ = await connect_visitor(visitor)
    await communicator.send_json_to({"type": "message.send", "client_id": "v-1", "body": "Hello?"})
    frames = await receive_types(communicator, {"conversation.started", "message.ack", "message.new"})
    return communicator, frames["message.ack"]["message"]["conversation_id"]


async def receive_until(communicator: Any, frame_type: str) -> list[dict[str, Any]]:
    """Every frame received up to and including the first of `frame_type`."""
    received = []
    while not received or received[-1]["type"] != frame_type:
        received.append(await communicator.receive_json_from())
    return received


async def test_ready_lists_the_agents_of_the_sites(agent_bob, agent_dana, agent_eve):
    """ready.agents holds every active member of the agent's sites, itself included, and no one else."""
    bob, ready = await connect_agent(agent_bob)
    site_id = ready["sites"][0]["id"]
    assert ready["agents"] == [
        {"id": agent_bob.pk, "name": "Bob", "site_ids": [site_id]},
        {"id": agent_dana.pk, "name": "Dana", "site_ids": [site_id]},
    ]
    await bob.disconnect()


async def test_resolve_and_reopen_reach_both_sides(agent_bob, agent_dana, visitor_alice):
    """Resolve, then reopen: a system line to the visitor and followers, the row to all agents of the site."""
    visitor, conversation_id = await start_conversation(visitor_alice)
    bob, _ = await connect_agent(agent_bob)
    dana, _ = await connect_agent(agent_dana)
    await bob.send_json_to({"type": "conversation.open", "conversation_id": conversation_id})
    await receive_until(bob, "conversation.opened")
    await bob.send_json_to({"type": "conversation.resolve", "conversation_id": conversation_id})
    line, update = await bob.receive_json_from(), await bob.receive_json_from()
    assert (line["type"], line["message"]["event"], line["message"]["seq"]) == ("message.new", "resolved", 2)
    assert update["type"] == "inbox.update"
    assert update["conversation"]["status"] == "resolved"
    assert update["previous"] == {"status": "open", "assignee_id": None}
    (dana_update,) = await receive_until(dana, "inbox.update")
    assert dana_update == update
    seen = await visitor.receive_json_from()
    assert seen["message"] | {"created_at": None} == line["message"] | {"created_at": None}
    await bob.send_json_to({"type": "conversation.reopen", "conversation_id": conversation_id})
    frames = await receive_types(bob, {"message.new", "inbox.update"})
    assert frames["message.new"]["message"]["event"] == "reopened"
    assert frames["inbox.update"]["previous"] == {"status": "resolved", "assignee_id": None}
    assert (await visitor.receive_json_from())["message"]["event"] == "reopened"
    for socket in (visitor, bob, dana):
        await socket.disconnect()


async def test_a_request_that_changes_nothing_is_answered_to_the_requester_alone(
    agent_bob, agent_dana, visitor_alice
):
    """Resolving a resolved conversation stores nothing: only the requester gets its row."""
    visitor, conversation_id = await start_conversation(visitor_alice)
    bob, _ = await connect_agent(agent_bob)
    await bob.send_json_to({"type": "conversation.resolve", "conversation_id": conversation_id})
    await receive_until(bob, "inbox.update")
    dana, _ = await connect_agent(agent_dana)
    await bob.send_json_to({"type": "conversation.resolve", "conversation_id": conversation_id})
    (update,) = await receive_until(bob, "inbox.update")
    assert update["previous"] == {"status": "resolved", "assignee_id": None}
    assert update["conversation"]["last_seq"] == 2
    assert await dana.receive_nothing(timeout=0.3)
    for socket in (visitor, bob, dana):
        await socket.disconnect()


async def test_an_assignment_notifies_only_the_assignee_on_all_its_consoles(
    agent_bob, agent_dana, agent_eve, visitor_alice
):
    """conversation.assigned reaches every socket of the assignee and no one else; the visitor, nothing."""
    visitor, conversation_id = await start_conversation(visitor_alice)
    bob, _ = await connect_agent(agent_bob)
    dana_one, _ = await connect_agent(agent_dana)
    dana_two, _ = await connect_agent(agent_dana)
    eve, _ = await connect_agent(agent_eve)
    await bob.send_json_to({"type": "conversation.open", "conversation_id": conversation_id})
    await receive_until(bob, "conversation.opened")
    await bob.send_json_to(
        {"type": "conversation.assign", "conversation_id": conversation_id, "assignee_id": agent_dana.pk}
    )
    activity, update = await bob.receive_json_from(), await bob.receive_json_from()
    assert activity["type"] == "activity.new"
    assert (activity["activity"]["kind"], activity["activity"]["assignee_name"]) == ("assigned", "Dana")
    assert (update["conversation"]["assignee_id"], update["conversation"]["assignee_name"]) == (
        agent_dana.pk,
        "Dana",
    )
    for dana in (dana_one, dana_two):
        frames = await receive_types(dana, {"inbox.update", "conversation.assigned"})
        assigned = frames["conversation.assigned"]
        assert assigned["by"] == {"id": agent_bob.pk, "name": "Bob"}
        assert assigned["conversation"]["id"] == conversation_id
    assert await bob.receive_nothing(timeout=0.3)
    assert await eve.receive_nothing(timeout=0.1)
    assert await visitor.receive_nothing(timeout=0.1)
    # Taking it oneself tells no one personally.
    await dana_one.send_json_to(
        {"type": "conversation.assign", "conversation_id": conversation_id, "assignee_id": agent_bob.pk}
    )
    await receive_types(bob, {"activity.new", "inbox.update", "conversation.assigned"})
    await bob.send_json_to(
        {"type": "conversation.assign", "conversation_id": conversation_id, "assignee_id": agent_bob.pk}
    )
    assert (await bob.receive_json_from())["type"] == "inbox.update"
    await bob.send_json_to(
        {"type": "conversation.assign", "conversation_id": conversation_id, "assignee_id": None}
    )
    frames = await receive_types(bob, {"activity.new", "inbox.update"})
    assert frames["activity.new"]["activity"]["kind"] == "unassigned"
    assert await bob.receive_nothing(timeout=0.2)
    for socket in (visitor, bob, dana_one, dana_two, eve):
        await socket.disconnect()


async def test_conversation_opened_carries_the_activity(agent_bob, agent_dana, visitor_alice):
    """Opening a conversation sends its agent-only lines, oldest first."""
    visitor, conversation_id = await start_conversation(visitor_alice)
    bob, _ = await connect_agent(agent_bob)
    for assignee_id in (agent_dana.pk, agent_bob.pk):
        await bob.send_json_to(
            {"type": "conversation.assign", "conversation_id": conversation_id, "assignee_id": assignee_id}
        )
        await receive_until(bob, "inbox.update")
    await bob.send_json_to({"type": "conversation.open", "conversation_id": conversation_id})
    (opened,) = [frame for frame in await receive_until(bob, "conversation.opened")]
    assert [(line["kind"], line["assignee_id"]) for line in opened["activity"]] == [
        ("assigned", agent_dana.pk),
        ("assigned", agent_bob.pk),
    ]
    assert opened["conversation"]["assignee_name"] == "Bob"
    for socket in (visitor, bob):
        await socket.disconnect()


@pytest.mark.parametrize(
    "frame",
    [
        {"type": "conversation.assign", "assignee_id": None},
        {"type": "conversation.resolve"},
        {"type": "conversation.reopen"},
    ],
)
async def test_an_agent_of_another_site_is_told_not_found(frame, agent_eve, visitor_alice):
    """The permission rule: a conversation outside the agent's sites is not_found, nothing changes."""
    visitor, conversation_id = await start_conversation(visitor_alice)
    eve, _ = await connect_agent(agent_eve)
    await eve.send_json_to(frame | {"conversation_id": conversation_id})
    error = await eve.receive_json_from()
    assert (error["type"], error["code"], error["ref"]) == ("error", "not_found", frame["type"])
    conversation = await database_sync_to_async(Conversation.objects.get)(pk=conversation_id)
    assert (conversation.status, conversation.last_seq) == ("open", 1)
    assert await visitor.receive_nothing(timeout=0.2)
    for socket in (visitor, eve):
        await socket.disconnect()


async def test_assigning_to_someone_outside_the_site_is_invalid(agent_bob, agent_eve, visitor_alice):
    """The assignee must be an active member of the conversation's site."""
    visitor, conversation_id = await start_conversation(visitor_alice)
    bob, _ = await connect_agent(agent_bob)
    await bob.send_json_to(
        {"type": "conversation.assign", "conversation_id": conversation_id, "assignee_id": agent_eve.pk}
    )
    error = await bob.receive_json_from()
    assert (error["code"], error["ref"]) == ("invalid_field", "conversation.assign")
    assert "assignee_id" in error["message"]
    for socket in (visitor, bob):
        await socket.disconnect()


@pytest.mark.parametrize("frame_type", ["conversation.assign", "conversation.resolve", "conversation.reopen"])
async def test_a_visitor_cannot_send_lifecycle_frames(frame_type, visitor_alice):
    """The visitor socket knows none of the agents' frames."""
    visitor, conversation_id = await start_conversation(visitor_alice)
    await visitor.send_json_to({"type": frame_type, "conversation_id": conversation_id, "assignee_id": None})
    error = await visitor.receive_json_from()
    assert (error["code"], error["ref"]) == ("unknown_type", None)
    conversation = await database_sync_to_async(Conversation.objects.get)(pk=conversation_id)
    assert conversation.status == "open"
    await visitor.disconnect()


async def test_after_a_resolve_the_visitor_still_sees_its_conversation(agent_bob, visitor_alice):
    """ready carries the resolved conversation with its system line; the next message reopens it."""
    visitor, conversation_id = await start_conversation(visitor_alice)
    bob, _ = await connect_agent(agent_bob)
    await bob.send_json_to({"type": "conversation.resolve", "conversation_id": conversation_id})
    await receive_until(bob, "inbox.update")
    await visitor.disconnect()
    visitor, ready = await connect_visitor(visitor_alice)
    assert ready["conversation"] == {
        "id": conversation_id,
        "status": "resolved",
        "last_seq": 2,
        "previous_id": None,
    }
    assert [(m["seq"], m["event"]) for m in ready["messages"]] == [(1, None), (2, "resolved")]
    ack = await send_message(visitor, "one more thing", "v-2")
    assert (ack["message"]["conversation_id"], ack["message"]["seq"]) == (conversation_id, 4)
    frames = await receive_until(bob, "inbox.update")
    assert frames[-1]["previous"] == {"status": "resolved", "assignee_id": None}
    for socket in (visitor, bob):
        await socket.disconnect()


async def test_a_new_conversation_names_the_one_before_and_the_history_stays_reachable(
    agent_bob, visitor_alice, settings
):
    """Past the window a new conversation names the one before, still readable; old replies are refused."""
    settings.PARLEY_REOPEN_WINDOW = 60
    visitor, first_id = await start_conversation(visitor_alice)
    bob, _ = await connect_agent(agent_bob)
    await bob.send_json_to({"type": "conversation.resolve", "conversation_id": first_id})
    await receive_until(bob, "inbox.update")
    await database_sync_to_async(Conversation.objects.filter(pk=first_id).update)(
        resolved_at=timezone.now() - timedelta(minutes=2)
    )
    await visitor.receive_json_from()  # the resolved line
    await visitor.send_json_to({"type": "message.send", "client_id": "v-2", "body": "new question"})
    frames = await receive_types(visitor, {"conversation.started", "message.ack", "message.new"})
    started = frames["conversation.started"]["conversation"]
    assert (started["previous_id"], started["status"], started["last_seq"]) == (first_id, "open", 0)
    second_id = started["id"]
    await visitor.disconnect()
    visitor, ready = await connect_visitor(visitor_alice, last_seq=2)
    # A last_seq without its conversation_id is taken as the latest's (older widgets).
    assert ready["messages"] == []
    await visitor.disconnect()
    visitor = visitor_socket(visitor_alice.site)
    await visitor.connect()
    await visitor.send_json_to(
        {"type": "hello", "token": visitor_alice.token, "last_seq": 2, "conversation_id": first_id}
    )
    ready = await visitor.receive_json_from()
    assert ready["conversation"] == {
        "id": second_id,
        "status": "open",
        "last_seq": 1,
        "previous_id": first_id,
    }
    assert [m["body"] for m in ready["messages"]] == ["new question"]
    await visitor.send_json_to({"type": "sync", "conversation_id": first_id, "after_seq": 0})
    history = await visitor.receive_json_from()
    assert [(m["seq"], m["author"]) for m in history["messages"]] == [(1, "visitor"), (2, "system")]
    # The agent's reply to the earlier conversation would reopen a second one: refused, the socket open.
    await bob.send_json_to(
        {"type": "message.send", "conversation_id": first_id, "client_id": "late-1", "body": "late"}
    )
    error = await receive_until(bob, "error")
    assert (error[-1]["code"], error[-1]["ref"]) == ("conversation_superseded", "late-1")
    await bob.send_json_to({"type": "ping"})
    assert (await receive_until(bob, "pong"))[-1] == {"type": "pong"}
    for socket in (visitor, bob):
        await socket.disconnect()
