"""The visitor socket: handshake checks, token checks, messages, retries and resume."""

import json
import time
from typing import Any

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.core import signing

from server.asgi import application
from server.conversations.models import Message
from server.realtime.consumers.base import ParleyConsumer
from tests.conftest import (
    ACME_ORIGIN,
    GLOBEX_ORIGIN,
    connect_agent,
    connect_visitor,
    visitor_socket,
)

pytestmark = pytest.mark.django_db(transaction=True)


def member_count(layer: Any) -> int:
    """How many socket memberships the in-memory layer holds, over all groups."""
    return sum(len(members) for members in layer.groups.values())


async def receive_types(communicator: Any, wanted: set[str]) -> dict[str, dict[str, Any]]:
    """Receive frames until one of each wanted type has arrived; return the last of each type."""
    frames: dict[str, dict[str, Any]] = {}
    while not wanted <= set(frames):
        frame = await communicator.receive_json_from()
        frames[frame["type"]] = frame
    return frames


async def send_message(communicator: Any, body: str, client_id: str) -> dict[str, Any]:
    """Send a message and return its ack."""
    await communicator.send_json_to({"type": "message.send", "client_id": client_id, "body": body})
    while True:
        frame = await communicator.receive_json_from()
        if frame["type"] == "message.ack":
            return frame  # type: ignore[no-any-return]


async def visitor_with_agent_following(visitor: Any, agent: Any) -> tuple[Any, Any, str]:
    """The visitor's socket after a first message, and an agent's socket that opened its conversation."""
    visitor_communicator, _ = await connect_visitor(visitor)
    ack = await send_message(visitor_communicator, "hello?", "c-1")
    agent_socket, _ = await connect_agent(agent)
    conversation_id = ack["message"]["conversation_id"]
    await agent_socket.send_json_to({"type": "conversation.open", "conversation_id": conversation_id})
    assert (await agent_socket.receive_json_from())["type"] == "conversation.opened"
    return visitor_communicator, agent_socket, conversation_id


async def test_foreign_origin_is_refused_before_any_group_is_joined(visitor_alice, layer_groups):
    """A page on an origin the site does not allow cannot open its visitor socket."""
    communicator = visitor_socket(visitor_alice.site, origin="https://evil.test")
    connected, _ = await communicator.connect()
    assert not connected
    assert member_count(layer_groups) == 0


async def test_missing_origin_is_refused(visitor_alice):
    """A handshake without an Origin header is refused."""
    connected, _ = await visitor_socket(visitor_alice.site, origin=None).connect()
    assert not connected


async def test_unknown_site_key_is_refused(visitor_alice):
    """A socket for a site key nobody has is refused."""
    communicator = WebsocketCommunicator(
        application, "/ws/visitor/no-such-site/", headers=[(b"origin", ACME_ORIGIN.encode())]
    )
    connected, _ = await communicator.connect()
    assert not connected


async def test_hello_with_a_tampered_token_closes_4401_without_joining(visitor_alice, layer_groups):
    """A token whose signature does not match is refused with token_invalid and close 4401."""
    communicator = visitor_socket(visitor_alice.site)
    assert (await communicator.connect())[0]
    await communicator.send_json_to({"type": "hello", "token": visitor_alice.token[:-2] + "xx"})
    error = await communicator.receive_json_from()
    assert error["type"] == "error"
    assert error["code"] == "token_invalid"
    assert await communicator.receive_output() == {"type": "websocket.close", "code": 4401}
    assert member_count(layer_groups) == 0


