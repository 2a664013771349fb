"""What the server builds from stored objects validates against the protocol models, field by field."""

import json
import uuid
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client
from pydantic import BaseModel, TypeAdapter

from server.conversations.models import Conversation, Message
from server.conversations.selectors.history import messages_after
from server.conversations.selectors.inbox import agent_history, agent_inbox, summary_query
from server.conversations.services.conversations import do_open_conversation
from server.conversations.services.messages import do_post_agent_message, do_post_visitor_message
from server.errors import ERROR_CODES
from server.protocol import frames, objects
from server.protocol.wire import (
    conversation_summary,
    conversation_wire,
    message_wire,
    site_wire,
    visitor_wire,
)
from server.realtime import replies
from server.realtime.gateway import encode_frame
from server.sites.models import Site
from tests.conftest import ACME_ORIGIN, VisitorIdentity

pytestmark = pytest.mark.django_db


def check(model: Any, value: BaseModel | dict[str, Any]) -> Any:
    """The model (or union) read from the JSON text the server sends for `value`."""
    text = encode_frame(value) if isinstance(value, BaseModel) else json.dumps(value)
    return TypeAdapter(model).validate_json(text)


@pytest.fixture
def conversation(visitor_alice: VisitorIdentity, agent_bob: User) -> Conversation:
    """A conversation of Alice with a visitor message and Bob's reply."""
    visitor_id = uuid.UUID(visitor_alice.visitor_id)
    posted = do_post_visitor_message(visitor_id=visitor_id, client_id="c-1", body="Hello")
    do_post_agent_message(
        agent=agent_bob, conversation_id=posted.conversation_id, body="Hi!", client_id="a-1"
    )
    return summary_query().get(pk=posted.conversation_id)


def test_stored_messages_are_messages(conversation: Conversation, agent_bob: User):
    """A visitor's message and an agent's, as wire.py builds them from rows and selectors from SQL."""
    stored = list(Message.objects.filter(conversation=conversation).select_related("agent").order_by("seq"))
    checked = [check(objects.Message, message_wire(message)) for message in stored]
    assert [(m.author, m.author_name, m.agent_id) for m in checked] == [
        ("visitor", None, None),
        ("agent", "Bob", agent_bob.pk),
    ]
    page = messages_after(conversation_id=conversation.pk, after_seq=0)
    assert [check(objects.Message, message_wire(message)) for message in page.messages] == checked
    assert not page.has_more


def test_a_message_without_client_id_or_agent_is_a_message(conversation: Conversation, agent_bob: User):
    """client_id and author_name may be null; an agent whose user is gone is named 'Support'."""
    reply = do_post_agent_message(agent=agent_bob, conversation_id=conversation.pk, body="No id")
    assert check(objects.Message, message_wire(reply.message)).client_id is None
    agent_bob.delete()
    message = Message.objects.select_related("agent").get(pk=reply.message.id)
    assert check(objects.Message, message_wire(message)).author_name == "Support"


def test_conversations_visitors_sites_and_summaries(conversation: Conversation, site_acme: Site):
    """The visitor's view of a conversation, an inbox row (read mark or null) and its parts."""
    assert check(objects.Conversation, conversation_wire(conversation)).last_seq == 2
    assert check(objects.VisitorInfo, visitor_wire(conversation.visitor)).last_page_url == ACME_ORIGIN + "/"
    assert check(objects.SiteInfo, site_wire(site_acme)).name == "Acme"
    for last_read_seq in (None, 0, 2):
        summary = check(
            objects.ConversationSummary, conversation_summary(conversation, last_read_seq=last_read_seq)
        )
        assert summary.last_read_seq == last_read_seq
        assert summary.last_message is not None


def test_a_conversation_without_messages_summarises(conversation: Conversation):
    """An inbox row whose conversation has no last message yet."""
    conversation.last_message = None
    assert (
        check(objects.ConversationSummary, conversation_summary(conversation, last_read_seq=0)).last_message
        is None
    )


def test_frames_built_from_stored_objects(conversation: Conversation, agent_bob: User):
    """ready, conversation.opened and history of the agent socket, as the selectors build them."""
    ready = check(frames.AgentServerFrame, replies.agent_ready_frame(agent_inbox(user=agent_bob), agents=[]))
    assert isinstance(ready, frames.AgentReady)
    assert [row.id for row in ready.inbox] == [conversation.pk]
    opened = do_open_conversation(user_id=agent_bob.pk, conversation_id=conversation.pk, after_seq=0)
    opened_frame = replies.conversation_opened_frame(opened)
    assert isinstance(check(frames.AgentServerFrame, opened_frame), frames.ConversationOpened)
    page = agent_history(user_id=agent_bob.pk, conversation_id=conversation.pk, after_seq=1)
    history = replies.history_frame(conversation_id=conversation.pk, page=page)
    assert len(check(frames.AgentServerFrame, history).messages) == 1


def test_http_bodies(client: Client, site_acme: Site):
    """The widget's config, a session and an HTTP error, as the views answer them."""
    headers = {"Origin": ACME_ORIGIN}
    config = client.get(f"/api/widget/sites/{site_acme.public_key}/config", headers=headers)
    assert check(frames.WidgetConfig, config.json()).site.name == "Acme"
    path = f"/api/widget/sites/{site_acme.public_key}/session"
    request = frames.SessionRequest(visitor_token=None, page_url=ACME_ORIGIN + "/")
    session = client.post(path, request.model_dump_json(), content_type="application/json", headers=headers)
    assert check(frames.SessionResponse, session.json()).socket_url.startswith("ws")
    refused = client.post(path, "[1]", content_type="application/json", headers=headers)
    assert check(frames.HttpError, refused.json()).error.code == "invalid_json"


def test_every_error_code_is_in_the_schema():
    """ErrorFrame.code and HttpError's code list exactly the codes errors.ERROR_CODES knows."""
    schema = TypeAdapter(frames.ErrorFrame).json_schema()
    assert set(schema["$defs"]["ErrorCode"]["enum"]) == set(ERROR_CODES)


def test_server_output_allows_no_extra_field():
    """Every server-side model is exact, so an undocumented field fails the frame checks."""
    extra = check(frames.VisitorServerFrame, {"type": "pong"})
    assert isinstance(extra, BaseModel)
    with pytest.raises(ValueError, match="Extra inputs"):
        check(frames.VisitorServerFrame, {"type": "pong", "surprise": 1})
