"""The agent socket's door: session, Origin, access that ends (signals) and every frame checked again."""

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from asgiref.sync import sync_to_async
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.contrib.auth import HASH_SESSION_KEY
from django.contrib.auth.models import User
from django.contrib.sessions.backends.db import SessionStore
from django.db.models import Model
from django.db.models.signals import ModelSignal, post_delete, post_save, pre_delete, pre_save
from django.test import Client

from server.asgi import application
from server.conversations.models import AgentReadMark, Conversation, Message
from server.realtime import access
from server.sites.models import Site, SiteMembership
from tests.conftest import CONSOLE_ORIGIN, agent_socket, connect_visitor
from tests.realtime.test_visitor_socket import member_count, send_message

pytestmark = pytest.mark.django_db(transaction=True)


async def logged_in(user: User) -> tuple[Client, bytes]:
    """A console login of its own (a browser): the client, to log out later, and its cookie header."""
    client = Client()
    await sync_to_async(client.force_login)(user)
    return client, f"sessionid={client.cookies['sessionid'].value}".encode()


async def open_socket(cookie: bytes | None, *, origin: str | None = CONSOLE_ORIGIN) -> WebsocketCommunicator:
    """An agent socket from the console origin with a cookie, not yet connected."""
    headers = [] if origin is None else [(b"origin", origin.encode())]
    if cookie is not None:
        headers.append((b"cookie", cookie))
    return WebsocketCommunicator(application, "/ws/agent/", headers=headers, subprotocols=["parley.v1"])


async def ready_socket(cookie: bytes) -> tuple[WebsocketCommunicator, dict[str, Any]]:
    """A connected agent socket and its ready frame."""
    communicator = await open_socket(cookie)
    connected, _ = await communicator.connect()
    assert connected
    ready = await communicator.receive_json_from()
    assert ready["type"] == "ready", ready
    return communicator, ready


async def assert_closed_with(communicator: WebsocketCommunicator, code: int) -> None:
    """The socket closes with `code` (after a not_authenticated error frame when 4401)."""
    output = await communicator.receive_output(timeout=2)
    if code == 4401:
        assert output["type"] == "websocket.send", output
        assert '"not_authenticated"' in output["text"]
        output = await communicator.receive_output(timeout=2)
    assert output == {"type": "websocket.close", "code": code}


async def conversation_of(visitor: Any) -> tuple[WebsocketCommunicator, str]:
    """A visitor's socket after a first message, and the conversation it started."""
    communicator, _ = await connect_visitor(visitor)
    ack = await send_message(communicator, "Hello?", "v-1")
    return communicator, ack["message"]["conversation_id"]


def reply(conversation_id: str, client_id: str = "a-1") -> dict[str, Any]:
    """An agent's message.send frame."""
    return {"type": "message.send", "conversation_id": conversation_id, "client_id": client_id, "body": "hi"}


def agent_frames(conversation_id: str) -> list[dict[str, Any]]:
    """Every frame that acts on a conversation: open, sync, send, read, assign, resolve, reopen."""
    return [
        {"type": "conversation.open", "conversation_id": conversation_id},
        {"type": "sync", "conversation_id": conversation_id, "after_seq": 0},
        reply(conversation_id, "x-1"),
        {"type": "conversation.read", "conversation_id": conversation_id, "seq": 1},
        {"type": "conversation.assign", "conversation_id": conversation_id, "assignee_id": None},
        {"type": "conversation.resolve", "conversation_id": conversation_id},
        {"type": "conversation.reopen", "conversation_id": conversation_id},
    ]


async def agent_messages(conversation_id: str) -> int:
    """How many agent messages a conversation holds."""
    count: int = await database_sync_to_async(
        Message.objects.filter(conversation_id=conversation_id, author="agent").count
    )()
    return count


@pytest.fixture
def signals_muted() -> Iterator[None]:
    """access.py's receivers disconnected: only the frame-level checks stand."""
    receivers: list[tuple[ModelSignal, Callable[..., Any], type[Model]]] = [
        (pre_save, access._user_saving, User),
        (post_save, access._user_saved, User),
        (pre_delete, access._user_deleting, User),
        (post_delete, access._user_deleted, User),
        (pre_save, access._membership_saving, SiteMembership),
        (post_save, access._membership_saved, SiteMembership),
        (post_delete, access._membership_deleted, SiteMembership),
    ]
    for signal, handler, sender in receivers:
        assert signal.disconnect(handler, sender=sender)
    from django.contrib.auth.signals import user_logged_out

    assert user_logged_out.disconnect(access._signed_out)
    yield
    for signal, handler, sender in receivers:
        signal.connect(handler, sender=sender)
    user_logged_out.connect(access._signed_out)