async def test_hello_with_an_expired_token_closes_4401(visitor_alice, monkeypatch, layer_groups):
    """A token older than PARLEY_VISITOR_TOKEN_MAX_AGE is refused."""
    real_time = time.time
    monkeypatch.setattr("django.core.signing.time.time", lambda: real_time() - 31 * 24 * 3600)
    old_token = signing.TimestampSigner(salt="parley.visitor-token", sep=".").sign_object(
        {"s": visitor_alice.site.pk, "v": visitor_alice.visitor_id.replace("-", "")}
    )
    monkeypatch.setattr("django.core.signing.time.time", real_time)
    communicator = visitor_socket(visitor_alice.site)
    assert (await communicator.connect())[0]
    await communicator.send_json_to({"type": "hello", "token": old_token})
    error = await communicator.receive_json_from()
    assert error["code"] == "token_invalid"
    assert "expired" in error["message"]
    assert await communicator.receive_output() == {"type": "websocket.close", "code": 4401}
    assert member_count(layer_groups) == 0


async def test_token_of_site_a_cannot_open_site_b_socket(visitor_alice, site_globex, layer_groups):
    """Acme's visitor token on Globex's socket is refused with token_wrong_site and close 4403."""
    communicator = visitor_socket(site_globex, origin=GLOBEX_ORIGIN)
    assert (await communicator.connect())[0]
    await communicator.send_json_to({"type": "hello", "token": visitor_alice.token})
    error = await communicator.receive_json_from()
    assert error["code"] == "token_wrong_site"
    assert await communicator.receive_output() == {"type": "websocket.close", "code": 4403}
    assert member_count(layer_groups) == 0


async def test_a_frame_before_hello_closes_4401(visitor_alice):
    """Nothing but hello is accepted on a fresh socket."""
    communicator = visitor_socket(visitor_alice.site)
    assert (await communicator.connect())[0]
    await communicator.send_json_to({"type": "message.send", "client_id": "c1", "body": "hi"})
    error = await communicator.receive_json_from()
    assert error["code"] == "hello_required"
    assert await communicator.receive_output() == {"type": "websocket.close", "code": 4401}


async def test_no_hello_in_time_closes_4408(visitor_alice, settings):
    """A socket that never says hello is closed after PARLEY_HELLO_TIMEOUT."""
    settings.PARLEY_HELLO_TIMEOUT = 0.2
    communicator = visitor_socket(visitor_alice.site)
    assert (await communicator.connect())[0]
    assert await communicator.receive_output(timeout=2) == {"type": "websocket.close", "code": 4408}


async def test_ready_carries_no_conversation_for_a_new_visitor(visitor_alice):
    """A new visitor's ready frame has no conversation and no messages."""
    communicator, ready = await connect_visitor(visitor_alice)
    assert ready == {
        "type": "ready",
        "visitor": {"id": visitor_alice.visitor_id},
        "conversation": None,
        "messages": [],
        "has_more": False,
        "availability": "away",
    }
    await communicator.disconnect()


async def test_first_message_starts_a_conversation_and_is_acked_and_broadcast(visitor_alice):
    """The first message.send starts a conversation, is stored with seq 1, acked and broadcast."""
    communicator, _ = await connect_visitor(visitor_alice)
    await communicator.send_json_to(
        {"type": "message.send", "client_id": "c-1", "body": "  Where is my order?  "}
    )
    frames = await receive_types(communicator, {"conversation.started", "message.ack", "message.new"})
    ack = frames["message.ack"]
    assert ack["client_id"] == "c-1"
    assert ack["message"]["seq"] == 1
    assert ack["message"]["body"] == "Where is my order?"
    assert ack["message"]["author"] == "visitor"
    assert frames["message.new"]["message"] == ack["message"]
    assert frames["conversation.started"]["conversation"]["id"] == ack["message"]["conversation_id"]
    await communicator.disconnect()


async def test_later_messages_are_broadcast_to_the_sender_too(visitor_alice):
    """Each stored message also reaches the sender's sockets as message.new."""
    communicator, _ = await connect_visitor(visitor_alice)
    await send_message(communicator, "first", "c-1")
    await communicator.send_json_to({"type": "message.send", "client_id": "c-2", "body": "second"})
    new = await communicator.receive_json_from()
    while new["type"] != "message.new" or new["message"]["seq"] != 2:
        new = await communicator.receive_json_from()
    assert new["message"]["body"] == "second"
    await communicator.disconnect()


