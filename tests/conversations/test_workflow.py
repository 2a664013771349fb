"""The conversation lifecycle agents drive: assign, unassign, resolve and reopen, each stored with who and
when and announced once committed."""

import json
import uuid
from typing import Any

import pytest
from django.contrib.auth.models import User

from server.conversations import events
from server.conversations.models import Activity, Conversation, Message
from server.conversations.services.messages import do_post_visitor_message
from server.conversations.services.workflow import (
    check_assignee,
    do_assign_conversation,
    do_reopen_conversation,
    do_resolve_conversation,
)
from server.errors import ParleyError
from server.realtime.gateway import layer_events
from server.realtime.groups import agent_group, site_agents_group, visitor_group
from server.sites.models import Site, SiteMembership
from server.sites.services import do_add_site_member

pytestmark = pytest.mark.django_db(transaction=True)

Published = list[tuple[str, str, dict[str, Any]]]


@pytest.fixture
def published(monkeypatch) -> Published:
    """(group, layer message type, frame) of every event the gateway sends once committed."""
    sent: Published = []

    def publish(batch: list[events.Event]) -> None:
        sent.extend(
            (group, message["type"], json.loads(message["text"])) for group, message in layer_events(batch)
        )

    monkeypatch.setattr(events, "publisher", lambda: publish)
    return sent


@pytest.fixture
def agent_dana(site_acme: Site) -> User:
    """A second agent of Acme, to hand conversations to."""
    user = User.objects.create_user(username="dana@acme.test", password="dana-password-1")
    do_add_site_member(site=site_acme, user=user, role=SiteMembership.Role.AGENT)
    return user


@pytest.fixture
def conversation_id(visitor_alice) -> uuid.UUID:
    """Alice's open conversation, with one message."""
    posted = do_post_visitor_message(
        visitor_id=uuid.UUID(visitor_alice.visitor_id), client_id="c1", body="hi"
    )
    return posted.conversation_id


def frames_of(published: Published, frame_type: str) -> list[tuple[str, dict[str, Any]]]:
    """(group, frame) of the published frames of one type."""
    return [(group, frame) for group, _, frame in published if frame["type"] == frame_type]


def test_resolving_stores_a_system_line_both_sides_see(published, agent_bob, conversation_id):
    """Resolve stores the status, its time and a `resolved` line by the agent, announced to both sides."""
    published.clear()
    change = do_resolve_conversation(agent=agent_bob, conversation_id=conversation_id)
    assert change.changed
    conversation = Conversation.objects.get(pk=conversation_id)
    assert conversation.status == Conversation.Status.RESOLVED
    assert conversation.resolved_at is not None
    line = Message.objects.get(conversation_id=conversation_id, seq=2)
    assert (line.author, line.agent_id, line.event) == (Message.Author.SYSTEM, agent_bob.pk, "resolved")
    ((group, update),) = frames_of(published, "inbox.update")
    assert group == site_agents_group(conversation.site_id)
    assert update["previous"] == {"status": "open", "assignee_id": None}
    assert update["conversation"]["status"] == "resolved"
    assert update["conversation"]["resolved_at"] is not None
    ((group, new),) = frames_of(published, "message.new")
    assert group == visitor_group(conversation.visitor_id)
    assert new["message"] | {"created_at": None, "id": None} == {
        "id": None,
        "conversation_id": str(conversation_id),
        "seq": 2,
        "author": "system",
        "author_name": "Bob",
        "agent_id": agent_bob.pk,
        "body": "This conversation was resolved.",
        "client_id": None,
        "created_at": None,
        "event": "resolved",
    }


def test_resolving_a_resolved_conversation_changes_nothing(published, agent_bob, conversation_id):
    """A second resolve stores and announces nothing; it answers with the conversation as it is."""
    do_resolve_conversation(agent=agent_bob, conversation_id=conversation_id)
    published.clear()
    change = do_resolve_conversation(agent=agent_bob, conversation_id=conversation_id)
    assert not change.changed
    assert change.conversation.status == Conversation.Status.RESOLVED
    assert Message.objects.filter(conversation_id=conversation_id).count() == 2
    assert published == []