async def test_logout_closes_that_sessions_socket_4401_and_it_stores_no_reply(agent_bob, visitor_alice):
    """Logout of one browser → its socket gets not_authenticated and 4401, a later send stores nothing;
    the agent's other browser stays connected."""
    visitor, conversation_id = await conversation_of(visitor_alice)
    first_client, first_cookie = await logged_in(agent_bob)
    _, second_cookie = await logged_in(agent_bob)
    first, _ = await ready_socket(first_cookie)
    second, _ = await ready_socket(second_cookie)
    response = await sync_to_async(first_client.post)("/console/logout/")
    assert response.status_code == 302
    await assert_closed_with(first, 4401)
    await first.send_json_to(reply(conversation_id))
    error = await first.receive_json_from()
    assert (error["type"], error["code"]) == ("error", "not_authenticated")
    assert await agent_messages(conversation_id) == 0
    await second.send_json_to(reply(conversation_id))
    assert (await second.receive_json_from())["type"] == "message.ack"
    await first.disconnect()
    await second.disconnect()
    await visitor.disconnect()


async def test_deactivation_closes_every_socket_of_the_agent_4401(agent_bob, layer_groups):
    """is_active → False → all of the agent's sockets close 4401 and leave their groups."""
    _, first_cookie = await logged_in(agent_bob)
    _, second_cookie = await logged_in(agent_bob)
    first, _ = await ready_socket(first_cookie)
    second, _ = await ready_socket(second_cookie)
    agent_bob.is_active = False
    await database_sync_to_async(agent_bob.save)()
    await assert_closed_with(first, 4401)
    await assert_closed_with(second, 4401)
    assert member_count(layer_groups) == 0
    again = await open_socket(first_cookie)
    assert (await again.connect())[0]
    assert (await again.receive_json_from())["code"] == "not_authenticated"
    await first.disconnect()
    await second.disconnect()
    await again.disconnect()


async def test_deletion_closes_every_socket_of_the_agent_4401(agent_bob):
    """The agent's user deleted → its sockets close 4401."""
    _, cookie = await logged_in(agent_bob)
    communicator, _ = await ready_socket(cookie)
    await database_sync_to_async(User.objects.filter(pk=agent_bob.pk).delete)()
    await assert_closed_with(communicator, 4401)
    await communicator.disconnect()


async def test_password_change_closes_the_sockets_and_only_the_updated_session_gets_back_in(agent_bob):
    """A new password → every socket closes 4401; the session whose hash was updated reconnects, a stale
    one is anonymous."""
    client, kept_cookie = await logged_in(agent_bob)
    _, stale_cookie = await logged_in(agent_bob)
    kept, _ = await ready_socket(kept_cookie)
    stale, _ = await ready_socket(stale_cookie)

    def change_password() -> None:
        agent_bob.set_password("a-new-password-2")
        agent_bob.save()
        # What update_session_auth_hash does for the session that changed it.
        session = SessionStore(session_key=client.cookies["sessionid"].value)
        session[HASH_SESSION_KEY] = agent_bob.get_session_auth_hash()
        session.save()

    await database_sync_to_async(change_password)()
    await assert_closed_with(kept, 4401)
    await assert_closed_with(stale, 4401)
    back, ready = await ready_socket(kept_cookie)
    assert ready["agent"]["id"] == agent_bob.pk
    refused = await open_socket(stale_cookie)
    assert (await refused.connect())[0]
    assert (await refused.receive_json_from())["code"] == "not_authenticated"
    for communicator in (kept, stale, back, refused):
        await communicator.disconnect()