async def test_other_tab_is_told_of_the_new_conversation(visitor_alice):
    """A visitor's second socket receives conversation.started, can sync it, then gets new messages."""
    first, _ = await connect_visitor(visitor_alice)
    second, _ = await connect_visitor(visitor_alice)
    ack = await send_message(first, "hello", "c-1")
    started = await second.receive_json_from()
    assert started["type"] == "conversation.started"
    conversation_id = started["conversation"]["id"]
    assert conversation_id == ack["message"]["conversation_id"]
    await second.send_json_to({"type": "sync", "conversation_id": conversation_id, "after_seq": 0})
    frames: list[dict[str, Any]] = []
    while not any(frame["type"] == "history" for frame in frames):
        frames.append(await second.receive_json_from())
    history = next(frame for frame in frames if frame["type"] == "history")
    assert [message["body"] for message in history["messages"]] == ["hello"]
    await send_message(first, "second", "c-2")
    new = await second.receive_json_from()
    while new["type"] != "message.new" or new["message"]["seq"] != 2:
        new = await second.receive_json_from()
    assert new["message"]["body"] == "second"
    await first.disconnect()
    await second.disconnect()


async def test_a_retried_client_id_is_stored_once(visitor_alice):
    """Sending the same client_id three times stores one message and acks it three times."""
    communicator, _ = await connect_visitor(visitor_alice)
    acks = [await send_message(communicator, "only once", "same-id") for _ in range(3)]
    assert {ack["message"]["id"] for ack in acks} == {acks[0]["message"]["id"]}
    count = await database_sync_to_async(Message.objects.filter(client_id="same-id").count)()
    assert count == 1
    await communicator.disconnect()


async def test_reconnect_with_last_seq_receives_only_what_was_missed(visitor_alice):
    """A hello with last_seq gets exactly the messages after it, in order."""
    communicator, _ = await connect_visitor(visitor_alice)
    for index in range(1, 5):
        await send_message(communicator, f"m{index}", f"c-{index}")
    await communicator.disconnect()
    resumed, ready = await connect_visitor(visitor_alice, last_seq=2)
    assert [message["seq"] for message in ready["messages"]] == [3, 4]
    assert ready["conversation"]["last_seq"] == 4
    await resumed.disconnect()


async def test_disconnect_leaves_every_group(visitor_alice, layer_groups):
    """After a visitor socket closes, no group still lists it."""
    communicator, _ = await connect_visitor(visitor_alice)
    await send_message(communicator, "hi", "c-1")
    # Its visitor group (its conversations' messages come through it) and its site's visitors (availability).
    assert member_count(layer_groups) == 2
    await communicator.disconnect()
    assert member_count(layer_groups) == 0


async def test_ping_is_answered_with_pong(visitor_alice):
    """ping gets pong."""
    communicator, _ = await connect_visitor(visitor_alice)
    await communicator.send_json_to({"type": "ping"})
    assert await communicator.receive_json_from() == {"type": "pong"}
    await communicator.disconnect()


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ("not json", "bad_frame"),
        ("[1, 2]", "bad_frame"),
        ('{"no": "type"}', "bad_frame"),
        ('{"type": "launch.missiles"}', "unknown_type"),
        ('{"type": "message.send", "body": "x"}', "invalid_field"),
        ('{"type": "message.send", "client_id": "has spaces", "body": "x"}', "invalid_field"),
        ('{"type": "message.send", "client_id": "c", "body": 42}', "invalid_field"),
        ('{"type": "message.send", "client_id": "c", "body": "   "}', "empty_body"),
        ('{"type": "message.send", "client_id": "c", "body": "a\\u0000b"}', "invalid_field"),
        ('{"type": "message.send", "client_id": "c", "body": "\\ud800"}', "invalid_field"),
        ('{"type": "sync", "conversation_id": "nope", "after_seq": 0}', "invalid_field"),
        (
            '{"type": "sync", "conversation_id": "6f1c2b1e-0000-4000-8000-000000000000", "after_seq": -1}',
            "invalid_field",
        ),
        (
            '{"type": "sync", "conversation_id": "6f1c2b1e-0000-4000-8000-000000000000", "after_seq": 0}',
            "not_found",
        ),
    ],
)
async def test_bad_frames_get_an_error_code_and_the_socket_stays_open(visitor_alice, raw, code):
    """Each kind of bad input gets its error code; nothing is stored and the socket stays usable."""
    communicator, _ = await connect_visitor(visitor_alice)
    await communicator.send_to(text_data=raw)
    error = await communicator.receive_json_from()
    assert error["type"] == "error"
    assert error["code"] == code
    await communicator.send_json_to({"type": "ping"})
    assert await communicator.receive_json_from() == {"type": "pong"}
    assert await database_sync_to_async(Message.objects.count)() == 0
    await communicator.disconnect()


