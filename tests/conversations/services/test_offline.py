"""Never drop a visitor, called directly: the visitor's email, ratings, reply emails queued, transcripts."""

import uuid
from datetime import timedelta

import pytest
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from server.conversations import events
from server.conversations.models import Contact, Conversation, Rating, Visitor
from server.conversations.services.messages import do_post_agent_message, do_post_visitor_message
from server.conversations.services.offline import (
    check_visitor_email,
    do_rate_conversation,
    do_request_transcript,
    do_set_visitor_email,
)
from server.conversations.services.workflow import do_reopen_conversation, do_resolve_conversation
from server.errors import ParleyError
from tests.realtime.test_access import collected  # noqa: F401 (a fixture)

pytestmark = pytest.mark.django_db(transaction=True)


def conversation_of(visitor_alice) -> uuid.UUID:
    """Alice's conversation, started by a first message."""
    posted = do_post_visitor_message(
        visitor_id=uuid.UUID(visitor_alice.visitor_id), client_id="c1", body="hi"
    )
    return posted.conversation_id


def test_an_email_is_trimmed_and_its_domain_lower_cased():
    """Typed with spaces and a capitalised domain, it is stored in one form."""
    assert check_visitor_email(email="  Alice.Smith@Example.COM ") == "Alice.Smith@example.com"


@pytest.mark.parametrize(
    "typed",
    [
        "",
        "   ",
        "alice",
        "alice@",
        "@example.com",
        "alice@localhost",
        "a b@example.com",
        "x" * 250 + "@example.com",
        "alice@example.com\x00",
        "<script>@example.com",
    ],
)
def test_what_is_not_an_email_is_refused(typed):
    """Not an address, or one over 254 characters: email_invalid."""
    with pytest.raises(ParleyError) as refused:
        check_visitor_email(email=typed)
    assert refused.value.code == "email_invalid"


def test_a_visitor_email_is_stored_and_announced_once(site_acme, visitor_alice, collected):  # noqa: F811
    """Stored on the visitor and told to the site's agents; the same address again announces nothing."""
    visitor_id = uuid.UUID(visitor_alice.visitor_id)
    do_set_visitor_email(site_id=site_acme.pk, visitor_id=visitor_id, email="alice@example.com")
    do_set_visitor_email(site_id=site_acme.pk, visitor_id=visitor_id, email="alice@example.com")
    assert Visitor.objects.get(pk=visitor_id).email == "alice@example.com"
    assert collected == [
        events.VisitorEmailChanged(site_id=site_acme.pk, visitor_id=visitor_id, email="alice@example.com")
    ]


def test_an_unverified_email_never_links_a_contact(site_acme, visitor_alice):
    """A contact with the same address stays apart: the email is the visitor's own, unverified field."""
    contact = Contact.objects.create(
        site=site_acme, external_id="u-1", email="alice@example.com", verified_at=timezone.now()
    )
    visitor_id = uuid.UUID(visitor_alice.visitor_id)
    do_set_visitor_email(site_id=site_acme.pk, visitor_id=visitor_id, email="alice@example.com")
    assert Visitor.objects.get(pk=visitor_id).contact_id is None
    assert not Visitor.objects.filter(contact=contact).exists()


def test_another_sites_visitor_is_not_changed(site_globex, visitor_alice):
    """The socket's site bounds the write."""
    visitor_id = uuid.UUID(visitor_alice.visitor_id)
    do_set_visitor_email(site_id=site_globex.pk, visitor_id=visitor_id, email="alice@example.com")
    assert Visitor.objects.get(pk=visitor_id).email == ""


def test_a_resolved_conversation_is_rated_and_rated_again(visitor_alice, agent_bob, collected):  # noqa: F811
    """Good, then bad with a comment: one rating, the latest, about the agent who replied."""
    conversation_id = conversation_of(visitor_alice)
    do_post_agent_message(agent=agent_bob, conversation_id=conversation_id, body="Fixed.")
    do_resolve_conversation(agent=agent_bob, conversation_id=conversation_id)
    visitor_id = uuid.UUID(visitor_alice.visitor_id)
    do_rate_conversation(visitor_id=visitor_id, conversation_id=conversation_id, score="good", comment="")
    rating = do_rate_conversation(
        visitor_id=visitor_id, conversation_id=conversation_id, score="bad", comment="  Slow. "
    )
    assert (rating.score, rating.comment, rating.agent_id) == ("bad", "Slow.", agent_bob.pk)
    assert Rating.objects.count() == 1
    rated = [event for event in collected if isinstance(event, events.ConversationRated)]
    assert [(event.score, event.comment) for event in rated] == [("good", ""), ("bad", "Slow.")]


