"""Resume links at the session endpoint: a valid one resumes its visitor; forged, expired or foreign ones
resume nothing and change nothing else (docs/offline.md)."""

import time
import uuid

import pytest

from server.conversations.models import Visitor
from server.conversations.resume import read_resume_token, resume_token_in, resume_url, sign_resume_token
from server.conversations.services.messages import do_post_visitor_message
from server.conversations.tokens import read_visitor_token, sign_visitor_token
from server.errors import ParleyError
from server.protocol.frames import Page
from tests.conftest import GLOBEX_ORIGIN
from tests.widget_api.test_widget_api import post_session

pytestmark = pytest.mark.django_db


def alice_link(site, visitor_alice) -> str:
    """A resume token for Alice's conversation."""
    visitor_id = uuid.UUID(visitor_alice.visitor_id)
    conversation = do_post_visitor_message(visitor_id=visitor_id, client_id="c1", body="hi").conversation_id
    return sign_resume_token(site_id=site.pk, visitor_id=visitor_id, conversation_id=conversation)


def page(token: str) -> str:
    """The page a resume link opens, as the widget sends it for page_url."""
    return resume_url(page_url="https://shop.acme.test/shoes?size=9", token=token)


def session_visitor(response) -> str:
    """The visitor a session answer's token names."""
    assert response.status_code == 200, response.content
    return str(read_visitor_token(token=response.json()["visitor_token"], max_age=60).visitor_id)


def test_a_resume_link_resumes_its_visitor_in_a_fresh_browser(client, site_acme, visitor_alice):
    """No visitor token (another browser): the session is Alice's, and says it was resumed."""
    response = post_session(client, site_acme, {"page_url": page(alice_link(site_acme, visitor_alice))})
    assert session_visitor(response) == visitor_alice.visitor_id
    assert response.json()["resumed"] is True


def test_the_token_is_never_stored_with_the_page(client, site_acme, visitor_alice):
    """The page is kept without the link's fragment, by the session as by `page` frames' field."""
    response = post_session(client, site_acme, {"page_url": page(alice_link(site_acme, visitor_alice))})
    assert session_visitor(response) == visitor_alice.visitor_id
    stored = Visitor.objects.get(pk=visitor_alice.visitor_id)
    assert stored.last_page_url == "https://shop.acme.test/shoes?size=9"
    frame = Page.model_validate({"type": "page", "url": page("abc.def"), "title": ""})
    assert frame.url == "https://shop.acme.test/shoes?size=9"


def test_a_page_without_a_link_sends_no_resumed_flag(client, site_acme):
    """`resumed` is only in answers to a session whose page held a resume link."""
    response = post_session(client, site_acme, {"page_url": "https://shop.acme.test/#reviews"})
    assert "resumed" not in response.json()
    assert resume_token_in("https://shop.acme.test/#reviews") is None


def test_a_resume_link_wins_over_the_browsers_own_visitor(client, site_acme, visitor_alice, visitor_carol):
    """Opened in Carol's browser, the link still resumes Alice."""
    body = {"visitor_token": visitor_carol.token, "page_url": page(alice_link(site_acme, visitor_alice))}
    assert session_visitor(post_session(client, site_acme, body)) == visitor_alice.visitor_id


@pytest.mark.parametrize(
    "forge",
    [
        lambda token: token[:-2] + ("AA" if not token.endswith("AA") else "BB"),
        lambda token: "not-a-token",
        lambda token: "x" * 600,
    ],
)
def test_a_forged_resume_link_resumes_nobody(client, site_acme, visitor_alice, visitor_carol, forge):
    """A tampered or malformed token: the browser's own visitor goes on, `resumed` false."""
    body = {
        "visitor_token": visitor_carol.token,
        "page_url": page(forge(alice_link(site_acme, visitor_alice))),
    }
    response = post_session(client, site_acme, body)
    assert session_visitor(response) == visitor_carol.visitor_id
    assert response.json()["resumed"] is False


def test_a_visitor_token_is_not_a_resume_link(client, site_acme, visitor_alice, visitor_carol):
    """Signed with the visitor tokens' salt, not the resume links': refused."""
    token = sign_visitor_token(site_id=site_acme.pk, visitor_id=uuid.UUID(visitor_alice.visitor_id))
    response = post_session(
        client, site_acme, {"visitor_token": visitor_carol.token, "page_url": page(token)}
    )
    assert session_visitor(response) == visitor_carol.visitor_id


def test_an_expired_resume_link_resumes_nobody(client, settings, site_acme, visitor_alice):
    """Older than PARLEY_RESUME_LINK_MAX_AGE: a new visitor starts."""
    token = alice_link(site_acme, visitor_alice)
    settings.PARLEY_RESUME_LINK_MAX_AGE = 1
    time.sleep(2.1)
    response = post_session(client, site_acme, {"page_url": page(token)})
    assert session_visitor(response) != visitor_alice.visitor_id
    assert response.json()["resumed"] is False
    with pytest.raises(ParleyError, match="expired"):
        read_resume_token(token=token)


def test_another_sites_resume_link_resumes_nobody(client, site_acme, site_globex, visitor_alice):
    """Acme's link on Globex's endpoint: a new Globex visitor."""
    response = post_session(
        client, site_globex, {"page_url": page(alice_link(site_acme, visitor_alice))}, origin=GLOBEX_ORIGIN
    )
    assert session_visitor(response) != visitor_alice.visitor_id
    assert response.json()["resumed"] is False


def test_a_resume_link_puts_its_token_in_the_fragment():
    """In the fragment, which browsers never send to the host's server; the page's own fragment goes."""
    token = sign_resume_token(site_id=1, visitor_id=uuid.uuid4(), conversation_id=uuid.uuid4())
    assert (
        resume_url(page_url="https://a.test/p#top", token=token) == f"https://a.test/p#parley-resume={token}"
    )
