"""Search over messages and visitors (SQLite FTS5 here; PostgreSQL full-text in `make test-postgres`)."""

import uuid
from typing import Any

import pytest
from django.contrib.auth.models import User

from server.conversations.models import Conversation, Message, Visitor
from server.conversations.selectors import inbox_views
from server.conversations.selectors import search as search_module
from server.conversations.selectors.inbox_views import InboxPage, InboxQuery, View, inbox_page
from server.conversations.selectors.search import search_terms, snippet
from server.conversations.services.messages import do_post_agent_message, do_post_visitor_message
from tests.conftest import VisitorIdentity
from tests.conversations.selectors.test_inbox_views import conversations

pytestmark = pytest.mark.django_db(transaction=True)


def say(visitor: VisitorIdentity, body: str, client_id: str = "c1") -> uuid.UUID:
    """A visitor's message; returns its conversation id."""
    return do_post_visitor_message(
        visitor_id=uuid.UUID(visitor.visitor_id), client_id=client_id, body=body
    ).conversation_id


def search(agent: User, text: str, view: View = "open", **fields: Any) -> InboxPage:
    """The page an agent's search gives."""
    return inbox_page(user_id=agent.pk, query=InboxQuery(view=view, search=text, **fields))


def test_a_prefix_finds_a_word_of_a_message_with_its_snippet(agent_bob, visitor_alice, visitor_carol):
    """ "refu" finds "refund" in a body; the match names the message and cuts a one-line snippet."""
    found = say(visitor_alice, "Hello.\nI would like a REFUND for order 1234, please.")
    say(visitor_carol, "Where is my parcel?")
    page = search(agent_bob, "refu")
    assert [conversation.pk for conversation in page.conversations] == [found]
    [match] = page.matches
    assert (match.conversation_id, match.seq) == (found, 1)
    assert match.snippet == "Hello. I would like a REFUND for order 1234, please."
    assert [c.pk for c in search(agent_bob, "order 12").conversations] == [found]
    assert search(agent_bob, "refund parcel").conversations == []


def test_agents_replies_are_searched_too(agent_bob, visitor_alice):
    """A word only in an agent's reply finds the conversation, matched by the latest matching message."""
    conversation_id = say(visitor_alice, "Hi")
    do_post_agent_message(
        agent=agent_bob, conversation_id=conversation_id, client_id="a1", body="Voucher sent"
    )
    do_post_agent_message(
        agent=agent_bob, conversation_id=conversation_id, client_id="a2", body="voucher again"
    )
    [match] = search(agent_bob, "vouch").matches
    assert match.seq == 3


def test_visitor_name_email_and_page_are_searched(agent_bob, visitor_alice, visitor_carol):
    """Name, email and last page URL (by its words) find the visitor's conversations, with no match row."""
    found = say(visitor_alice, "Hi")
    say(visitor_carol, "Hi")
    Visitor.objects.filter(pk=visitor_alice.visitor_id).update(
        name="Dana Scully", email="dana@fbi.example", last_page_url="https://shop.acme.test/checkout/step-2"
    )
    for text in ("scul", "dana@fbi", "checkout", "FBI.EXAMPLE"):
        page = search(agent_bob, text)
        assert [conversation.pk for conversation in page.conversations] == [found], text
        assert page.matches == []


def test_search_stays_inside_the_agents_sites(agent_bob, visitor_alice, visitor_gina):
    """A matching conversation of another site is never found."""
    say(visitor_gina, "refund please")
    assert search(agent_bob, "refund").conversations == []


def test_search_honours_the_view(agent_bob, visitor_alice):
    """A resolved conversation is found under 'resolved', not under 'open'."""
    conversation_id = say(visitor_alice, "refund please")
    Conversation.objects.filter(pk=conversation_id).update(status="resolved")
    assert search(agent_bob, "refund").conversations == []
    assert [c.pk for c in search(agent_bob, "refund", view="resolved").conversations] == [conversation_id]


@pytest.mark.parametrize(
    "text",
    ["body__icontains", "' OR 1=1 --", '"refund" OR *', "refund:* | a", "NEAR(a b)", "%", "\\", "__all__"],
)
def test_query_syntax_and_orm_lookups_are_just_text(agent_bob, visitor_alice, text):
    """Operators of either engine, SQL and ORM lookup strings match as words or not at all, never fail."""
    say(visitor_alice, "refund please")
    page = search(agent_bob, text)
    assert len(page.conversations) <= 1