def test_an_open_conversation_cannot_be_rated(visitor_alice, agent_bob):
    """Before a resolve, and again after a reopen: rating_unavailable."""
    conversation_id = conversation_of(visitor_alice)
    visitor_id = uuid.UUID(visitor_alice.visitor_id)
    with pytest.raises(ParleyError) as refused:
        do_rate_conversation(visitor_id=visitor_id, conversation_id=conversation_id, score="good", comment="")
    assert refused.value.code == "rating_unavailable"
    do_resolve_conversation(agent=agent_bob, conversation_id=conversation_id)
    do_reopen_conversation(agent=agent_bob, conversation_id=conversation_id)
    with pytest.raises(ParleyError) as again:
        do_rate_conversation(visitor_id=visitor_id, conversation_id=conversation_id, score="good", comment="")
    assert again.value.code == "rating_unavailable"


def test_another_visitors_conversation_is_not_found(visitor_alice, visitor_carol, agent_bob):
    """Carol cannot rate Alice's conversation, nor ask for its transcript."""
    conversation_id = conversation_of(visitor_alice)
    do_resolve_conversation(agent=agent_bob, conversation_id=conversation_id)
    carol = uuid.UUID(visitor_carol.visitor_id)
    Visitor.objects.filter(pk=carol).update(email="carol@example.com")
    with pytest.raises(ParleyError) as rating:
        do_rate_conversation(visitor_id=carol, conversation_id=conversation_id, score="bad", comment="")
    with pytest.raises(ParleyError) as transcript:
        do_request_transcript(visitor_id=carol, conversation_id=conversation_id)
    assert (rating.value.code, transcript.value.code) == ("not_found", "not_found")


def test_a_long_or_unstorable_comment_is_refused(visitor_alice, agent_bob):
    """Over 1000 characters, or with NUL: invalid_field, and nothing stored."""
    conversation_id = conversation_of(visitor_alice)
    do_resolve_conversation(agent=agent_bob, conversation_id=conversation_id)
    for comment in ("x" * 1001, "a\x00b"):
        with pytest.raises(ParleyError) as refused:
            do_rate_conversation(
                visitor_id=uuid.UUID(visitor_alice.visitor_id),
                conversation_id=conversation_id,
                score="okay",
                comment=comment,
            )
        assert refused.value.code == "invalid_field"
    assert not Rating.objects.exists()


def test_an_agent_reply_to_a_visitor_with_an_email_queues_one_delayed_task(
    settings, visitor_alice, agent_bob
):
    """Queued after commit on the database backend, to run PARLEY_EMAIL_REPLY_DELAY seconds later."""
    settings.PARLEY_EMAIL_REPLY_DELAY = 120
    conversation_id = conversation_of(visitor_alice)
    do_post_agent_message(agent=agent_bob, conversation_id=conversation_id, body="Before the email: no task.")
    assert not DBTaskResult.objects.exists()
    Visitor.objects.filter(pk=visitor_alice.visitor_id).update(email="alice@example.com")
    before = timezone.now()
    do_post_agent_message(agent=agent_bob, conversation_id=conversation_id, body="Now one.")
    (task,) = DBTaskResult.objects.all()
    assert task.task_path == "server.conversations.tasks.email_missed_replies"
    assert task.args_kwargs == {"args": [str(conversation_id)], "kwargs": {}}
    assert before + timedelta(seconds=119) < task.run_after < timezone.now() + timedelta(seconds=121)


def test_a_transcript_needs_an_email_first(visitor_alice, agent_bob):
    """email_required without an address; queued once one is left."""
    conversation_id = conversation_of(visitor_alice)
    visitor_id = uuid.UUID(visitor_alice.visitor_id)
    with pytest.raises(ParleyError) as refused:
        do_request_transcript(visitor_id=visitor_id, conversation_id=conversation_id)
    assert refused.value.code == "email_required"
    Visitor.objects.filter(pk=visitor_id).update(email="alice@example.com")
    assert (
        do_request_transcript(visitor_id=visitor_id, conversation_id=conversation_id) == "alice@example.com"
    )
    (task,) = DBTaskResult.objects.all()
    assert task.task_path == "server.conversations.tasks.email_transcript"
    assert Conversation.objects.get().status == "open"
