"""The agent socket: session auth, origin lock, inbox events, conversations and notifications."""

from typing import Any

import pytest
from channels.db import database_sync_to_async

from server.conversations.models import AgentReadMark, Conversation
from server.conversations.services.conversations import send_notification
from server.conversations.services.messages import do_post_agent_message
from server.protocol.wire import message_wire
from server.realtime import access
from server.realtime.consumers import agent as agent_module
from tests.conftest import agent_socket, connect_agent, connect_visitor
from tests.realtime.test_visitor_socket import member_count, receive_types, send_message

pytestmark = pytest.mark.django_db(transaction=True)


async def start_conversation(visitor: Any, body: str = "Hello?") -> tuple[Any, str]:
    """Connect a visitor, send one message, and return its socket and conversation id."""
    communicator, _ = await connect_visitor(visitor)
    ack = await send_message(communicator, body, "v-1")
    return communicator, ack["message"]["conversation_id"]


async def test_anonymous_socket_is_told_and_closed_4401(db, layer_groups):
    """Without a console session the socket gets not_authenticated and close 4401, joining nothing."""
    communicator = await agent_socket(None)
    connected, _ = await communicator.connect()
    assert connected
    error = await communicator.receive_json_from()
    assert error["code"] == "not_authenticated"
    assert await communicator.receive_output() == {"type": "websocket.close", "code": 4401}
    assert member_count(layer_groups) == 0


@pytest.mark.parametrize("origin", ["https://shop.acme.test", "http://testserver:8001", "null"])
async def test_foreign_origin_is_refused_even_with_a_valid_session(agent_bob, origin):
    """A page elsewhere (even the same host on another port) cannot ride the agent's cookie."""
    communicator = await agent_socket(agent_bob, origin=origin)
    connected, _ = await communicator.connect()
    assert not connected


async def test_ready_lists_the_agents_sites_and_inbox(agent_bob, visitor_alice):
    """ready carries the agent, its sites and its sites' conversations with the read mark."""
    visitor, conversation_id = await start_conversation(visitor_alice)
    agent, ready = await connect_agent(agent_bob)
    assert ready["agent"] == {"id": agent_bob.pk, "name": "Bob"}
    assert ready["sites"] == [{"id": visitor_alice.site.pk, "name": "Acme"}]
    [summary] = ready["inbox"]
    assert summary["id"] == conversation_id
    assert summary["last_message"]["body"] == "Hello?"
    assert summary["last_read_seq"] == 0
    assert summary["visitor"]["id"] == visitor_alice.visitor_id
    await visitor.disconnect()
    await agent.disconnect()


async def test_a_new_conversation_and_its_messages_reach_the_inbox_live(agent_bob, visitor_alice):
    """inbox.update arrives when a visitor starts a conversation and when it writes again."""
    agent, ready = await connect_agent(agent_bob)
    assert ready["inbox"] == []
    visitor, conversation_id = await start_conversation(visitor_alice, "First")
    update = await agent.receive_json_from()
    assert update["type"] == "inbox.update"
    assert update["conversation"]["id"] == conversation_id
    assert update["conversation"]["last_message"]["body"] == "First"
    assert update["conversation"]["last_read_seq"] is None
    await send_message(visitor, "Second", "v-2")
    update = await agent.receive_json_from()
    assert (update["type"], update["conversation"]["last_seq"]) == ("inbox.update", 2)
    await visitor.disconnect()
    await agent.disconnect()


async def test_opening_a_conversation_sends_history_and_marks_it_read(agent_bob, visitor_alice):
    """conversation.opened carries the history after after_seq and the read mark moves to the end."""
    visitor, conversation_id = await start_conversation(visitor_alice)
    await send_message(visitor, "Are you there?", "v-2")
    agent, _ = await connect_agent(agent_bob)
    await agent.send_json_to(
        {"type": "conversation.open", "conversation_id": conversation_id, "after_seq": 1}
    )
    opened = await agent.receive_json_from()
    assert opened["type"] == "conversation.opened"
    assert [message["body"] for message in opened["messages"]] == ["Are you there?"]
    assert opened["conversation"]["last_read_seq"] == 2
    mark = await database_sync_to_async(AgentReadMark.objects.get)(user=agent_bob)
    assert mark.last_read_seq == 2
    await visitor.disconnect()
    await agent.disconnect()