def test_reopening_stores_a_reopened_line_and_clears_the_time(published, agent_bob, conversation_id):
    """Reopen sets the status back to open, clears resolved_at and appends a `reopened` line."""
    do_resolve_conversation(agent=agent_bob, conversation_id=conversation_id)
    published.clear()
    assert do_reopen_conversation(agent=agent_bob, conversation_id=conversation_id).changed
    conversation = Conversation.objects.get(pk=conversation_id)
    assert (conversation.status, conversation.resolved_at, conversation.last_seq) == ("open", None, 3)
    assert Message.objects.get(conversation_id=conversation_id, seq=3).event == "reopened"
    ((_, update),) = frames_of(published, "inbox.update")
    assert update["previous"] == {"status": "resolved", "assignee_id": None}
    assert not do_reopen_conversation(agent=agent_bob, conversation_id=conversation_id).changed


def test_reopening_a_superseded_conversation_is_refused(visitor_alice, agent_bob, conversation_id, settings):
    """A conversation whose visitor started a newer one cannot be reopened: two would be open."""
    settings.PARLEY_REOPEN_WINDOW = 0
    do_resolve_conversation(agent=agent_bob, conversation_id=conversation_id)
    newer = do_post_visitor_message(
        visitor_id=uuid.UUID(visitor_alice.visitor_id), client_id="c2", body="new"
    )
    assert newer.conversation_id != conversation_id
    with pytest.raises(ParleyError) as refused:
        do_reopen_conversation(agent=agent_bob, conversation_id=conversation_id)
    assert (refused.value.code, refused.value.http_status, refused.value.close_code) == (
        "conversation_superseded",
        409,
        None,
    )
    assert Conversation.objects.get(pk=conversation_id).status == Conversation.Status.RESOLVED


def test_assigning_a_colleague_notifies_only_the_assignee(published, agent_bob, agent_dana, conversation_id):
    """An assignment is an agent-only line: agents get the row, the assignee conversation.assigned."""
    published.clear()
    assert do_assign_conversation(agent=agent_bob, conversation_id=conversation_id, assignee_id=agent_dana.pk)
    conversation = Conversation.objects.get(pk=conversation_id)
    assert conversation.assignee_id == agent_dana.pk
    activity = Activity.objects.get()
    assert (activity.kind, activity.agent_id, activity.assignee_id) == (
        "assigned",
        agent_bob.pk,
        agent_dana.pk,
    )
    assert Message.objects.filter(conversation_id=conversation_id).count() == 1  # not in the seq stream
    groups = [(group, kind) for group, kind, _ in published]
    assert groups == [
        (site_agents_group(conversation.site_id), "inbox.update"),
        (agent_group(agent_dana.pk), "agent.conversation_assigned"),
    ]
    ((_, update),) = frames_of(published, "inbox.update")
    assert update["previous"] == {"status": "open", "assignee_id": None}
    assert (update["conversation"]["assignee_id"], update["conversation"]["assignee_name"]) == (
        agent_dana.pk,
        "dana",
    )
    ((_, assigned),) = frames_of(published, "conversation.assigned")
    assert assigned["by"] == {"id": agent_bob.pk, "name": "Bob"}
    assert assigned["conversation"]["id"] == str(conversation_id)