async def test_membership_removed_closes_4003_and_no_more_live_messages_of_that_site(
    agent_bob, visitor_alice, site_acme
):
    """Bob removed from Acme → his socket closes 4003; Acme's next message reaches nothing of his, and his
    next connection has neither the site nor its conversations."""
    visitor, conversation_id = await conversation_of(visitor_alice)
    _, cookie = await logged_in(agent_bob)
    communicator, ready = await ready_socket(cookie)
    assert [row["id"] for row in ready["inbox"]] == [conversation_id]
    await communicator.send_json_to({"type": "conversation.open", "conversation_id": conversation_id})
    assert (await communicator.receive_json_from())["type"] == "conversation.opened"
    await database_sync_to_async(SiteMembership.objects.filter(user=agent_bob, site=site_acme).delete)()
    assert await communicator.receive_output(timeout=2) == {"type": "websocket.close", "code": 4003}
    await send_message(visitor, "after removal", "v-2")
    assert await communicator.receive_nothing(timeout=0.3)
    again, ready = await ready_socket(cookie)
    assert (ready["sites"], ready["inbox"]) == ([], [])
    for communicator_ in (communicator, again, visitor):
        await communicator_.disconnect()


async def test_site_deleted_closes_its_agents_sockets_4003(agent_bob, site_acme):
    """A site deleted (its memberships with it) → its agents' sockets close 4003."""
    _, cookie = await logged_in(agent_bob)
    communicator, _ = await ready_socket(cookie)
    await database_sync_to_async(Site.objects.filter(pk=site_acme.pk).delete)()
    assert await communicator.receive_output(timeout=2) == {"type": "websocket.close", "code": 4003}
    await communicator.disconnect()


async def test_an_agent_of_site_1_gets_not_found_for_site_2s_conversation_and_nothing_is_stored(
    agent_eve, visitor_alice
):
    """Eve (Globex) names Acme's conversation in open, sync, send, read → not_found each; no message, no
    read mark."""
    visitor, conversation_id = await conversation_of(visitor_alice)
    _, cookie = await logged_in(agent_eve)
    eve, _ = await ready_socket(cookie)
    for frame in agent_frames(conversation_id):
        await eve.send_json_to(frame)
        error = await eve.receive_json_from()
        assert (error["type"], error["code"]) == ("error", "not_found"), frame
    assert await agent_messages(conversation_id) == 0
    assert not await database_sync_to_async(AgentReadMark.objects.exists)()
    await eve.disconnect()
    await visitor.disconnect()


@pytest.mark.parametrize(
    "origin",
    [
        "http://evil.com@testserver",
        "http://testserver@evil.com",
        "http://testserver/console/",
        "http://testserver/",
        "http://testserver:8001",
        "https://testserver",
        "HTTP://TESTSERVER",
        "http://testserver.evil.com",
        "null",
        "",
        None,
    ],
)
async def test_an_origin_that_is_not_exactly_the_consoles_is_refused(agent_bob, origin):
    """Userinfo, a path, a slash, another port or scheme, another case, null, empty or missing → 403."""
    _, cookie = await logged_in(agent_bob)
    communicator = await open_socket(cookie, origin=origin)
    connected, _ = await communicator.connect()
    assert not connected


async def test_two_origin_headers_are_refused(agent_bob):
    """The console's Origin and a second one → refused (which one would a proxy forward?)."""
    _, cookie = await logged_in(agent_bob)
    communicator = WebsocketCommunicator(
        application,
        "/ws/agent/",
        headers=[(b"origin", CONSOLE_ORIGIN.encode()), (b"origin", b"http://evil.com"), (b"cookie", cookie)],
    )
    assert not (await communicator.connect())[0]


async def test_a_socket_that_never_authenticates_handles_no_frame(db, visitor_alice, layer_groups):
    """No session → not_authenticated and 4401; a frame sent anyway is refused and stores nothing."""
    visitor, conversation_id = await conversation_of(visitor_alice)
    communicator = await agent_socket(None)
    assert (await communicator.connect())[0]
    await assert_closed_with(communicator, 4401)
    await communicator.send_json_to(reply(conversation_id))
    error = await communicator.receive_json_from()
    assert (error["type"], error["code"]) == ("error", "not_authenticated")
    assert await agent_messages(conversation_id) == 0
    # The visitor's own groups only: its visitor group and its site's visitors group (availability).
    assert member_count(layer_groups) == 2
    assert all(group.startswith(("visitor.", "site-visitors.")) for group in layer_groups.groups)
    await communicator.disconnect()
    await visitor.disconnect()


