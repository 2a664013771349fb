"""The agent tools on both sockets: page tracking, the visitor sidebar and canned replies."""

import asyncio
import uuid
from typing import Any

import pytest
from channels.db import database_sync_to_async

from server.conversations.friendly_names import friendly_name
from server.conversations.models import Visitor
from tests.conftest import connect_agent, connect_visitor
from tests.realtime.test_visitor_socket import send_message

pytestmark = pytest.mark.django_db(transaction=True)


async def next_of_type(communicator: Any, frame_type: str) -> dict[str, Any]:
    """The next frame of a type, skipping others (a first User-Agent parse loads its rules: allow for it)."""
    while True:
        frame = await communicator.receive_json_from(timeout=5)
        if frame["type"] == frame_type:
            return frame  # type: ignore[no-any-return]


async def drain(communicator: Any) -> list[str]:
    """Every frame a socket has been sent and not yet read, as text."""
    texts = []
    while not await communicator.receive_nothing(timeout=0.2):
        texts.append((await communicator.receive_output())["text"])
    return texts


def page(url: str, title: str = "") -> dict[str, Any]:
    """A visitor's page frame."""
    return {"type": "page", "url": url, "title": title}


async def test_rows_show_a_friendly_name_and_ready_lists_canned_replies(agent_bob, visitor_alice):
    """An anonymous visitor's inbox row carries its friendly name; ready carries the site's canned replies."""
    visitor, _ = await connect_visitor(visitor_alice)
    await send_message(visitor, "Hello?", "v-1")
    agent, ready = await connect_agent(agent_bob)
    assert ready["canned"] == []
    [row] = ready["inbox"]
    assert row["visitor"]["display_name"] == friendly_name(uuid.UUID(visitor_alice.visitor_id))
    await visitor.disconnect()
    await agent.disconnect()


async def test_a_page_frame_reaches_the_sites_agents_once_per_change(
    agent_bob, agent_eve, visitor_alice, settings
):
    """visitor.page goes to the site's agents (not another site's); an unchanged page is not announced."""
    settings.PARLEY_PAGE_MIN_INTERVAL_SECONDS = 0
    agent, _ = await connect_agent(agent_bob)
    other, _ = await connect_agent(agent_eve)
    visitor, _ = await connect_visitor(visitor_alice)
    await visitor.send_json_to(page("https://shop.acme.test/shoes", "Shoes"))
    moved = await next_of_type(agent, "visitor.page")
    assert moved == {
        "type": "visitor.page",
        "visitor_id": visitor_alice.visitor_id,
        "url": "https://shop.acme.test/shoes",
        "title": "Shoes",
    }
    await visitor.send_json_to(page("https://shop.acme.test/shoes", "Shoes"))
    await visitor.send_json_to(page("https://shop.acme.test/cart", "Cart"))
    assert (await next_of_type(agent, "visitor.page"))["url"] == "https://shop.acme.test/cart"
    assert await other.receive_nothing(timeout=0.2)
    assert await visitor.receive_nothing(timeout=0.1)
    for communicator in (agent, other, visitor):
        await communicator.disconnect()


async def test_a_ping_naming_another_page_records_it_and_the_same_page_does_not(
    agent_bob, visitor_alice, settings
):
    """The loader's ping carries the page (a single-page app's route while the chat is closed): a new one
    reaches the agents as visitor.page; the page already recorded is not announced again; pong either way."""
    settings.PARLEY_PAGE_MIN_INTERVAL_SECONDS = 0
    agent, _ = await connect_agent(agent_bob)
    visitor, _ = await connect_visitor(visitor_alice)
    ping = {"type": "ping", "page_url": "https://shop.acme.test/app#/orders", "page_title": "Orders"}
    await visitor.send_json_to(ping)
    assert await next_of_type(visitor, "pong")
    moved = await next_of_type(agent, "visitor.page")
    assert (moved["url"], moved["title"]) == ("https://shop.acme.test/app#/orders", "Orders")
    await visitor.send_json_to(ping)
    await visitor.send_json_to({"type": "ping"})
    assert await next_of_type(visitor, "pong")
    assert await next_of_type(visitor, "pong")
    assert await agent.receive_nothing(timeout=0.3)
    stored = await database_sync_to_async(Visitor.objects.get)(pk=visitor_alice.visitor_id)
    assert (stored.last_page_url, stored.last_page_title) == ("https://shop.acme.test/app#/orders", "Orders")
    await visitor.disconnect()
    await agent.disconnect()