def test_the_activity_line_rides_on_the_inbox_row(monkeypatch, agent_bob, agent_dana, conversation_id):
    """The inbox row's layer message carries the encoded activity.new for the sockets following it."""
    messages: list[dict[str, Any]] = []
    monkeypatch.setattr(
        events, "publisher", lambda: lambda batch: messages.extend(m for _, m in layer_events(batch))
    )
    do_assign_conversation(agent=agent_bob, conversation_id=conversation_id, assignee_id=agent_dana.pk)
    activity = Activity.objects.get()
    (update,) = [message for message in messages if message["type"] == "inbox.update"]
    assert update["conversation_id"] == str(conversation_id)
    relayed = json.loads(update["activity_text"])
    assert relayed["type"] == "activity.new"
    assert relayed["activity"] | {"created_at": None} == {
        "id": activity.pk,
        "conversation_id": str(conversation_id),
        "kind": "assigned",
        "agent_id": agent_bob.pk,
        "author_name": "Bob",
        "assignee_id": agent_dana.pk,
        "assignee_name": "dana",
        "body": "",
        "client_id": None,
        "created_at": None,
    }


def test_assigning_yourself_sends_no_personal_notification(published, agent_bob, conversation_id):
    """An agent taking a conversation is told by the broadcast alone."""
    published.clear()
    do_assign_conversation(agent=agent_bob, conversation_id=conversation_id, assignee_id=agent_bob.pk)
    assert [kind for _, kind, _ in published] == ["inbox.update"]


def test_unassigning_is_its_own_line_and_the_same_assignee_changes_nothing(
    published, agent_bob, agent_dana, conversation_id
):
    """Unassigning stores an `unassigned` line; assigning the current assignee again stores nothing."""
    do_assign_conversation(agent=agent_bob, conversation_id=conversation_id, assignee_id=agent_dana.pk)
    again = do_assign_conversation(
        agent=agent_bob, conversation_id=conversation_id, assignee_id=agent_dana.pk
    )
    assert not again.changed
    published.clear()
    assert do_assign_conversation(agent=agent_bob, conversation_id=conversation_id, assignee_id=None).changed
    assert list(Activity.objects.order_by("id").values_list("kind", "assignee_id")) == [
        ("assigned", agent_dana.pk),
        ("unassigned", None),
    ]
    ((_, update),) = frames_of(published, "inbox.update")
    assert update["previous"] == {"status": "open", "assignee_id": agent_dana.pk}
    assert update["conversation"]["assignee_name"] is None
    assert frames_of(published, "conversation.assigned") == []


def test_the_assignee_must_be_an_active_member_of_the_site(agent_bob, agent_eve, agent_dana, conversation_id):
    """Another site's agent, a deactivated one or no user at all is `invalid_field`; nothing changes."""
    agent_dana.is_active = False
    agent_dana.save()
    for assignee_id in (agent_eve.pk, agent_dana.pk, 999_999):
        with pytest.raises(ParleyError) as refused:
            do_assign_conversation(agent=agent_bob, conversation_id=conversation_id, assignee_id=assignee_id)
        assert refused.value.code == "invalid_field"
    assert Conversation.objects.get(pk=conversation_id).assignee_id is None
    assert not Activity.objects.exists()
    assert check_assignee(site_id=Conversation.objects.get().site_id, assignee_id=None) is None


@pytest.mark.parametrize("action", ["assign", "resolve", "reopen"])
def test_an_agent_of_another_site_acts_on_nothing(action, agent_eve, conversation_id):
    """A conversation outside the agent's sites is `not_found`, as if it did not exist."""
    actions = {
        "assign": lambda: do_assign_conversation(
            agent=agent_eve, conversation_id=conversation_id, assignee_id=agent_eve.pk
        ),
        "resolve": lambda: do_resolve_conversation(agent=agent_eve, conversation_id=conversation_id),
        "reopen": lambda: do_reopen_conversation(agent=agent_eve, conversation_id=conversation_id),
    }
    with pytest.raises(ParleyError) as refused:
        actions[action]()
    assert refused.value.code == "not_found"
    conversation = Conversation.objects.get(pk=conversation_id)
    assert (conversation.status, conversation.assignee_id, conversation.last_seq) == ("open", None, 1)
