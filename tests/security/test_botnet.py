"""A botnet of visitors against the default limits (server/limits/): input → outcome.

The limits are the production defaults unless a case says otherwise; every peer address is set on the
socket's scope or the request, as a real client's would be.
"""

import asyncio
import uuid
from typing import Any

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.conf import settings as django_settings
from django.test import Client

from server.conversations.models import Conversation, Message, Visitor
from server.conversations.selectors.inbox import agent_inbox
from server.conversations.services.messages import do_post_visitor_message
from server.limits.checks import MESSAGES_PER_IP, MESSAGES_PER_VISITOR, NEW_CONVERSATIONS_PER_IP
from tests.conftest import ACME_ORIGIN, VisitorIdentity, start_visitor, visitor_socket

pytestmark = pytest.mark.django_db(transaction=True)

BOT_IP = "203.0.113.66"


def amount(limit: Any) -> int:
    """How many hits a named limit allows per period, as configured."""
    return int(limit.item().amount)


def socket_from(visitor_site: Any, ip: str) -> WebsocketCommunicator:
    """A visitor socket from a page of Acme's shop whose peer address is `ip`."""
    communicator = visitor_socket(visitor_site, origin=ACME_ORIGIN)
    communicator.scope["client"] = [ip, 40000]
    return communicator


async def hello(visitor: VisitorIdentity, ip: str) -> tuple[WebsocketCommunicator, dict[str, Any]]:
    """Connect from `ip` and say hello; the socket and its answer."""
    communicator = socket_from(visitor.site, ip)
    assert (await communicator.connect())[0]
    await communicator.send_json_to({"type": "hello", "token": visitor.token})
    return communicator, await communicator.receive_json_from()


async def blast(communicator: WebsocketCommunicator, prefix: str, count: int) -> dict[str, str]:
    """Send `count` messages as fast as possible; what each client_id got (ack or an error code)."""
    for index in range(count):
        body = {"type": "message.send", "client_id": f"{prefix}-{index}", "body": "spam"}
        await communicator.send_json_to(body)
    outcomes: dict[str, str] = {}
    while len(outcomes) < count:
        frame = await communicator.receive_json_from(timeout=5)
        if frame["type"] == "message.ack":
            outcomes[frame["client_id"]] = "ack"
        elif frame["type"] == "error":
            outcomes[frame["ref"]] = frame["code"]
    return outcomes


async def answer_to(communicator: WebsocketCommunicator, client_id: str) -> dict[str, Any]:
    """Send one message; the frame answering it (its ack or its error), skipping any other."""
    await communicator.send_json_to({"type": "message.send", "client_id": client_id, "body": "spam"})
    while True:
        frame = await communicator.receive_json_from(timeout=5)
        if client_id in (frame.get("client_id"), frame.get("ref")):
            return frame  # type: ignore[no-any-return]


def stored_count() -> int:
    """Messages stored, over every conversation."""
    return Message.objects.count()


async def test_one_ip_opening_many_sockets_is_refused_4429_after_the_limit(site_acme):
    """One IP opens PARLEY_LIMIT_HANDSHAKES_PER_IP + 5 sockets → the first ones open, each one after gets
    connection_limited with retry_after and close 4429 (not 1006)."""
    limit = int(django_settings.PARLEY_LIMIT_HANDSHAKES_PER_IP.split("/")[0])
    opened = []
    for _ in range(limit):
        communicator = socket_from(site_acme, BOT_IP)
        assert (await communicator.connect())[0]
        opened.append(communicator)
    for _ in range(5):
        refused = socket_from(site_acme, BOT_IP)
        assert (await refused.connect())[0]
        error = await refused.receive_json_from()
        assert error["code"] == "connection_limited"
        assert error["retry_after"] >= 1
        assert await refused.receive_output() == {"type": "websocket.close", "code": 4429}
    for communicator in opened:
        await communicator.disconnect()


async def test_a_visitor_reconnecting_25_times_gets_no_fresh_burst(visitor_alice):
    """One visitor reconnects 25 times and sends a full socket burst each time → at most
    PARLEY_LIMIT_MESSAGES_PER_VISITOR stored, the rest rate_limited."""
    stored = 0
    for attempt in range(25):
        communicator, answer = await hello(visitor_alice, BOT_IP)
        assert answer["type"] == "ready"
        outcomes = await blast(communicator, f"r{attempt}", django_settings.PARLEY_FRAME_BURST)
        stored += list(outcomes.values()).count("ack")
        assert set(outcomes.values()) <= {"ack", "rate_limited"}
        await communicator.disconnect()
    assert stored == amount(MESSAGES_PER_VISITOR)
    assert await database_sync_to_async(stored_count)() == amount(MESSAGES_PER_VISITOR)