async def test_pages_within_the_interval_wait_and_only_the_latest_is_applied(
    agent_bob, visitor_alice, settings
):
    """Within PARLEY_PAGE_MIN_INTERVAL_SECONDS no error is sent and nothing more is stored; when it ends the
    latest page is, with the context an earlier frame of the interval carried."""
    settings.PARLEY_PAGE_MIN_INTERVAL_SECONDS = 0.5
    agent, _ = await connect_agent(agent_bob)
    visitor, _ = await connect_visitor(visitor_alice)
    await visitor.send_json_to(page("https://shop.acme.test/a"))
    await next_of_type(agent, "visitor.page")
    await visitor.send_json_to({**page("https://shop.acme.test/b"), "timezone": "Asia/Tokyo"})
    await visitor.send_json_to(page("https://shop.acme.test/c", "C"))
    assert await visitor.receive_nothing(timeout=0.2)
    assert await agent.receive_nothing(timeout=0.1)
    moved = await next_of_type(agent, "visitor.page")
    assert (moved["url"], moved["title"]) == ("https://shop.acme.test/c", "C")
    assert await agent.receive_nothing(timeout=0.6)
    stored = await database_sync_to_async(Visitor.objects.get)(pk=visitor_alice.visitor_id)
    assert (stored.last_page_url, stored.timezone) == ("https://shop.acme.test/c", "Asia/Tokyo")
    await visitor.disconnect()
    await agent.disconnect()


async def test_a_page_frame_carries_the_context_dropping_what_is_malformed(visitor_alice, settings):
    """referrer, timezone and language are stored when well-formed, dropped (never refused) otherwise."""
    settings.PARLEY_PAGE_MIN_INTERVAL_SECONDS = 0
    visitor, _ = await connect_visitor(visitor_alice)
    context = {"referrer": "javascript:alert(1)", "timezone": "Europe/Paris", "language": "<b>"}
    await visitor.send_json_to({**page("https://shop.acme.test/a"), **context})
    assert await visitor.receive_nothing(timeout=0.3)
    stored = await database_sync_to_async(Visitor.objects.get)(pk=visitor_alice.visitor_id)
    assert (stored.referrer, stored.timezone, stored.language) == ("", "Europe/Paris", "")
    await visitor.disconnect()


async def test_visitor_get_answers_the_sidebar(agent_bob, visitor_alice):
    """visitor.detail carries the context and the visitor's conversations, newest first."""
    await database_sync_to_async(Visitor.objects.filter(pk=visitor_alice.visitor_id).update)(
        user_agent="Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0",
        timezone="Europe/Paris",
        language="fr-FR",
    )
    visitor, _ = await connect_visitor(visitor_alice)
    ack = await send_message(visitor, "Hello?", "v-1")
    agent, _ = await connect_agent(agent_bob)
    await agent.send_json_to({"type": "visitor.get", "visitor_id": visitor_alice.visitor_id})
    detail = await next_of_type(agent, "visitor.detail")
    sidebar = detail["visitor"]
    assert (sidebar["browser"], sidebar["os"], sidebar["timezone"], sidebar["language"]) == (
        "Chrome 120",
        "Linux",
        "Europe/Paris",
        "fr-FR",
    )
    assert sidebar["page_url"] == "https://shop.acme.test/"
    assert sidebar["visits"] == 1
    assert [c["id"] for c in detail["conversations"]] == [ack["message"]["conversation_id"]]
    await visitor.disconnect()
    await agent.disconnect()