@pytest.mark.parametrize(
    ("raw", "ref"),
    [
        ('{"type": "message.send", "client_id": "c-1", "body": "a\\u0000b"}', "c-1"),
        ('{"type": "message.send", "client_id": "c-2", "body": 42}', "c-2"),
        ('{"type": "message.send", "client_id": "has spaces", "body": "x"}', "message.send"),
        ('{"type": "sync", "conversation_id": "nope", "after_seq": 0}', "sync"),
        ("not json", None),
        # Over PARLEY_FRAME_MAX_BYTES (16 KiB), and still read to be named, up to eight times that.
        ('{"type": "message.send", "client_id": "c-3", "body": "' + "\\u0001" * 4000 + '"}', "c-3"),
        ('{"type": "message.send", "client_id": "c-4", "body": "' + "x" * 140_000 + '"}', None),
        ('{"type": [], "client_id": "c-5", "body": "' + "x" * 20_000 + '"}', None),
    ],
)
async def test_a_frame_refused_for_a_field_names_itself_in_the_error(visitor_alice, raw, ref):
    """A frame that was read but refused is named by its client_id (else its type) in `ref`, so the
    sender knows which message was refused, even one too large; one that could not be read gets null."""
    communicator, _ = await connect_visitor(visitor_alice)
    await communicator.send_to(text_data=raw)
    error = await communicator.receive_json_from()
    assert (error["type"], error["ref"]) == ("error", ref)
    await communicator.disconnect()


async def test_too_long_body_is_refused(visitor_alice, settings):
    """A body over PARLEY_MESSAGE_MAX_LENGTH gets body_too_long and is not stored."""
    settings.PARLEY_MESSAGE_MAX_LENGTH = 10
    communicator, _ = await connect_visitor(visitor_alice)
    await communicator.send_json_to({"type": "message.send", "client_id": "c", "body": "x" * 11})
    error = await communicator.receive_json_from()
    assert (error["code"], error["ref"]) == ("body_too_long", "c")
    assert await database_sync_to_async(Message.objects.count)() == 0
    await communicator.disconnect()


async def test_oversized_and_binary_frames_are_refused(visitor_alice, settings):
    """Frames over PARLEY_FRAME_MAX_BYTES and binary frames get an error, not a crash."""
    settings.PARLEY_FRAME_MAX_BYTES = 200
    communicator, _ = await connect_visitor(visitor_alice)
    await communicator.send_to(
        text_data=json.dumps({"type": "message.send", "client_id": "c", "body": "é" * 150})
    )
    assert (await communicator.receive_json_from())["code"] == "frame_too_large"
    await communicator.send_to(bytes_data=b"\x00\x01")
    assert (await communicator.receive_json_from())["code"] == "bad_frame"
    await communicator.disconnect()


