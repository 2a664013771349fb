"""The visitor socket's limits (server/limits/): handshakes, hellos, messages and new conversations."""

from typing import Any

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator

from server.conversations.models import Conversation, Message
from tests.conftest import ACME_ORIGIN, VisitorIdentity, start_visitor, visitor_socket
from tests.processes import free_port

pytestmark = pytest.mark.django_db(transaction=True)


def socket_from(visitor: VisitorIdentity, ip: str) -> WebsocketCommunicator:
    """A visitor socket whose peer address is `ip`."""
    communicator = visitor_socket(visitor.site, origin=ACME_ORIGIN)
    communicator.scope["client"] = [ip, 40000]
    return communicator


async def hello_from(visitor: VisitorIdentity, ip: str) -> tuple[WebsocketCommunicator, dict[str, Any]]:
    """Open a socket from `ip`, say hello, and return it with its answer (ready or error)."""
    communicator = socket_from(visitor, ip)
    connected, _ = await communicator.connect()
    assert connected
    await communicator.send_json_to({"type": "hello", "token": visitor.token})
    return communicator, await communicator.receive_json_from()


async def send(communicator: WebsocketCommunicator, client_id: str) -> dict[str, Any]:
    """Send a message and return the answer naming it (its ack or its error)."""
    await communicator.send_json_to({"type": "message.send", "client_id": client_id, "body": "hi"})
    while True:
        frame = await communicator.receive_json_from()
        if frame.get("client_id") == client_id or frame.get("ref") == client_id:
            return frame  # type: ignore[no-any-return]


async def test_handshakes_over_the_ip_limit_get_an_error_frame_and_4429(settings, visitor_alice):
    """2/minute per IP, a 3rd handshake → accepted, error connection_limited with retry_after, close 4429."""
    settings.PARLEY_LIMIT_HANDSHAKES_PER_IP = "2/minute"
    for _ in range(2):
        communicator = socket_from(visitor_alice, "198.51.100.1")
        assert (await communicator.connect())[0]
        await communicator.disconnect()
    refused = socket_from(visitor_alice, "198.51.100.1")
    assert (await refused.connect())[0]
    error = await refused.receive_json_from()
    assert (error["code"], error["ref"]) == ("connection_limited", None)
    assert error["retry_after"] >= 1
    assert await refused.receive_output() == {"type": "websocket.close", "code": 4429}
    other_ip = socket_from(visitor_alice, "198.51.100.2")
    assert (await other_ip.connect())[0]
    await other_ip.disconnect()


async def test_hellos_over_the_visitor_limit_close_4429(settings, visitor_alice):
    """2 hellos/minute per visitor, from any IPs, a 3rd → connection_limited answering `hello`, 4429."""
    settings.PARLEY_LIMIT_HELLOS_PER_VISITOR = "2/minute"
    for ip in ("198.51.100.1", "198.51.100.2"):
        communicator, ready = await hello_from(visitor_alice, ip)
        assert ready["type"] == "ready"
        await communicator.disconnect()
    communicator, error = await hello_from(visitor_alice, "198.51.100.3")
    assert (error["code"], error["ref"]) == ("connection_limited", "hello")
    assert await communicator.receive_output() == {"type": "websocket.close", "code": 4429}


async def test_messages_are_limited_per_visitor_across_its_sockets(settings, visitor_alice):
    """3/minute per visitor over two sockets, a 4th → rate_limited, ref its client_id, not stored; the
    socket stays open."""
    settings.PARLEY_LIMIT_MESSAGES_PER_VISITOR = "3/minute"
    first, _ = await hello_from(visitor_alice, "198.51.100.1")
    second, _ = await hello_from(visitor_alice, "198.51.100.1")
    assert (await send(first, "c-1"))["type"] == "message.ack"
    assert (await send(second, "c-2"))["type"] == "message.ack"
    assert (await send(first, "c-3"))["type"] == "message.ack"
    error = await send(second, "c-4")
    assert (error["code"], error["ref"]) == ("rate_limited", "c-4")
    assert error["retry_after"] >= 1
    assert await database_sync_to_async(Message.objects.count)() == 3
    await second.send_json_to({"type": "ping"})
    assert (await second.receive_json_from())["type"] == "pong"
    await first.disconnect()
    await second.disconnect()


async def test_messages_are_limited_per_ip_across_visitors(settings, site_acme):
    """2/minute per IP, two visitors from it: the 3rd message → rate_limited; another IP still sends."""
    settings.PARLEY_LIMIT_MESSAGES_PER_IP = "2/minute"
    visitors = [await database_sync_to_async(start_visitor)(site_acme) for _ in range(3)]
    sockets = [(await hello_from(visitor, "198.51.100.1"))[0] for visitor in visitors[:2]]
    assert (await send(sockets[0], "c-1"))["type"] == "message.ack"
    assert (await send(sockets[1], "c-2"))["type"] == "message.ack"
    assert (await send(sockets[1], "c-3"))["code"] == "rate_limited"
    elsewhere, _ = await hello_from(visitors[2], "198.51.100.2")
    assert (await send(elsewhere, "c-4"))["type"] == "message.ack"
    for communicator in [*sockets, elsewhere]:
        await communicator.disconnect()