async def test_canned_changes_reach_every_agent_of_the_site(agent_bob, agent_eve, site_acme):
    """canned.save and canned.delete answer with canned.changed to the site's agents only."""
    agent, _ = await connect_agent(agent_bob)
    colleague, _ = await connect_agent(agent_bob)
    other, _ = await connect_agent(agent_eve)
    await agent.send_json_to(
        {"type": "canned.save", "site_id": site_acme.pk, "shortcut": "hi", "title": "Hi", "body": "Hello!"}
    )
    saved = await next_of_type(agent, "canned.changed")
    assert saved["canned"]["shortcut"] == "hi"
    assert saved["deleted_id"] is None
    assert (await next_of_type(colleague, "canned.changed"))["canned"] == saved["canned"]
    canned_id = saved["canned"]["id"]
    await agent.send_json_to({"type": "canned.delete", "id": canned_id})
    deleted = await next_of_type(colleague, "canned.changed")
    assert (deleted["canned"], deleted["deleted_id"], deleted["site_id"]) == (None, canned_id, site_acme.pk)
    assert await other.receive_nothing(timeout=0.2)
    _, ready = await connect_agent(agent_bob)
    assert ready["canned"] == []
    for communicator in (agent, colleague, other):
        await communicator.disconnect()


async def test_a_taken_shortcut_is_refused_with_invalid_field(agent_bob, site_acme):
    """The error names the canned.save frame; nothing is broadcast."""
    agent, _ = await connect_agent(agent_bob)
    frame = {"type": "canned.save", "site_id": site_acme.pk, "shortcut": "hi", "body": "Hello!"}
    await agent.send_json_to(frame)
    await next_of_type(agent, "canned.changed")
    await agent.send_json_to(frame)
    error = await next_of_type(agent, "error")
    assert (error["code"], error["ref"]) == ("invalid_field", "canned.save")
    await asyncio.sleep(0)
    await agent.disconnect()


async def open_conversation(agent: Any, conversation_id: str) -> dict[str, Any]:
    """Follow a conversation and return its conversation.opened."""
    await agent.send_json_to({"type": "conversation.open", "conversation_id": conversation_id})
    return await next_of_type(agent, "conversation.opened")


def note(conversation_id: str, client_id: str = "n-1", body: str = "VIP customer") -> dict[str, Any]:
    """An agent's note.add frame."""
    return {"type": "note.add", "conversation_id": conversation_id, "client_id": client_id, "body": body}


async def test_a_note_reaches_the_consoles_following_and_never_the_visitor(agent_bob, visitor_alice):
    """activity.new (kind note) goes to followers; a retry is answered to its sender only; the visitor
    socket gets nothing, and the note comes back in conversation.opened."""
    visitor, _ = await connect_visitor(visitor_alice)
    ack = await send_message(visitor, "Hello?", "v-1")
    conversation_id = ack["message"]["conversation_id"]
    writer, _ = await connect_agent(agent_bob)
    follower, _ = await connect_agent(agent_bob)
    bystander, _ = await connect_agent(agent_bob)
    await open_conversation(writer, conversation_id)
    await open_conversation(follower, conversation_id)
    await writer.send_json_to(note(conversation_id))
    added = (await next_of_type(writer, "activity.new"))["activity"]
    assert (added["kind"], added["body"], added["client_id"], added["agent_id"]) == (
        "note",
        "VIP customer",
        "n-1",
        agent_bob.pk,
    )
    assert (await next_of_type(follower, "activity.new"))["activity"] == added
    await writer.send_json_to(note(conversation_id))
    assert (await next_of_type(writer, "activity.new"))["activity"]["id"] == added["id"]
    assert await follower.receive_nothing(timeout=0.2)
    assert await bystander.receive_nothing(timeout=0.1)
    assert not [text for text in await drain(visitor) if "VIP" in text or "activity" in text]
    reopened = await open_conversation(bystander, conversation_id)
    assert [line["id"] for line in reopened["activity"] if line["kind"] == "note"] == [added["id"]]
    for communicator in (writer, follower, bystander, visitor):
        await communicator.disconnect()


