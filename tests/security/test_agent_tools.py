"""The agent tools' doors: each new frame under rules.py, on its own socket only, its fields checked."""

from typing import Any

import pytest
from channels.db import database_sync_to_async

from server.conversations.models import Activity, CannedReply, Visitor
from tests.conftest import connect_agent, connect_visitor, visitor_socket
from tests.realtime.test_agent_tools import next_of_type
from tests.realtime.test_visitor_socket import send_message

pytestmark = pytest.mark.django_db(transaction=True)


async def test_an_agent_of_another_site_gets_not_found_for_visitors_and_canned_replies(
    agent_bob, agent_eve, site_acme, visitor_alice
):
    """visitor.get, canned.save on the site, canned.delete of its reply: not_found, nothing changed."""
    canned = await database_sync_to_async(CannedReply.objects.create)(
        site=site_acme, shortcut="hi", body="Hi"
    )
    agent, _ = await connect_agent(agent_eve)
    attempts: list[dict[str, Any]] = [
        {"type": "visitor.get", "visitor_id": visitor_alice.visitor_id},
        {"type": "canned.save", "site_id": site_acme.pk, "shortcut": "mine", "body": "x"},
        {"type": "canned.save", "id": canned.pk, "site_id": site_acme.pk, "shortcut": "hi", "body": "x"},
        {"type": "canned.delete", "id": canned.pk},
    ]
    for frame in attempts:
        await agent.send_json_to(frame)
        error = await next_of_type(agent, "error")
        assert (error["code"], error["ref"]) == ("not_found", frame["type"])
    stored = await database_sync_to_async(list)(CannedReply.objects.values_list("shortcut", "body"))
    assert stored == [("hi", "Hi")]
    await agent.disconnect()


@pytest.mark.parametrize("frame_type", ["visitor.get", "canned.save", "canned.delete", "note.add"])
async def test_a_visitor_cannot_send_agent_tool_frames(visitor_alice, frame_type):
    """An agent's frame on the visitor socket is unknown_type."""
    visitor, _ = await connect_visitor(visitor_alice)
    await visitor.send_json_to({"type": frame_type, "visitor_id": visitor_alice.visitor_id, "id": 1})
    error = await visitor.receive_json_from()
    assert (error["type"], error["code"]) == ("error", "unknown_type")
    await visitor.disconnect()


@pytest.mark.parametrize(
    "url", ["javascript:alert(1)", "data:text/html,<script>", " https://a.test/", "ftp://a.test/", "x" * 10]
)
async def test_a_page_that_is_not_http_is_refused_and_not_stored(visitor_alice, url):
    """Only http(s) page URLs are stored (and so linked by the console): others are invalid_field."""
    visitor, _ = await connect_visitor(visitor_alice)
    await visitor.send_json_to({"type": "page", "url": url, "title": "t"})
    error = await visitor.receive_json_from()
    assert (error["code"], error["ref"]) == ("invalid_field", "page")
    stored = await database_sync_to_async(Visitor.objects.get)(pk=visitor_alice.visitor_id)
    assert stored.last_page_url == "https://shop.acme.test/"
    await visitor.disconnect()


@pytest.mark.parametrize("frame_type", ["page", "attributes"])
async def test_page_and_attributes_before_hello_are_refused(visitor_alice, frame_type):
    """Like every frame, page and attributes need hello first (close 4401), and store nothing."""
    communicator = visitor_socket(visitor_alice.site)
    await communicator.connect()
    await communicator.send_json_to(
        {"type": frame_type, "url": "https://shop.acme.test/x", "attributes": {"plan": "pro"}}
    )
    error = await communicator.receive_json_from()
    assert error["code"] == "hello_required"
    await communicator.disconnect()
    stored = await database_sync_to_async(Visitor.objects.get)(pk=visitor_alice.visitor_id)
    assert stored.attributes == {}


async def test_attributes_store_markup_as_text_on_the_sockets_own_visitor_only(visitor_alice, visitor_carol):
    """Attributes name no visitor: they land on the socket's own, markup kept verbatim as text (the console
    renders it as text); another visitor of the site, named in the frame, is untouched."""
    visitor, _ = await connect_visitor(visitor_alice)
    markup = '<img src=x onerror="window.__pwned=1">'
    await visitor.send_json_to(
        {"type": "attributes", "visitor_id": visitor_carol.visitor_id, "attributes": {"note": markup}}
    )
    await visitor.send_json_to({"type": "ping"})
    assert (await next_of_type(visitor, "pong"))["type"] == "pong"
    mine = await database_sync_to_async(Visitor.objects.get)(pk=visitor_alice.visitor_id)
    other = await database_sync_to_async(Visitor.objects.get)(pk=visitor_carol.visitor_id)
    assert mine.attributes == {"note": markup}
    assert other.attributes == {}
    await visitor.disconnect()


async def test_a_note_in_another_sites_conversation_is_not_found_and_not_stored(agent_eve, visitor_alice):
    """note.add by an agent of another site: not_found, no Activity row."""
    visitor, _ = await connect_visitor(visitor_alice)
    ack = await send_message(visitor, "Hello?", "v-1")
    agent, _ = await connect_agent(agent_eve)
    conversation_id = ack["message"]["conversation_id"]
    await agent.send_json_to(
        {"type": "note.add", "conversation_id": conversation_id, "client_id": "n", "body": "x"}
    )
    error = await next_of_type(agent, "error")
    assert (error["code"], error["ref"]) == ("not_found", "n")
    assert await database_sync_to_async(Activity.objects.count)() == 0
    await visitor.disconnect()
    await agent.disconnect()
