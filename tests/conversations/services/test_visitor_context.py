"""The visitor's context: checked on the way in, stored once per change, visits counted."""

import uuid
from datetime import timedelta

import pytest
from django.utils import timezone

from server.conversations import events
from server.conversations.models import Visitor
from server.conversations.services.visitor_context import (
    VisitorContext,
    check_visitor_context,
    do_record_page,
)
from server.conversations.services.visitors import do_start_visitor_session

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.parametrize(
    ("given", "kept"),
    [
        (
            {"page_title": "  Red\nshoes ", "referrer": "https://search.test/?q=shoes"},
            VisitorContext(page_title="Red shoes", referrer="https://search.test/?q=shoes"),
        ),
        (
            {"timezone": "America/Argentina/Buenos_Aires", "language": "zh-Hant-TW"},
            VisitorContext(timezone="America/Argentina/Buenos_Aires", language="zh-Hant-TW"),
        ),
        ({"referrer": "javascript:alert(1)"}, VisitorContext()),
        ({"timezone": "../../etc/passwd", "language": "<b>"}, VisitorContext()),
        ({"timezone": "A/" + "b" * 80, "language": 7, "page_title": "x\x00"}, VisitorContext()),
        ({"page_title": "t" * 500}, VisitorContext(page_title="t" * 300)),
    ],
)
def test_the_context_keeps_only_what_is_well_formed(given, kept):
    """Each part is dropped, never refused, when it is not what it claims to be."""
    arguments = {"page_title": None, "referrer": None, "timezone": None, "language": None, **given}
    assert check_visitor_context(**arguments) == kept


def test_a_session_stores_the_context_and_counts_visits(site_acme):
    """A new visitor gets the context; resuming within the gap is the same visit, after it a new one."""
    context = VisitorContext(
        page_title="Shoes", referrer="https://a.test/", timezone="Europe/Paris", language="fr"
    )
    session = do_start_visitor_session(
        site=site_acme,
        visitor_token=None,
        page_url="https://shop.acme.test/shoes",
        user_agent="t",
        context=context,
    )
    visitor = Visitor.objects.get(pk=session.visitor_id)
    assert (
        visitor.last_page_title,
        visitor.referrer,
        visitor.timezone,
        visitor.language,
        visitor.visits,
    ) == ("Shoes", "https://a.test/", "Europe/Paris", "fr", 1)
    do_start_visitor_session(
        site=site_acme,
        visitor_token=session.visitor_token,
        page_url="https://shop.acme.test/",
        user_agent="t",
    )
    visitor.refresh_from_db()
    # Same visit; a page without a title has none; what the session did not report is kept.
    assert (visitor.visits, visitor.last_page_title, visitor.timezone) == (1, "", "Europe/Paris")
    Visitor.objects.filter(pk=visitor.pk).update(last_seen_at=timezone.now() - timedelta(hours=1))
    do_start_visitor_session(
        site=site_acme,
        visitor_token=session.visitor_token,
        page_url="https://shop.acme.test/",
        user_agent="t",
    )
    visitor.refresh_from_db()
    assert visitor.visits == 2


def test_a_page_is_written_and_announced_only_when_it_changes(visitor_alice, monkeypatch):
    """The same page twice is one write and one event; another title is a change."""
    announced: list[events.Event] = []
    monkeypatch.setattr(events, "publish", lambda batch: announced.extend(batch))
    visitor_id = uuid.UUID(visitor_alice.visitor_id)
    site_id = visitor_alice.site.pk
    assert do_record_page(site_id=site_id, visitor_id=visitor_id, url="https://shop.acme.test/a", title="A")
    assert not do_record_page(
        site_id=site_id, visitor_id=visitor_id, url="https://shop.acme.test/a", title="A"
    )
    assert do_record_page(site_id=site_id, visitor_id=visitor_id, url="https://shop.acme.test/a", title="A2")
    assert [event.title for event in announced if isinstance(event, events.VisitorPageChanged)] == ["A", "A2"]
    visitor = Visitor.objects.get(pk=visitor_id)
    assert (visitor.last_page_url, visitor.last_page_title) == ("https://shop.acme.test/a", "A2")


def test_a_page_of_another_sites_visitor_is_not_written(visitor_alice, site_globex):
    """The socket's site bounds the write: a visitor id of another site changes nothing."""
    visitor_id = uuid.UUID(visitor_alice.visitor_id)
    assert not do_record_page(site_id=site_globex.pk, visitor_id=visitor_id, url="https://x.test/", title="")


def test_a_sockets_first_page_is_announced_even_when_stored_already(visitor_alice, monkeypatch):
    """A page load stored its address with its session: its socket's first page is announced, not written."""
    announced: list[events.VisitorPageChanged] = []
    monkeypatch.setattr(events, "publish", lambda batch: announced.extend(batch))
    visitor_id = uuid.UUID(visitor_alice.visitor_id)
    url = "https://shop.acme.test/"
    assert not do_record_page(
        site_id=visitor_alice.site.pk, visitor_id=visitor_id, url=url, title="", announce=True
    )
    assert [event.url for event in announced] == [url]
    assert not do_record_page(site_id=visitor_alice.site.pk, visitor_id=visitor_id, url=url, title="")
    assert len(announced) == 1
