"""Web Push to agents with no console open, through a real local push service (tests/push_receiver.py)."""

import asyncio
import uuid
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

import pytest
from channels.db import database_sync_to_async
from django.test import override_settings

from server.agents.models import PushSubscription
from server.agents.services import check_subscription, do_set_preferences, do_subscribe
from server.conversations.models import Conversation
from server.conversations.services.messages import do_post_agent_message
from server.realtime import push
from tests.conftest import connect_agent, connect_visitor
from tests.push_receiver import BrowserKeys, PushService, push_service, vapid_claims, vapid_pair
from tests.realtime.test_visitor_socket import send_message

pytestmark = pytest.mark.django_db(transaction=True)

VAPID = vapid_pair()


@pytest.fixture
def service() -> Iterator[PushService]:
    """A push service on loopback, with Web Push configured for it."""
    with (
        push_service() as running,
        override_settings(
            PARLEY_VAPID_PRIVATE_KEY=VAPID.private_pem,
            PARLEY_VAPID_PUBLIC_KEY=VAPID.public_key,
            PARLEY_VAPID_SUBJECT="mailto:ops@acme.test",
            PARLEY_PUSH_ALLOW_LOOPBACK_HTTP=True,
        ),
    ):
        yield running


async def subscribe(user: Any, service: PushService, name: str, *, push_on: bool = True) -> BrowserKeys:
    """Subscribe a browser of the agent at the service, and turn Web Push on for it."""
    keys: BrowserKeys = await database_sync_to_async(_subscribe)(user, service, name, push_on=push_on)
    return keys


def _subscribe(user: Any, service: PushService, name: str, *, push_on: bool) -> BrowserKeys:
    keys = BrowserKeys()
    do_subscribe(
        user_id=user.pk, subscription=check_subscription(data=keys.subscription(service.endpoint(name)))
    )
    if push_on:
        do_set_preferences(user_id=user.pk, changes={"push": True})
    return keys


async def settled() -> None:
    """Wait until every queued push is posted (the loop keeps running for the presence check)."""
    assert await asyncio.to_thread(push.wait_idle, 10)


async def visitor_writes(visitor: Any, *bodies: str) -> str:
    """A visitor sends messages; the id of their conversation."""
    socket, _ = await connect_visitor(visitor)
    conversation_id = ""
    for body in bodies:
        ack = await send_message(socket, body, uuid.uuid4().hex)
        conversation_id = ack["message"]["conversation_id"]
    await socket.disconnect()
    return conversation_id


async def test_a_new_conversation_is_pushed_encrypted_and_signed(agent_bob, visitor_alice, service):
    """The push service gets a POST the browser can decrypt, with a VAPID header signed for its origin."""
    keys = await subscribe(agent_bob, service, "bob")
    conversation_id = await visitor_writes(visitor_alice, "Where is my   order?")
    await settled()
    [received] = service.received
    assert received.path == "/push/bob"
    assert received.headers["content-encoding"] == "aes128gcm"
    assert int(received.headers["ttl"]) == push.PUSH_TTL_SECONDS
    assert keys.decrypt(received.body) == {
        "title": "New conversation: A visitor",
        "body": "Where is my order?",
        "conversation_id": conversation_id,
    }
    claims = vapid_claims(received.headers["authorization"], VAPID.public_key)
    endpoint = urlsplit(service.endpoint("bob"))
    assert claims["aud"] == f"{endpoint.scheme}://{endpoint.netloc}"
    assert claims["sub"] == "mailto:ops@acme.test"


async def test_nothing_is_pushed_while_the_agent_has_a_console_open(agent_bob, visitor_alice, service):
    """An open console notifies by itself: no push."""
    await subscribe(agent_bob, service, "bob")
    console, _ = await connect_agent(agent_bob)
    await visitor_writes(visitor_alice, "Hello")
    await settled()
    assert service.received == []
    await console.disconnect()