async def test_40_visitors_of_one_ip_share_its_message_limit(site_acme, visitor_carol):
    """40 visitors (open conversations) on one IP send 5 messages each → exactly
    PARLEY_LIMIT_MESSAGES_PER_IP stored, the rest rate_limited; a visitor elsewhere still sends; what was
    stored before is intact."""
    bots = [await database_sync_to_async(start_visitor)(site_acme) for _ in range(40)]
    for bot in bots:
        await database_sync_to_async(do_post_visitor_message)(
            visitor_id=uuid.UUID(bot.visitor_id), client_id="before", body="earlier"
        )
    before = await database_sync_to_async(lambda: sorted(Message.objects.values_list("id", "seq", "body")))()
    sockets = [(await hello(bot, BOT_IP))[0] for bot in bots]
    outcomes: list[str] = []
    for index, communicator in enumerate(sockets):
        outcomes += (await blast(communicator, f"b{index}", 5)).values()
    assert outcomes.count("ack") == amount(MESSAGES_PER_IP)
    assert outcomes.count("rate_limited") == 200 - amount(MESSAGES_PER_IP)
    assert await database_sync_to_async(stored_count)() == 40 + amount(MESSAGES_PER_IP)
    customer, _ = await hello(visitor_carol, "198.51.100.10")
    assert (await blast(customer, "c", 1)) == {"c-0": "ack"}
    after = await database_sync_to_async(lambda: set(Message.objects.values_list("id", "seq", "body")))()
    assert set(before) <= after
    for communicator in [*sockets, customer]:
        await communicator.disconnect()


async def test_500_new_visitors_from_one_ip_are_refused_after_the_limit(site_acme, visitor_carol, agent_bob):
    """One IP asks for 500 sessions, then every visitor it got tries to start a conversation → visitors
    created up to PARLEY_LIMIT_NEW_VISITORS_PER_IP (429 after), conversations up to
    PARLEY_LIMIT_NEW_CONVERSATIONS_PER_IP; the real customer's conversation stays in the agent's inbox."""
    customer, _ = await hello(visitor_carol, "198.51.100.10")
    assert (await blast(customer, "c", 1)) == {"c-0": "ack"}

    def flood() -> list[Any]:
        client = Client()
        return [
            client.post(
                f"/api/widget/sites/{site_acme.public_key}/session",
                data={},
                content_type="application/json",
                headers={"origin": ACME_ORIGIN},
                REMOTE_ADDR=BOT_IP,
            )
            for _ in range(500)
        ]

    responses = await database_sync_to_async(flood)()
    created = [response.json() for response in responses if response.status_code == 200]
    new_visitors_limit = int(django_settings.PARLEY_LIMIT_NEW_VISITORS_PER_IP.split("/")[0])
    assert len(created) == new_visitors_limit
    assert {response.status_code for response in responses[new_visitors_limit:]} == {429}
    assert all("Retry-After" in response for response in responses[new_visitors_limit:])
    assert await database_sync_to_async(Visitor.objects.count)() == new_visitors_limit + 1

    started = 0
    for index, session in enumerate(created):
        bot = VisitorIdentity(
            site=site_acme, token=session["visitor_token"], visitor_id=session["visitor_id"]
        )
        communicator, _ = await hello(bot, BOT_IP)
        started += list((await blast(communicator, f"n{index}", 1)).values()).count("ack")
        await communicator.disconnect()
    assert started == amount(NEW_CONVERSATIONS_PER_IP)
    inbox = await database_sync_to_async(agent_inbox)(user=agent_bob)
    assert visitor_carol.visitor_id in {str(row.visitor_id) for row in inbox.first_page.conversations}
    assert await database_sync_to_async(Conversation.objects.count)() == 1 + amount(NEW_CONVERSATIONS_PER_IP)
    await customer.disconnect()


async def test_a_refused_message_sent_again_after_the_window_is_stored(settings, visitor_alice):
    """2/second per visitor, a 3rd message refused with retry_after 1 → sent again after 1 s, stored once."""
    settings.PARLEY_LIMIT_MESSAGES_PER_VISITOR = "2/second"
    communicator, _ = await hello(visitor_alice, BOT_IP)
    assert await blast(communicator, "m", 2) == {"m-0": "ack", "m-1": "ack"}
    error = await answer_to(communicator, "m-2")
    assert (error["code"], error["retry_after"]) == ("rate_limited", 1)
    await asyncio.sleep(1.05)
    assert (await answer_to(communicator, "m-2"))["type"] == "message.ack"
    assert await database_sync_to_async(stored_count)() == 3
    await communicator.disconnect()