def test_nothing_searchable_matches_nothing_and_empty_is_no_search(agent_bob, visitor_alice):
    """Punctuation alone matches nothing; an empty search is the plain view."""
    conversation_id = say(visitor_alice, "Hi")
    assert search(agent_bob, "?!…").conversations == []
    assert [c.pk for c in search(agent_bob, "").conversations] == [conversation_id]


def test_terms_are_words_lowercased_and_bounded():
    """search_terms keeps letters and digits only, lower-cased, at most eight."""
    assert search_terms("Ré-fund_x 12 " + "w " * 20) == ["ré", "fund", "x", "12"] + ["w"] * 4


def test_snippet_is_cut_around_the_first_match():
    """A long body is cut around the match, with ellipses where it was cut."""
    text = snippet("a " * 200 + "needle " + "b " * 200, ["need"])
    assert "needle" in text
    assert text.startswith("…")
    assert text.endswith("…")
    assert len(text) <= 162


def test_edits_and_deletes_keep_the_index_in_step(agent_bob, visitor_alice):
    """A changed body is found by its new words only; a deleted message is found no more."""
    conversation_id = say(visitor_alice, "apples")
    Message.objects.filter(conversation_id=conversation_id).update(body="pears")
    assert search(agent_bob, "apples").conversations == []
    assert [c.pk for c in search(agent_bob, "pears").conversations] == [conversation_id]
    Message.objects.filter(conversation_id=conversation_id).delete()
    assert search(agent_bob, "pears").conversations == []


def test_a_common_search_walks_the_view_and_pages_alike(agent_bob, site_acme, settings, monkeypatch):
    """A word common in the view's newest rows is found by walking the view chunk by chunk: the same rows,
    newest first, and a page cut short by the walk's bound resumes where the walk stopped."""
    settings.PARLEY_INBOX_PAGE_SIZE = 2
    made = conversations(site_acme, 7)
    for conversation_id in made[1::3]:
        Message.objects.filter(conversation_id=conversation_id).update(body="nothing to see")
    expected = [conversation_id for conversation_id in made[::-1] if conversation_id not in made[1::3]]
    monkeypatch.setattr(search_module, "PROBE_LIMIT", 1)
    monkeypatch.setattr(inbox_views, "FIRST_CHUNK", 2)
    monkeypatch.setattr(inbox_views, "WALK_CHUNK", 2)
    monkeypatch.setattr(inbox_views, "WALK_CHUNKS", 1)
    seen: list[uuid.UUID] = []
    before = None
    for _ in range(10):
        page = search(agent_bob, "mess", before=before)
        seen += [conversation.pk for conversation in page.conversations]
        assert [match.conversation_id for match in page.matches] == [c.pk for c in page.conversations]
        before = page.next
        if before is None:
            break
    assert seen == expected


def test_a_word_rare_in_the_views_newest_rows_is_found_through_the_index(
    agent_bob, site_acme, settings, monkeypatch
):
    """No match among the first rows tested: the index's matches are joined to the view, older rows too."""
    settings.PARLEY_INBOX_PAGE_SIZE = 2
    made = conversations(site_acme, 6)
    Message.objects.filter(conversation_id=made[0]).update(body="order Q777 is late")
    monkeypatch.setattr(inbox_views, "FIRST_CHUNK", 2)
    monkeypatch.setattr(inbox_views, "WALK_CHUNKS", 0)  # a walk would find nothing: the index must
    page = search(agent_bob, "q777")
    assert [conversation.pk for conversation in page.conversations] == [made[0]]
    assert page.next is None


def test_a_word_in_many_visitors_is_tested_row_by_row(agent_bob, site_acme, settings, monkeypatch):
    """Past PROBE_LIMIT visitor matches, each walked conversation's visitor is tested on its own row."""
    settings.PARLEY_INBOX_PAGE_SIZE = 2
    made = conversations(site_acme, 4)
    Visitor.objects.filter(conversations__pk__in=made[1:]).update(email="buyer@example.com")
    monkeypatch.setattr(search_module, "PROBE_LIMIT", 1)
    monkeypatch.setattr(inbox_views, "FIRST_CHUNK", 2)
    monkeypatch.setattr(inbox_views, "WALK_CHUNK", 2)
    page = search(agent_bob, "buyer")
    assert [conversation.pk for conversation in page.conversations] == [made[3], made[2]]
    assert page.matches == []
    assert [c.pk for c in search(agent_bob, "buyer", before=page.next).conversations] == [made[1]]