async def test_agent_sees_live_messages_of_an_open_conversation(agent_bob, visitor_alice):
    """After conversation.open, the visitor's messages arrive as message.new."""
    visitor, conversation_id = await start_conversation(visitor_alice)
    agent, _ = await connect_agent(agent_bob)
    await agent.send_json_to({"type": "conversation.open", "conversation_id": conversation_id})
    await agent.receive_json_from()
    await send_message(visitor, "Live one", "v-2")
    frames = await receive_types(agent, {"message.new", "inbox.update"})
    assert frames["message.new"]["message"]["body"] == "Live one"
    await visitor.disconnect()
    await agent.disconnect()


async def test_reply_is_acked_and_a_retry_is_stored_once(agent_bob, visitor_alice):
    """An agent's message.send is acked; the same client_id again returns the same message."""
    visitor, conversation_id = await start_conversation(visitor_alice)
    agent, _ = await connect_agent(agent_bob)
    frame = {"type": "message.send", "conversation_id": conversation_id, "client_id": "a-1", "body": "On it"}
    await agent.send_json_to(frame)
    first = (await receive_types(agent, {"message.ack"}))["message.ack"]
    await agent.send_json_to(frame)
    second = (await receive_types(agent, {"message.ack"}))["message.ack"]
    assert first["message"] == second["message"]
    assert first["message"]["author"] == "agent"
    conversation = await database_sync_to_async(Conversation.objects.get)(pk=conversation_id)
    assert conversation.last_seq == 2
    await visitor.disconnect()
    await agent.disconnect()


async def test_read_mark_is_stored_and_never_moves_back(agent_bob, visitor_alice):
    """conversation.read raises the agent's mark, capped at the last message."""
    visitor, conversation_id = await start_conversation(visitor_alice)
    agent, _ = await connect_agent(agent_bob)
    await agent.send_json_to({"type": "conversation.read", "conversation_id": conversation_id, "seq": 99})
    await agent.send_json_to({"type": "conversation.read", "conversation_id": conversation_id, "seq": 0})
    await agent.send_json_to({"type": "ping"})
    assert (await receive_types(agent, {"pong"}))["pong"] == {"type": "pong"}
    mark = await database_sync_to_async(AgentReadMark.objects.get)(user=agent_bob)
    assert mark.last_read_seq == 1
    await visitor.disconnect()
    await agent.disconnect()


async def test_sync_returns_history_after_a_seq(agent_bob, visitor_alice):
    """sync answers history with the messages after after_seq."""
    visitor, conversation_id = await start_conversation(visitor_alice)
    await send_message(visitor, "two", "v-2")
    agent, _ = await connect_agent(agent_bob)
    await agent.send_json_to({"type": "sync", "conversation_id": conversation_id, "after_seq": 1})
    history = (await receive_types(agent, {"history"}))["history"]
    assert [message["seq"] for message in history["messages"]] == [2]
    await visitor.disconnect()
    await agent.disconnect()


async def test_an_agent_of_another_site_receives_nothing_of_it(agent_bob, agent_eve, visitor_alice):
    """Eve (Globex) sees no Acme conversation in ready, gets no inbox.update, and cannot open or reply."""
    eve, ready = await connect_agent(agent_eve)
    assert ready["inbox"] == []
    visitor, conversation_id = await start_conversation(visitor_alice)
    await send_message(visitor, "secret order number", "v-2")
    assert await eve.receive_nothing(timeout=0.3)
    for frame in (
        {"type": "conversation.open", "conversation_id": conversation_id},
        {"type": "sync", "conversation_id": conversation_id, "after_seq": 0},
        {"type": "message.send", "conversation_id": conversation_id, "client_id": "e-1", "body": "hi"},
        {"type": "conversation.read", "conversation_id": conversation_id, "seq": 1},
    ):
        await eve.send_json_to(frame)
        error = await eve.receive_json_from()
        assert (error["type"], error["code"]) == ("error", "not_found")
    assert await eve.receive_nothing(timeout=0.2)
    conversation = await database_sync_to_async(Conversation.objects.get)(pk=conversation_id)
    assert conversation.last_seq == 2
    await visitor.disconnect()
    await eve.disconnect()


