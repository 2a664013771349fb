"""Canned replies: saved and deleted by the site's agents only, with unique shortcuts."""

from typing import Any

import pytest

from server.conversations import events
from server.conversations.models import CannedReply
from server.conversations.selectors.canned import agent_canned_replies
from server.conversations.services.canned import do_delete_canned_reply, do_save_canned_reply
from server.errors import ParleyError

pytestmark = pytest.mark.django_db(transaction=True)


def save(agent: Any, site: Any, **fields: Any) -> CannedReply:
    """Save a canned reply as `agent`."""
    arguments = {"canned_id": None, "shortcut": "hi", "title": "", "body": "Hello there!", **fields}
    return do_save_canned_reply(user_id=agent.pk, site_id=site.pk, **arguments)


def test_create_change_and_delete_are_announced(agent_bob, site_acme, monkeypatch):
    """Each change is one CannedReplyChanged for the site; the list reads by shortcut."""
    announced: list[events.CannedReplyChanged] = []
    monkeypatch.setattr(events, "publish", lambda batch: announced.extend(batch))
    canned = save(agent_bob, site_acme, body="  Hello!  ", title=" Greeting ")
    assert (canned.body, canned.title, canned.created_by_id) == ("Hello!", "Greeting", agent_bob.pk)
    save(agent_bob, site_acme, shortcut="bye", body="Bye!")
    changed = save(agent_bob, site_acme, canned_id=canned.pk, shortcut="hello", body="Hi!")
    assert changed.pk == canned.pk
    assert [reply.shortcut for reply in agent_canned_replies(user_id=agent_bob.pk)] == ["bye", "hello"]
    assert do_delete_canned_reply(user_id=agent_bob.pk, canned_id=canned.pk) == site_acme.pk
    assert [(event.canned is None, event.deleted_id) for event in announced] == [
        (False, None),
        (False, None),
        (False, None),
        (True, canned.pk),
    ]


def test_a_shortcut_is_unique_per_site(agent_bob, site_acme):
    """A second /hi on the same site is invalid_field and stores nothing."""
    save(agent_bob, site_acme)
    with pytest.raises(ParleyError) as refused:
        save(agent_bob, site_acme, body="Other")
    assert refused.value.code == "invalid_field"
    assert CannedReply.objects.count() == 1


def test_another_sites_agent_can_neither_see_nor_touch_them(agent_bob, agent_eve, site_acme):
    """Outside your sites a canned reply, or the site itself, is not_found."""
    canned = save(agent_bob, site_acme)
    assert agent_canned_replies(user_id=agent_eve.pk) == []
    for attempt in (
        lambda: save(agent_eve, site_acme, shortcut="mine"),
        lambda: save(agent_eve, site_acme, canned_id=canned.pk),
        lambda: do_delete_canned_reply(user_id=agent_eve.pk, canned_id=canned.pk),
    ):
        with pytest.raises(ParleyError) as refused:
            attempt()
        assert refused.value.code == "not_found"
    assert CannedReply.objects.get().body == "Hello there!"


@pytest.mark.parametrize(
    ("fields", "code"),
    [
        ({"body": "  "}, "empty_body"),
        ({"body": "x" * 5000}, "body_too_long"),
        ({"title": "t" * 121}, "invalid_field"),
    ],
)
def test_bodies_and_titles_are_checked(agent_bob, site_acme, fields, code):
    """A canned body follows the message rules; a title has at most 120 characters."""
    with pytest.raises(ParleyError) as refused:
        save(agent_bob, site_acme, **fields)
    assert refused.value.code == code


def test_a_site_has_at_most_the_configured_number(agent_bob, site_acme, settings):
    """Past PARLEY_CANNED_REPLIES_MAX a new one is limit_reached."""
    settings.PARLEY_CANNED_REPLIES_MAX = 1
    save(agent_bob, site_acme)
    with pytest.raises(ParleyError) as refused:
        save(agent_bob, site_acme, shortcut="two")
    assert refused.value.code == "limit_reached"