async def test_later_messages_are_pushed_to_the_assignee_only(agent_bob, visitor_alice, service):
    """After the first message, a visitor's message is pushed only when the conversation is assigned."""
    await subscribe(agent_bob, service, "bob")
    conversation_id = await visitor_writes(visitor_alice, "First", "Unassigned still")
    await settled()
    assert len(service.received) == 1
    await database_sync_to_async(Conversation.objects.filter(pk=conversation_id).update)(assignee=agent_bob)
    await visitor_writes(visitor_alice, "Now assigned to Bob")
    await settled()
    assert len(service.received) == 2


async def test_agents_replies_and_other_sites_push_nothing(agent_bob, agent_eve, visitor_alice, service):
    """An agent's reply is no news to agents; an agent of another site hears nothing of this one."""
    await subscribe(agent_eve, service, "eve")
    conversation_id = await visitor_writes(visitor_alice, "Hi")
    await database_sync_to_async(Conversation.objects.filter(pk=conversation_id).update)(assignee=agent_bob)
    await database_sync_to_async(do_post_agent_message)(
        agent=agent_bob, conversation_id=conversation_id, client_id="a-1", body="Hello!"
    )
    await settled()
    assert service.received == []


async def test_push_off_sends_nothing(agent_bob, visitor_alice, service):
    """A subscription of an agent whose Web Push preference is off is not used."""
    await subscribe(agent_bob, service, "bob", push_on=False)
    await visitor_writes(visitor_alice, "Hi")
    await settled()
    assert service.received == []


@pytest.mark.parametrize("status", [404, 410])
async def test_a_subscription_the_push_service_says_is_gone_is_deleted(
    agent_bob, visitor_alice, service, status
):
    """404 or 410 from the push service deletes the subscription; other failures keep it."""
    await subscribe(agent_bob, service, "bob")
    service.status = status
    await visitor_writes(visitor_alice, "Hi")
    await settled()
    assert len(service.received) == 1
    assert not await database_sync_to_async(PushSubscription.objects.exists)()


async def test_a_failing_push_service_keeps_the_subscription_and_logs_no_secret(
    agent_bob, visitor_alice, service, caplog
):
    """A 500 is logged by the subscription's row id, without its endpoint or keys."""
    keys = await subscribe(agent_bob, service, "bob-secret-path")
    service.status = 500
    await visitor_writes(visitor_alice, "Hi")
    await settled()
    assert await database_sync_to_async(PushSubscription.objects.exists)()
    assert "status 500" in caplog.text
    subscription = keys.subscription(service.endpoint("bob-secret-path"))
    for secret in ("bob-secret-path", subscription["keys"]["auth"], subscription["keys"]["p256dh"]):
        assert secret not in caplog.text


async def test_pushes_per_agent_are_limited(agent_bob, visitor_alice, visitor_carol, service):
    """Past PARLEY_PUSH_PER_AGENT in its window, an agent's pushes are dropped."""
    await subscribe(agent_bob, service, "bob")
    with override_settings(PARLEY_PUSH_PER_AGENT="1/minute"):
        await visitor_writes(visitor_alice, "One")
        await visitor_writes(visitor_carol, "Two")
        await settled()
    assert len(service.received) == 1


async def test_without_vapid_keys_nothing_is_queued(agent_bob, visitor_alice):
    """Web Push is off while the keys are unset: no job, no thread."""
    with push_service() as service, override_settings(PARLEY_PUSH_ALLOW_LOOPBACK_HTTP=True):
        await subscribe(agent_bob, service, "bob")
        await visitor_writes(visitor_alice, "Hi")
        await settled()
        assert service.received == []


def test_a_long_message_is_shortened_to_one_line():
    """The notification shows the visitor's text on one line, cut at BODY_MAX_CHARS."""
    text = "line one\nline two " + "x" * 300
    shortened = push._shortened(text)
    assert len(shortened) == push.BODY_MAX_CHARS
    assert shortened.startswith("line one line two")
    assert shortened.endswith("…")