async def test_new_conversations_are_limited_per_ip_not_messages_in_them(settings, site_acme):
    """1 new conversation/minute per IP: a 2nd visitor's first message → rate_limited; the 1st visitor's
    further messages (its conversation is open) → stored."""
    settings.PARLEY_LIMIT_NEW_CONVERSATIONS_PER_IP = "1/minute"
    alice, carol = [await database_sync_to_async(start_visitor)(site_acme) for _ in range(2)]
    alice_socket, _ = await hello_from(alice, "198.51.100.1")
    carol_socket, _ = await hello_from(carol, "198.51.100.1")
    assert (await send(alice_socket, "a-1"))["type"] == "message.ack"
    assert (await send(alice_socket, "a-2"))["type"] == "message.ack"
    error = await send(carol_socket, "c-1")
    assert (error["code"], error["ref"]) == ("rate_limited", "c-1")
    assert await database_sync_to_async(Conversation.objects.count)() == 1
    # Alice's second socket learns of her open conversation from `ready`: no new conversation counted.
    alice_again, ready = await hello_from(alice, "198.51.100.1")
    assert ready["conversation"] is not None
    assert (await send(alice_again, "a-3"))["type"] == "message.ack"
    for communicator in (alice_socket, carol_socket, alice_again):
        await communicator.disconnect()


async def test_new_conversations_are_limited_per_site(settings, site_acme):
    """1 new conversation/minute per site: a visitor from another IP starting one → rate_limited."""
    settings.PARLEY_LIMIT_NEW_CONVERSATIONS_PER_SITE = "1/minute"
    alice, carol = [await database_sync_to_async(start_visitor)(site_acme) for _ in range(2)]
    alice_socket, _ = await hello_from(alice, "198.51.100.1")
    carol_socket, _ = await hello_from(carol, "198.51.100.2")
    assert (await send(alice_socket, "a-1"))["type"] == "message.ack"
    assert (await send(carol_socket, "c-1"))["code"] == "rate_limited"
    await alice_socket.disconnect()
    await carol_socket.disconnect()


async def test_a_conversation_started_on_another_socket_is_not_counted_again(settings, visitor_alice):
    """Two sockets of one visitor, the first starts the conversation → the second's message is stored
    although it is over the new-conversation limit."""
    settings.PARLEY_LIMIT_NEW_CONVERSATIONS_PER_IP = "1/minute"
    first, _ = await hello_from(visitor_alice, "198.51.100.1")
    second, _ = await hello_from(visitor_alice, "198.51.100.1")
    assert (await send(first, "c-1"))["type"] == "message.ack"
    started = await second.receive_json_from()
    assert started["type"] in {"conversation.started", "message.new"}
    assert (await send(second, "c-2"))["type"] == "message.ack"
    await first.disconnect()
    await second.disconnect()


async def test_limits_storage_down_lets_messages_through(settings, visitor_alice):
    """REDIS_URL unreachable for the limits, 1 message/minute → both messages stored and acknowledged
    (the limits fail open)."""
    settings.REDIS_URL = f"redis://127.0.0.1:{free_port()}/0"
    settings.PARLEY_LIMIT_MESSAGES_PER_VISITOR = "1/minute"
    communicator, _ = await hello_from(visitor_alice, "198.51.100.1")
    assert (await send(communicator, "c-1"))["type"] == "message.ack"
    assert (await send(communicator, "c-2"))["type"] == "message.ack"
    assert await database_sync_to_async(Message.objects.count)() == 2
    await communicator.disconnect()


async def test_a_socket_refused_by_its_visitors_limit_refuses_by_itself_sparing_its_ip(
    settings, visitor_alice, visitor_carol
):
    """Over the visitor's limit, the socket's next sends are refused without counting → its IP keeps the
    room for another visitor behind the same address."""
    settings.PARLEY_LIMIT_MESSAGES_PER_VISITOR = "2/minute"
    settings.PARLEY_LIMIT_MESSAGES_PER_IP = "4/minute"
    noisy, _ = await hello_from(visitor_alice, "198.51.100.7")
    assert [(await send(noisy, f"n-{number}"))["type"] for number in range(2)] == ["message.ack"] * 2
    for number in range(2, 8):
        refused = await send(noisy, f"n-{number}")
        assert (refused["code"], refused["ref"]) == ("rate_limited", f"n-{number}")
        assert refused["retry_after"] >= 1
    quiet, _ = await hello_from(visitor_carol, "198.51.100.7")
    assert (await send(quiet, "q-1"))["type"] == "message.ack"
    await noisy.disconnect()
    await quiet.disconnect()
