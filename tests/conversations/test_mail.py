"""The emails a visitor gets, delivered to a real SMTP server (aiosmtpd): missed replies and transcripts."""

import uuid
from collections.abc import Iterator

import pytest

from server.conversations.models import Conversation, Visitor
from server.conversations.resume import RESUME_FRAGMENT, read_resume_token
from server.conversations.services.messages import do_post_agent_message, do_post_visitor_message
from server.conversations.services.read_marks import do_mark_visitor_read
from server.conversations.tasks import email_missed_replies, email_transcript
from tests.smtp import Inbox, html_body, smtp_inbox, text_body

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def mailbox(settings) -> Iterator[Inbox]:
    """Django's SMTP backend pointed at a real local SMTP server."""
    with smtp_inbox() as box:
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST = "127.0.0.1"
        settings.EMAIL_PORT = box.port
        yield box


@pytest.fixture
def chat(visitor_alice, agent_bob) -> uuid.UUID:
    """Alice (who left her email) asked something; her conversation's id."""
    visitor_id = uuid.UUID(visitor_alice.visitor_id)
    Visitor.objects.filter(pk=visitor_id).update(
        email="alice@example.com", last_page_url="https://shop.acme.test/shoes?size=9#reviews"
    )
    return do_post_visitor_message(
        visitor_id=visitor_id, client_id="c1", body="Do you ship abroad?"
    ).conversation_id


def test_missed_replies_go_in_one_email_with_a_resume_link(mailbox, chat, agent_bob, visitor_alice):
    """Two replies → one email listing both, escaped, linking back to her page with a resume token."""
    do_post_agent_message(agent=agent_bob, conversation_id=chat, body="Yes, <b>everywhere</b>.")
    do_post_agent_message(agent=agent_bob, conversation_id=chat, body="Anything else?")
    assert email_missed_replies.call(str(chat)) == 2
    (email,) = mailbox.wait_count(1)
    assert email["To"] == "alice@example.com"
    assert "Acme" in email["Subject"]
    text, html = text_body(email), html_body(email)
    assert "Yes, <b>everywhere</b>." in text
    assert "Anything else?" in text
    assert "Do you ship abroad?" not in text
    assert "&lt;b&gt;everywhere&lt;/b&gt;" in html
    assert "<b>everywhere" not in html
    link = next(word for word in text.split() if word.startswith("https://"))
    page, token = link.split(f"#{RESUME_FRAGMENT}=")
    assert page == "https://shop.acme.test/shoes?size=9"
    claim = read_resume_token(token=token)
    assert (str(claim.visitor_id), claim.conversation_id) == (visitor_alice.visitor_id, chat)
    assert Conversation.objects.get(pk=chat).emailed_seq == 3


def test_replies_are_emailed_once(mailbox, chat, agent_bob):
    """The second task of the same replies finds nothing new to send."""
    do_post_agent_message(agent=agent_bob, conversation_id=chat, body="Yes.")
    assert email_missed_replies.call(str(chat)) == 1
    assert email_missed_replies.call(str(chat)) == 0
    do_post_agent_message(agent=agent_bob, conversation_id=chat, body="And a later one.")
    assert email_missed_replies.call(str(chat)) == 1
    first, second = mailbox.wait_count(2)
    assert "Yes." in text_body(first)
    assert "And a later one." in text_body(second)
    assert "Yes." not in text_body(second)


def test_replies_the_visitor_read_are_not_emailed(mailbox, chat, agent_bob, visitor_alice):
    """Read within the delay (her read mark moved past them): no email."""
    posted = do_post_agent_message(agent=agent_bob, conversation_id=chat, body="Yes.")
    do_mark_visitor_read(
        visitor_id=uuid.UUID(visitor_alice.visitor_id), conversation_id=chat, seq=posted.message.seq
    )
    assert email_missed_replies.call(str(chat)) == 0
    assert mailbox.messages == []


def test_a_visitor_without_an_email_gets_nothing(mailbox, chat, agent_bob, visitor_alice):
    """No address, no email (and nothing fails)."""
    do_post_agent_message(agent=agent_bob, conversation_id=chat, body="Yes.")
    Visitor.objects.filter(pk=visitor_alice.visitor_id).update(email="")
    assert email_missed_replies.call(str(chat)) == 0
    assert email_missed_replies.call(str(uuid.uuid4())) == 0


def test_a_transcript_lists_the_whole_conversation(mailbox, chat, agent_bob):
    """Every message, the visitor's as "You", the agent's under its name."""
    do_post_agent_message(agent=agent_bob, conversation_id=chat, body="Yes, we do.")
    assert email_transcript.call(str(chat)) == 2
    (email,) = mailbox.wait_count(1)
    text = text_body(email)
    assert "You: Do you ship abroad?" in text
    assert "Bob: Yes, we do." in text
