"""Actions called directly: validation of site settings, seq allocation and idempotency."""

import uuid
from datetime import timedelta

import pytest
from django.utils import timezone

from server.chat import actions
from server.chat.actions import (
    check_allowed_origins,
    check_widget_color,
    do_create_site,
    do_post_agent_message,
    do_post_visitor_message,
)
from server.chat.errors import ParleyError
from server.chat.models import Conversation, Message, Visitor

pytestmark = pytest.mark.django_db(transaction=True)


def test_origins_are_normalised_and_deduplicated():
    """Origins lose trailing slashes and case in the host, and duplicates go."""
    assert check_allowed_origins(origins=["https://Shop.Example.com/", "https://shop.example.com", " "]) == [
        "https://shop.example.com"
    ]


@pytest.mark.parametrize(
    "origin", ["shop.example.com", "ftp://x.test", "https://x.test/path", "https://u:p@x.test"]
)
def test_malformed_origins_are_refused(origin):
    """Anything but scheme://host[:port] is refused."""
    with pytest.raises(ParleyError) as raised:
        check_allowed_origins(origins=[origin])
    assert raised.value.code == "invalid_field"


@pytest.mark.parametrize("color", ["red", "#fff", "#12345g", "#123456;}"])
def test_widget_colour_must_be_hex(color):
    """The colour ends up in CSS, so only #rrggbb passes."""
    with pytest.raises(ParleyError):
        check_widget_color(color=color)


def test_seq_strictly_increases_across_authors(site_acme, visitor_alice, agent_bob):
    """Visitor and agent messages share one gapless seq per conversation."""
    visitor_id = uuid.UUID(visitor_alice.visitor_id)
    first = do_post_visitor_message(visitor_id=visitor_id, client_id="v1", body="one")
    second = do_post_agent_message(agent=agent_bob, conversation_id=first.conversation_id, body="two")
    third = do_post_visitor_message(visitor_id=visitor_id, client_id="v2", body="three")
    assert [first.message["seq"], second.message["seq"], third.message["seq"]] == [1, 2, 3]
    assert Conversation.objects.get().last_seq == 3


def test_a_visitor_keeps_one_open_conversation(visitor_alice):
    """Later messages go to the same open conversation."""
    visitor_id = uuid.UUID(visitor_alice.visitor_id)
    for index in range(3):
        do_post_visitor_message(visitor_id=visitor_id, client_id=f"c{index}", body="x")
    assert Conversation.objects.count() == 1


def test_a_message_after_resolution_starts_a_new_conversation(visitor_alice):
    """Once resolved, the next message opens a new conversation."""
    visitor_id = uuid.UUID(visitor_alice.visitor_id)
    first = do_post_visitor_message(visitor_id=visitor_id, client_id="c1", body="x")
    Conversation.objects.filter(pk=first.conversation_id).update(status=Conversation.Status.RESOLVED)
    second = do_post_visitor_message(visitor_id=visitor_id, client_id="c2", body="y")
    assert second.conversation_id != first.conversation_id
    assert second.message["seq"] == 1


def test_a_retry_is_found_in_an_older_conversation(visitor_alice):
    """A client_id retried after its conversation was resolved is acknowledged, not stored again."""
    visitor_id = uuid.UUID(visitor_alice.visitor_id)
    first = do_post_visitor_message(visitor_id=visitor_id, client_id="c1", body="x")
    Conversation.objects.filter(pk=first.conversation_id).update(status=Conversation.Status.RESOLVED)
    do_post_visitor_message(visitor_id=visitor_id, client_id="c2", body="y")
    again = do_post_visitor_message(visitor_id=visitor_id, client_id="c1", body="x")
    assert (again.created, again.message["id"]) == (False, first.message["id"])
    assert Message.objects.count() == 2


