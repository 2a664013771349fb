"""The agent socket's inbox: `ready` counts and first page, `inbox.query` → `inbox.page`, its own limit."""

from typing import Any

import pytest
from channels.db import database_sync_to_async

from server.conversations.models import Conversation
from tests.conftest import connect_agent
from tests.realtime.test_agent_socket import start_conversation

pytestmark = pytest.mark.django_db(transaction=True)


async def query(agent: Any, **fields: Any) -> dict[str, Any]:
    """Send an inbox.query and return the frame that answers it."""
    await agent.send_json_to({"type": "inbox.query", **fields})
    answer: dict[str, Any] = await agent.receive_json_from()
    return answer


async def test_ready_carries_the_first_open_page_and_the_counts(
    agent_bob, visitor_alice, visitor_carol, settings
):
    """ready.inbox holds PARLEY_INBOX_PAGE_SIZE open rows; ready.counts each view's size per site."""
    settings.PARLEY_INBOX_PAGE_SIZE = 1
    first, _ = await start_conversation(visitor_alice)
    second, newest = await start_conversation(visitor_carol)
    agent, ready = await connect_agent(agent_bob)
    assert [row["id"] for row in ready["inbox"]] == [newest]
    assert ready["inbox_next"] is not None
    site_id = visitor_alice.site.pk
    assert ready["counts"] == [
        {"site_id": site_id, "open": 2, "unassigned": 2, "resolved": 0, "mine": 0, "over": []}
    ]
    for communicator in (first, second, agent):
        await communicator.disconnect()


async def test_a_query_pages_a_view_and_echoes_what_was_asked(
    agent_bob, visitor_alice, visitor_carol, settings
):
    """inbox.query answers with a page and a cursor; `before` gives the next page; the view is echoed."""
    settings.PARLEY_INBOX_PAGE_SIZE = 1
    first, older = await start_conversation(visitor_alice)
    second, newer = await start_conversation(visitor_carol)
    agent, _ = await connect_agent(agent_bob)
    page = await query(agent, view="unassigned", site_id=visitor_alice.site.pk)
    assert page["type"] == "inbox.page"
    assert (page["view"], page["site_id"], page["search"], page["before"]) == (
        "unassigned",
        visitor_alice.site.pk,
        None,
        None,
    )
    assert [row["id"] for row in page["conversations"]] == [newer]
    assert page["conversations"][0]["last_read_seq"] == 0
    rest = await query(agent, view="unassigned", before=page["next"])
    assert ([row["id"] for row in rest["conversations"]], rest["next"]) == ([older], None)
    await database_sync_to_async(Conversation.objects.filter(pk=older).update)(status="resolved")
    resolved = await query(agent, view="resolved")
    assert [row["id"] for row in resolved["conversations"]] == [older]
    for communicator in (first, second, agent):
        await communicator.disconnect()


async def test_a_search_finds_a_message_with_its_snippet(agent_bob, visitor_alice):
    """A search answers the conversations that match with the matching message's snippet."""
    visitor, conversation_id = await start_conversation(visitor_alice, "My refund never came")
    agent, _ = await connect_agent(agent_bob)
    page = await query(agent, view="open", search="refu")
    assert [row["id"] for row in page["conversations"]] == [conversation_id]
    assert page["matches"] == [
        {
            "conversation_id": conversation_id,
            "message_id": page["matches"][0]["message_id"],
            "seq": 1,
            "snippet": "My refund never came",
        }
    ]
    assert (await query(agent, view="open", search="parcel"))["conversations"] == []
    await visitor.disconnect()
    await agent.disconnect()


@pytest.mark.parametrize(
    ("fields", "named"),
    [
        ({"view": "everything"}, "view"),
        ({}, "view"),
        ({"view": "open", "site_id": "1"}, "site_id"),
        ({"view": "open", "site_id": 0}, "site_id"),
        ({"view": "open", "search": "x" * 201}, "search"),
        ({"view": "open", "search": 5}, "search"),
        ({"view": "open", "before": "not-a-cursor"}, "before"),
        ({"view": "open", "before": "x" * 201}, "before"),
    ],
)
async def test_bad_fields_are_invalid_field_naming_the_field(agent_bob, fields, named):
    """Each refused field is `invalid_field` naming it; the socket stays open."""
    agent, _ = await connect_agent(agent_bob)
    error = await query(agent, **fields)
    assert (error["type"], error["code"], error["ref"]) == ("error", "invalid_field", "inbox.query")
    assert f"'{named}'" in error["message"]
    assert (await query(agent, view="open"))["type"] == "inbox.page"
    await agent.disconnect()


async def test_queries_past_their_own_limit_are_rate_limited(agent_bob, settings):
    """More than PARLEY_INBOX_QUERY_BURST queries at once: the next is rate_limited with retry_after."""
    settings.PARLEY_INBOX_QUERY_BURST = 2
    settings.PARLEY_INBOX_QUERY_RATE = 1
    agent, _ = await connect_agent(agent_bob)
    assert (await query(agent, view="open"))["type"] == "inbox.page"
    assert (await query(agent, view="open"))["type"] == "inbox.page"
    error = await query(agent, view="open", search="x")
    assert (error["code"], error["ref"], error["retry_after"]) == ("rate_limited", "inbox.query", 1)
    await agent.disconnect()