async def test_send_notification_from_synchronous_code_reaches_the_agent(agent_bob):
    """send_notification called from sync code (a view, a command) arrives as a notification frame."""
    agent, _ = await connect_agent(agent_bob)
    await database_sync_to_async(send_notification)(user_id=agent_bob.pk, payload={"title": "Export ready"})
    assert await agent.receive_json_from() == {"type": "notification", "payload": {"title": "Export ready"}}
    await agent.disconnect()


async def test_agent_message_posted_from_synchronous_code_reaches_the_visitor(agent_bob, visitor_alice):
    """do_post_agent_message called outside any socket is stored and delivered to the visitor."""
    visitor, conversation_id = await start_conversation(visitor_alice)
    posted = await database_sync_to_async(do_post_agent_message)(
        agent=agent_bob, conversation_id=conversation_id, body="Sent from a script"
    )
    new = await visitor.receive_json_from()
    while new["type"] != "message.new" or new["message"]["seq"] != 2:
        new = await visitor.receive_json_from()
    assert new["message"] == message_wire(posted.message).model_dump(mode="json")
    assert new["message"]["client_id"] is None
    await visitor.disconnect()


async def test_disconnect_leaves_every_group(agent_bob, visitor_alice, layer_groups):
    """After an agent socket closes, neither its site, personal nor followed-conversation group lists it."""
    visitor, conversation_id = await start_conversation(visitor_alice)
    await visitor.disconnect()
    agent, _ = await connect_agent(agent_bob)
    await agent.send_json_to({"type": "conversation.open", "conversation_id": conversation_id})
    await agent.receive_json_from()
    # Its site's agents, itself, and the conversation it follows (typing and the visitor's read marks);
    # messages still ride on the site's group.
    assert member_count(layer_groups) == 3
    await agent.disconnect()
    assert member_count(layer_groups) == 0


async def test_leave_stops_live_messages(agent_bob, visitor_alice):
    """After conversation.leave the agent no longer receives that conversation's message.new."""
    visitor, conversation_id = await start_conversation(visitor_alice)
    agent, _ = await connect_agent(agent_bob)
    await agent.send_json_to({"type": "conversation.open", "conversation_id": conversation_id})
    await agent.receive_json_from()
    await agent.send_json_to({"type": "conversation.leave", "conversation_id": conversation_id})
    await send_message(visitor, "after leaving", "v-2")
    update = await agent.receive_json_from()
    assert update["type"] == "inbox.update"
    assert await agent.receive_nothing(timeout=0.2)
    await visitor.disconnect()
    await agent.disconnect()


async def test_following_too_many_conversations_is_refused(agent_bob, visitor_alice, settings):
    """Past PARLEY_AGENT_OPEN_CONVERSATIONS_MAX, conversation.open answers limit_reached and joins nothing."""
    settings.PARLEY_AGENT_OPEN_CONVERSATIONS_MAX = 0
    visitor, conversation_id = await start_conversation(visitor_alice)
    agent, _ = await connect_agent(agent_bob)
    await agent.send_json_to({"type": "conversation.open", "conversation_id": conversation_id})
    error = (await receive_types(agent, {"error"}))["error"]
    assert (error["code"], error["ref"]) == ("limit_reached", "conversation.open")
    await visitor.disconnect()
    await agent.disconnect()


async def test_access_is_read_again_at_most_once_per_interval(
    agent_bob, visitor_alice, settings, monkeypatch
):
    """Within PARLEY_AGENT_ACCESS_RECHECK_SECONDS frames and relays read nothing more; past it, once each."""
    reads: list[int] = []

    def counted(**kwargs: Any) -> Any:
        reads.append(kwargs["user_id"])
        return access.current_access(**kwargs)

    monkeypatch.setattr(agent_module, "current_access", counted)
    settings.PARLEY_AGENT_ACCESS_RECHECK_SECONDS = 3600
    visitor, conversation_id = await start_conversation(visitor_alice)
    agent, _ = await connect_agent(agent_bob)
    assert reads == [agent_bob.pk]  # at connect
    await send_message(visitor, "relayed", "v-2")
    await agent.send_json_to({"type": "sync", "conversation_id": conversation_id, "after_seq": 0})
    await receive_types(agent, {"inbox.update", "history"})
    assert reads == [agent_bob.pk]
    settings.PARLEY_AGENT_ACCESS_RECHECK_SECONDS = 0
    await agent.send_json_to({"type": "ping"})
    await receive_types(agent, {"pong"})
    assert reads == [agent_bob.pk] * 2
    await visitor.disconnect()
    await agent.disconnect()