async def test_a_flood_of_frames_is_rate_limited(visitor_alice, settings):
    """Past the burst, frames are dropped with rate_limited and nothing extra is stored."""
    settings.PARLEY_FRAME_RATE = 1
    settings.PARLEY_FRAME_BURST = 3
    communicator = visitor_socket(visitor_alice.site)
    assert (await communicator.connect())[0]
    await communicator.send_json_to({"type": "hello", "token": visitor_alice.token})
    assert (await communicator.receive_json_from())["type"] == "ready"
    for index in range(5):
        await communicator.send_json_to({"type": "ping", "n": index})
    frames = [await communicator.receive_json_from() for _ in range(5)]
    assert [frame["type"] for frame in frames].count("pong") == 2
    limited = [frame for frame in frames if frame.get("code") == "rate_limited"]
    assert len(limited) == 3
    assert {frame["ref"] for frame in limited} == {"ping"}
    await communicator.disconnect()


async def test_agent_reply_reaches_the_visitor(visitor_alice, agent_bob):
    """An agent's reply arrives at the visitor's socket as message.new with the agent's name."""
    visitor, agent, conversation_id = await visitor_with_agent_following(visitor_alice, agent_bob)
    await agent.send_json_to(
        {
            "type": "message.send",
            "conversation_id": conversation_id,
            "client_id": "a-1",
            "body": "Hi, Bob here",
        }
    )
    frame = await visitor.receive_json_from()
    while frame["type"] != "message.new" or frame["message"]["author"] != "agent":
        frame = await visitor.receive_json_from()
    assert frame["message"]["body"] == "Hi, Bob here"
    assert frame["message"]["author_name"] == "Bob"
    assert frame["message"]["agent_id"] == agent_bob.pk
    assert frame["message"]["seq"] == 2
    await visitor.disconnect()
    await agent.disconnect()


async def test_sends_of_many_visitors_at_once_are_each_acked_once(visitor_alice, visitor_carol, agent_bob):
    """Sends that arrive together (stored as one batch) are each acked once, and the agent gets them all."""
    agent, _ = await connect_agent(agent_bob)
    sockets = {
        "alice": (await connect_visitor(visitor_alice))[0],
        "carol": (await connect_visitor(visitor_carol))[0],
    }
    for name, communicator in sockets.items():
        await send_message(communicator, "hello", f"{name}-0")  # both conversations are open
    for number in range(1, 5):
        for name, communicator in sockets.items():
            await communicator.send_json_to(
                {"type": "message.send", "client_id": f"{name}-{number}", "body": f"{name} {number}"}
            )
    for name, communicator in sockets.items():
        acks: list[dict[str, Any]] = []
        while len(acks) < 4:
            frame = await communicator.receive_json_from()
            if frame["type"] == "message.ack":
                acks.append(frame)
        assert [(ack["client_id"], ack["message"]["seq"]) for ack in acks] == [
            (f"{name}-{number}", number + 1) for number in range(1, 5)
        ]
    inbox_bodies: list[str] = []
    while len(inbox_bodies) < 10:
        frame = await agent.receive_json_from()
        if frame["type"] == "inbox.update":
            inbox_bodies.append(frame["conversation"]["last_message"]["body"])
    assert sorted(inbox_bodies) == sorted(
        ["hello", "hello", *(f"{name} {number}" for name in sockets for number in range(1, 5))]
    )
    for communicator in [agent, *sockets.values()]:
        await communicator.disconnect()


async def test_an_agent_on_the_same_process_gets_the_message_before_its_sender_the_ack(
    visitor_alice, agent_bob, monkeypatch
):
    """On one process the agent following a conversation is sent a visitor's message before the ack."""
    visitor, agent, _ = await visitor_with_agent_following(visitor_alice, agent_bob)
    sent: list[tuple[str, str]] = []
    real_send = ParleyConsumer.send

    async def recording_send(self: ParleyConsumer, text_data: str | None = None, **kwargs: Any) -> None:
        sent.append((type(self).__name__, json.loads(text_data or "{}")["type"]))
        await real_send(self, text_data, **kwargs)

    monkeypatch.setattr(ParleyConsumer, "send", recording_send)
    await send_message(visitor, "are you there?", "c-2")
    await receive_types(agent, {"message.new", "inbox.update"})
    assert sent.index(("AgentConsumer", "message.new")) < sent.index(("VisitorConsumer", "message.ack"))
    await visitor.disconnect()
    await agent.disconnect()