async def test_a_note_from_a_socket_not_following_is_answered_to_it(agent_bob, visitor_alice):
    """Without the conversation open, the sender still gets its note back."""
    visitor, _ = await connect_visitor(visitor_alice)
    ack = await send_message(visitor, "Hello?", "v-1")
    agent, _ = await connect_agent(agent_bob)
    await agent.send_json_to(note(ack["message"]["conversation_id"], body="  check the order  "))
    assert (await next_of_type(agent, "activity.new"))["activity"]["body"] == "check the order"
    await agent.send_json_to(note(ack["message"]["conversation_id"], client_id="n-2", body=" "))
    assert (await next_of_type(agent, "error"))["code"] == "empty_body"
    await visitor.disconnect()
    await agent.disconnect()


async def test_attributes_reach_the_sites_agents_and_the_sidebar(agent_bob, agent_eve, visitor_alice):
    """An `attributes` frame is stored and told to the site's agents (not another site's) as
    visitor.attributes, with all of them; visitor.detail carries them too. No reply to the visitor."""
    agent, _ = await connect_agent(agent_bob)
    other, _ = await connect_agent(agent_eve)
    visitor, _ = await connect_visitor(visitor_alice)
    await visitor.send_json_to({"type": "attributes", "attributes": {"plan": "pro", "seats": 3}})
    changed = await next_of_type(agent, "visitor.attributes")
    assert changed == {
        "type": "visitor.attributes",
        "visitor_id": visitor_alice.visitor_id,
        "attributes": {"plan": "pro", "seats": 3},
    }
    await visitor.send_json_to({"type": "attributes", "attributes": {"seats": None, "trial": True}})
    changed = await next_of_type(agent, "visitor.attributes")
    assert changed["attributes"] == {"plan": "pro", "trial": True}
    await agent.send_json_to({"type": "visitor.get", "visitor_id": visitor_alice.visitor_id})
    detail = await next_of_type(agent, "visitor.detail")
    assert detail["visitor"]["attributes"] == {"plan": "pro", "trial": True}
    assert await other.receive_nothing(timeout=0.2)
    assert await visitor.receive_nothing(timeout=0.1)
    for communicator in (agent, other, visitor):
        await communicator.disconnect()


@pytest.mark.parametrize(
    "attributes",
    [{"plan": {"$gt": ""}}, {"__proto__": "x"}, {"plan": "x" * 1000}, "not an object"],
)
async def test_bad_attributes_answer_a_clear_error_and_store_nothing(agent_bob, visitor_alice, attributes):
    """Nested values, keys not a letter then a-z, 0-9 or '_', over-long text or no object: an error frame
    (invalid_attributes; invalid_field for a non-object), the socket stays open, nothing is stored."""
    agent, _ = await connect_agent(agent_bob)
    visitor, _ = await connect_visitor(visitor_alice)
    await visitor.send_json_to({"type": "attributes", "attributes": attributes})
    error = await next_of_type(visitor, "error")
    assert error["code"] == ("invalid_field" if isinstance(attributes, str) else "invalid_attributes")
    assert await agent.receive_nothing(timeout=0.2)
    stored = await database_sync_to_async(Visitor.objects.get)(pk=visitor_alice.visitor_id)
    assert stored.attributes == {}
    await visitor.send_json_to({"type": "ping"})
    assert (await next_of_type(visitor, "pong"))["type"] == "pong"
    await visitor.disconnect()
    await agent.disconnect()