@pytest.mark.parametrize("post", ["visitor", "agent"])
def test_a_retry_racing_its_original_is_answered_as_a_retry(post, visitor_alice, agent_bob, monkeypatch):
    """When the retry check misses a concurrent send of the same client_id, the rerun answers as a retry."""
    visitor_id = uuid.UUID(visitor_alice.visitor_id)
    opened = do_post_visitor_message(visitor_id=visitor_id, client_id="c0", body="hi")

    def send() -> actions.PostedMessage:
        if post == "visitor":
            return do_post_visitor_message(visitor_id=visitor_id, client_id="same", body="x")
        return do_post_agent_message(
            agent=agent_bob, conversation_id=opened.conversation_id, client_id="same", body="x"
        )

    original = send()
    # The first attempt's retry check sees nothing, as a send racing its original's commit would.
    calls = []
    lock_name = "_lock_open_conversation" if post == "visitor" else "_lock_agent_conversation"
    real_lock = getattr(actions, lock_name)

    def blind_lock(**kwargs):
        calls.append(kwargs)
        conversation, retried = real_lock(**kwargs)
        return conversation, retried and len(calls) > 1

    monkeypatch.setattr(actions, lock_name, blind_lock)
    again = send()
    assert len(calls) == 2
    assert (again.created, again.message["id"]) == (False, original.message["id"])
    assert Message.objects.filter(client_id="same").count() == 1


def test_a_visitor_is_touched_at_most_once_a_minute_by_its_messages(visitor_alice):
    """Sending refreshes last_seen_at only when it is older than a minute (no write per message)."""
    visitor_id = uuid.UUID(visitor_alice.visitor_id)
    do_post_visitor_message(visitor_id=visitor_id, client_id="c0", body="hi")
    long_ago = timezone.now() - timedelta(minutes=5)
    Visitor.objects.filter(pk=visitor_id).update(last_seen_at=long_ago)
    do_post_visitor_message(visitor_id=visitor_id, client_id="c1", body="x")
    touched = Visitor.objects.get(pk=visitor_id).last_seen_at
    assert touched > long_ago
    do_post_visitor_message(visitor_id=visitor_id, client_id="c2", body="y")
    assert Visitor.objects.get(pk=visitor_id).last_seen_at == touched


def test_an_agent_cannot_post_to_another_sites_conversation(visitor_alice, agent_eve):
    """A non-member gets not_found and nothing is stored."""
    posted = do_post_visitor_message(visitor_id=uuid.UUID(visitor_alice.visitor_id), client_id="c1", body="x")
    with pytest.raises(ParleyError) as raised:
        do_post_agent_message(agent=agent_eve, conversation_id=posted.conversation_id, body="hijack")
    assert raised.value.code == "not_found"
    assert Message.objects.count() == 1


def test_create_site_refuses_a_bad_position(db):
    """The widget position is right or left."""
    with pytest.raises(ParleyError):
        do_create_site(name="X", allowed_origins=[], position="top")


def test_history_pages_are_capped_by_bytes_and_say_more_follows(visitor_alice, settings):
    """A page stops before PARLEY_HISTORY_MAX_BYTES (always at least one message) and sets has_more."""
    from server.chat.selectors import messages_after

    settings.PARLEY_HISTORY_MAX_BYTES = 2700  # each message counts its body plus 300 bytes
    visitor_id = uuid.UUID(visitor_alice.visitor_id)
    for index in range(5):
        posted = do_post_visitor_message(visitor_id=visitor_id, client_id=f"c{index}", body="x" * 1000)
    page, has_more = messages_after(conversation_id=posted.conversation_id, after_seq=0)
    assert [message["seq"] for message in page] == [1, 2]
    assert has_more
    settings.PARLEY_HISTORY_MAX_BYTES = 10
    page, has_more = messages_after(conversation_id=posted.conversation_id, after_seq=4)
    assert [message["seq"] for message in page] == [5]
    assert not has_more


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("allowed_origins", "shop.example.com"),
        ("allowed_origins", "https://x.test/path"),
        ("widget_color", "red;}"),
    ],
)
def test_the_admin_refuses_bad_site_settings(field, value):
    """The admin's site form runs the same checks: no path in an origin, no CSS in a colour."""
    from server.chat.admin import SiteForm

    data = {
        "name": "X",
        "allowed_origins": "https://ok.test",
        "widget_color": "#123456",
        "widget_greeting": "Hi",
        "widget_position": "right",
        field: value,
    }
    form = SiteForm(data=data)
    assert not form.is_valid()
    assert field in form.errors


def test_the_admin_normalises_origins():
    """Origins entered in the admin are stored normalised, one per line."""
    from server.chat.admin import SiteForm

    form = SiteForm(
        data={
            "name": "X",
            "allowed_origins": "https://Shop.Test/\n\nhttps://shop.test",
            "widget_color": "#ABCDEF",
            "widget_greeting": "Hi",
            "widget_position": "left",
        }
    )
    assert form.is_valid(), form.errors
    assert form.cleaned_data["allowed_origins"] == "https://shop.test"
    assert form.cleaned_data["widget_color"] == "#abcdef"