async def test_every_frame_is_checked_after_a_silent_deactivation(signals_muted, agent_bob, visitor_alice):
    """Deactivated by a queryset update (no signal) → open, sync, send, read answer not_found; nothing
    stored."""
    visitor, conversation_id = await conversation_of(visitor_alice)
    _, cookie = await logged_in(agent_bob)
    communicator, _ = await ready_socket(cookie)
    await database_sync_to_async(User.objects.filter(pk=agent_bob.pk).update)(is_active=False)
    for frame in agent_frames(conversation_id):
        await communicator.send_json_to(frame)
        error = await communicator.receive_json_from()
        assert (error["type"], error["code"]) == ("error", "not_found"), frame
    assert await agent_messages(conversation_id) == 0
    conversation = await database_sync_to_async(Conversation.objects.get)(pk=conversation_id)
    assert conversation.last_seq == 1
    await communicator.disconnect()
    await visitor.disconnect()


async def test_every_frame_is_checked_after_a_silent_site_removal(
    signals_muted, agent_bob, visitor_alice, site_acme
):
    """Membership deleted with the signal muted → the socket stays open but every frame is not_found."""
    visitor, conversation_id = await conversation_of(visitor_alice)
    _, cookie = await logged_in(agent_bob)
    communicator, _ = await ready_socket(cookie)
    await database_sync_to_async(SiteMembership.objects.filter(user=agent_bob, site=site_acme).delete)()
    for frame in agent_frames(conversation_id):
        await communicator.send_json_to(frame)
        error = await communicator.receive_json_from()
        assert (error["type"], error["code"]) == ("error", "not_found"), frame
    assert await agent_messages(conversation_id) == 0
    await communicator.disconnect()
    await visitor.disconnect()


async def test_a_relay_after_a_silent_site_removal_closes_4003_instead(
    signals_muted, agent_bob, visitor_alice, site_acme, settings
):
    """Signal muted, access due to be read again → the next Acme message starts the read without waiting
    for it, and the socket closes 4003 once the read finds the site gone; nothing follows the close."""
    settings.PARLEY_AGENT_ACCESS_RECHECK_SECONDS = 0
    visitor, _ = await conversation_of(visitor_alice)
    _, cookie = await logged_in(agent_bob)
    communicator, _ = await ready_socket(cookie)
    await database_sync_to_async(SiteMembership.objects.filter(user=agent_bob, site=site_acme).delete)()
    await send_message(visitor, "not for Bob any more", "v-2")
    outputs: list[dict[str, Any]] = []
    while not outputs or outputs[-1]["type"] != "websocket.close":
        outputs.append(await communicator.receive_output(timeout=2))
    assert outputs[-1] == {"type": "websocket.close", "code": 4003}
    # A relay never waits for the database: at most the message that started the read went out first.
    assert len(outputs) <= 2
    await send_message(visitor, "still not for Bob", "v-3")
    assert await communicator.receive_nothing(timeout=0.2)
    await communicator.disconnect()
    await visitor.disconnect()


async def test_a_frame_after_a_silent_logout_closes_4401_and_stores_nothing(
    signals_muted, agent_bob, visitor_alice, settings
):
    """Signal muted, session gone, access read again on the next frame → 4401, the reply not stored."""
    settings.PARLEY_AGENT_ACCESS_RECHECK_SECONDS = 0
    visitor, conversation_id = await conversation_of(visitor_alice)
    client, cookie = await logged_in(agent_bob)
    communicator, _ = await ready_socket(cookie)
    await sync_to_async(client.post)("/console/logout/")
    await communicator.send_json_to(reply(conversation_id))
    await assert_closed_with(communicator, 4401)
    assert await agent_messages(conversation_id) == 0
    await communicator.disconnect()
    await visitor.disconnect()


async def test_an_inbox_query_for_another_sites_id_is_not_found(agent_bob, site_globex, visitor_gina):
    """inbox.query with a site the agent is not a member of is not_found, and lists nothing of it."""
    communicator = await open_socket((await logged_in(agent_bob))[1])
    await communicator.connect()
    await communicator.receive_json_from()
    visitor, _ = await connect_visitor(visitor_gina, origin="https://globex.test")
    await send_message(visitor, "refund", "g-1")
    for fields in ({"site_id": site_globex.pk}, {"site_id": site_globex.pk, "search": "refund"}):
        await communicator.send_json_to({"type": "inbox.query", "view": "open", **fields})
        error = await communicator.receive_json_from()
        assert (error["type"], error["code"], error["ref"]) == ("error", "not_found", "inbox.query")
    await communicator.send_json_to({"type": "inbox.query", "view": "open", "search": "refund"})
    assert (await communicator.receive_json_from())["conversations"] == []
    await visitor.disconnect()
    await communicator.disconnect()
