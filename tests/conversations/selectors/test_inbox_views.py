"""Inbox views, pages and counts, read directly (on SQLite and, in `make test-postgres`, PostgreSQL)."""

import uuid
from datetime import timedelta

import pytest
from django.utils import timezone

from server.conversations.models import Conversation
from server.conversations.selectors.inbox import agent_inbox
from server.conversations.selectors.inbox_counts import SiteCounts, inbox_counts
from server.conversations.selectors.inbox_views import (
    InboxPage,
    InboxQuery,
    decode_cursor,
    encode_cursor,
    inbox_page,
)
from server.conversations.services.messages import do_post_visitor_message
from server.errors import ParleyError
from server.sites.models import Site, SiteMembership
from server.sites.services import do_add_site_member
from tests.conftest import start_visitor

pytestmark = pytest.mark.django_db(transaction=True)


def conversations(site: Site, count: int, *, start: int = 0) -> list[uuid.UUID]:
    """`count` conversations on `site`, each from a new visitor, the later ones with newer activity."""
    made = []
    base = timezone.now() - timedelta(hours=1)
    for index in range(start, start + count):
        visitor = start_visitor(site)
        posted = do_post_visitor_message(
            visitor_id=uuid.UUID(visitor.visitor_id), client_id=f"c{index}", body=f"Message {index}"
        )
        Conversation.objects.filter(pk=posted.conversation_id).update(
            updated_at=base + timedelta(seconds=index)
        )
        made.append(posted.conversation_id)
    return made


def ids(page: InboxPage) -> list[uuid.UUID]:
    """The ids of a page's conversations, in order."""
    return [conversation.pk for conversation in page.conversations]


def test_views_hold_what_their_names_say(agent_bob, site_acme, django_user_model):
    """mine: open and mine; unassigned: open, no one's; open: all open; resolved: resolved."""
    other = django_user_model.objects.create_user(username="olga", password="olga-password-1")
    mine, theirs, nobodys, resolved = conversations(site_acme, 4)
    Conversation.objects.filter(pk=mine).update(assignee=agent_bob)
    Conversation.objects.filter(pk=theirs).update(assignee=other)
    Conversation.objects.filter(pk=resolved).update(status="resolved", assignee=agent_bob)
    user_id = agent_bob.pk
    assert ids(inbox_page(user_id=user_id, query=InboxQuery(view="mine"))) == [mine]
    assert ids(inbox_page(user_id=user_id, query=InboxQuery(view="unassigned"))) == [nobodys]
    assert ids(inbox_page(user_id=user_id, query=InboxQuery(view="open"))) == [nobodys, theirs, mine]
    assert ids(inbox_page(user_id=user_id, query=InboxQuery(view="resolved"))) == [resolved]
    assert inbox_counts(user_id=user_id) == [
        SiteCounts(site_id=site_acme.pk, open=3, unassigned=1, resolved=1, mine=1)
    ]


def test_pages_follow_the_cursor_to_the_end_without_repeats(agent_bob, site_acme, settings):
    """Walking `next` gives every conversation once, newest first, and the last page has no cursor."""
    settings.PARLEY_INBOX_PAGE_SIZE = 2
    made = conversations(site_acme, 5)
    seen, before = [], None
    for _ in range(5):
        page = inbox_page(user_id=agent_bob.pk, query=InboxQuery(view="open", before=before))
        seen += ids(page)
        before = page.next
        if before is None:
            break
    assert seen == made[::-1]


def test_equal_times_are_ordered_by_id_across_pages(agent_bob, site_acme, settings):
    """Rows with the same updated_at are split between pages by id, none lost or doubled."""
    settings.PARLEY_INBOX_PAGE_SIZE = 2
    made = conversations(site_acme, 5)
    Conversation.objects.update(updated_at=timezone.now())
    first = inbox_page(user_id=agent_bob.pk, query=InboxQuery(view="open"))
    second = inbox_page(user_id=agent_bob.pk, query=InboxQuery(view="open", before=first.next))
    third = inbox_page(user_id=agent_bob.pk, query=InboxQuery(view="open", before=second.next))
    assert ids(first) + ids(second) + ids(third) == sorted(made, reverse=True)
    assert third.next is None


def test_several_sites_merge_into_one_order_and_filter_by_site(agent_bob, site_acme, site_globex, settings):
    """An agent of two sites sees both, interleaved by activity; site_id keeps one."""
    settings.PARLEY_INBOX_PAGE_SIZE = 3
    do_add_site_member(site=site_globex, user=agent_bob, role=SiteMembership.Role.AGENT)
    acme = conversations(site_acme, 2, start=0)
    globex = conversations(site_globex, 2, start=2)
    page = inbox_page(user_id=agent_bob.pk, query=InboxQuery(view="open"))
    assert ids(page) == [globex[1], globex[0], acme[1]]
    rest = inbox_page(user_id=agent_bob.pk, query=InboxQuery(view="open", before=page.next))
    assert ids(rest) == [acme[0]]
    only = inbox_page(user_id=agent_bob.pk, query=InboxQuery(view="open", site_id=site_acme.pk))
    assert ids(only) == acme[::-1]
    assert [counts.site_id for counts in inbox_counts(user_id=agent_bob.pk)] == sorted(
        [site_acme.pk, site_globex.pk]
    )


def test_another_sites_id_is_not_found(agent_bob, site_globex):
    """A site the agent is not a member of is `not_found`, whether or not it exists."""
    for site_id in (site_globex.pk, 999_999):
        with pytest.raises(ParleyError) as refused:
            inbox_page(user_id=agent_bob.pk, query=InboxQuery(view="open", site_id=site_id))
        assert refused.value.code == "not_found"


@pytest.mark.parametrize("cursor", ["", "x", "bm90IGpzb24", "WzEsMl0", "WyIyMDI2LTAxLTAxIiwiYWIiXQ"])
def test_a_cursor_not_given_by_the_server_is_invalid_field(agent_bob, cursor):
    """Garbage, other JSON, a naive time or a bad id in a cursor is `invalid_field` naming 'before'."""
    with pytest.raises(ParleyError) as refused:
        decode_cursor(cursor)
    assert refused.value.code == "invalid_field"
    assert "'before'" in refused.value.message


def test_a_cursor_round_trips():
    """encode_cursor and decode_cursor agree."""
    cursor = (timezone.now(), uuid.uuid4())
    assert decode_cursor(encode_cursor(cursor)) == cursor


def test_ready_holds_the_first_open_page_and_the_counts(agent_bob, site_acme, settings):
    """agent_inbox: the first page of 'open' (PARLEY_INBOX_PAGE_SIZE rows) and the counts."""
    settings.PARLEY_INBOX_PAGE_SIZE = 2
    made = conversations(site_acme, 3)
    inbox = agent_inbox(user=agent_bob)
    assert ids(inbox.first_page) == made[:0:-1]
    assert inbox.first_page.next is not None
    assert inbox.counts == [SiteCounts(site_id=site_acme.pk, open=3, unassigned=3, resolved=0, mine=0)]
