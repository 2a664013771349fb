"""Visitor services called directly: sessions."""

import pytest

from server.conversations.models import Visitor
from server.conversations.services.visitors import do_start_visitor_session

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_visitor_session_drops_what_cannot_be_stored(site_acme):
    """An unstorable page_url (a lone surrogate) is dropped and NUL is taken out of the user agent: the
    session still starts, on PostgreSQL too."""
    session = do_start_visitor_session(
        site=site_acme,
        visitor_token=None,
        page_url="https://shop.acme.test/\ud800",
        user_agent="Mozilla\x00/5.0",
    )
    visitor = Visitor.objects.get(pk=session.visitor_id)
    assert (visitor.last_page_url, visitor.user_agent) == ("", "Mozilla/5.0")
