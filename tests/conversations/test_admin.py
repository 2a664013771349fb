"""The conversations admin: what the sockets write and announce is only read there."""

import uuid

import pytest
from django.contrib.auth.models import User
from django.test import Client

from server.conversations.models import Conversation, Message, Visitor
from server.conversations.services.messages import do_post_visitor_message
from tests.conftest import VisitorIdentity

pytestmark = pytest.mark.django_db


@pytest.fixture
def message_of_alice(visitor_alice: VisitorIdentity) -> Message:
    """Alice's first message, posted as the widget posts it."""
    visitor_id = uuid.UUID(visitor_alice.visitor_id)
    posted = do_post_visitor_message(visitor_id=visitor_id, client_id="c1", body="Hi")
    return Message.objects.get(pk=posted.message.id)


@pytest.mark.parametrize("model", ["message", "conversation", "visitor", "contact"])
def test_what_the_sockets_and_sessions_make_cannot_be_added(client: Client, admin_ada: User, model: str):
    """Messages, conversations, visitors and contacts: add pages refused (403), no Add link in lists."""
    client.force_login(admin_ada)
    assert client.get(f"/admin/chat/{model}/add/").status_code == 403
    listing = client.get(f"/admin/chat/{model}/")
    assert listing.status_code == 200
    assert f"/admin/chat/{model}/add/" not in listing.content.decode()


def test_a_message_is_read_only(client: Client, admin_ada: User, message_of_alice: Message):
    """Its page shows the body without a form field; a change or a delete is refused and nothing moves."""
    client.force_login(admin_ada)
    page = client.get(f"/admin/chat/message/{message_of_alice.pk}/change/")
    assert page.status_code == 200
    assert 'name="body"' not in page.content.decode()
    changed = client.post(f"/admin/chat/message/{message_of_alice.pk}/change/", {"body": "Changed"})
    assert changed.status_code == 403
    deleted = client.post(f"/admin/chat/message/{message_of_alice.pk}/delete/", {"post": "yes"})
    assert deleted.status_code == 403
    message_of_alice.refresh_from_db()
    assert message_of_alice.body == "Hi"


def test_a_conversation_is_read_only(client: Client, admin_ada: User, message_of_alice: Message):
    """Status and assignee change in the console, which announces them: the admin's form is refused."""
    client.force_login(admin_ada)
    conversation = Conversation.objects.get(pk=message_of_alice.conversation_id)
    url = f"/admin/chat/conversation/{conversation.pk}/change/"
    assert 'name="status"' not in client.get(url).content.decode()
    assert client.post(url, {"status": "resolved"}).status_code == 403
    conversation.refresh_from_db()
    assert conversation.status == "open"
    assert Visitor.objects.count() == 1
