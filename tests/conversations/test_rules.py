"""The agent's rule (rules.py) is one definition: the ORM selector and the send's statement agree on it."""

import uuid

import pytest
from django.contrib.auth.models import User
from django.db import connection, transaction

from server.conversations import rules
from server.conversations.selectors.inbox import agent_conversation
from server.conversations.services import message_rows
from server.conversations.services.messages import do_post_visitor_message
from server.conversations.store import statements
from server.errors import ParleyError
from server.sites.models import Site
from server.sites.services import do_add_site_member

pytestmark = pytest.mark.django_db(transaction=True)


def selector_allows(*, user_id: int, conversation_id: uuid.UUID) -> bool:
    """Whether the ORM selector gives the agent the conversation."""
    try:
        agent_conversation(user_id=user_id, conversation_id=conversation_id)
    except ParleyError as error:
        refused = error
    else:
        return True
    assert refused.code == "not_found"
    return False


def statement_allows(*, user_id: int, conversation_id: uuid.UUID) -> bool:
    """Whether the agent's send statement finds (and locks) the conversation."""
    with transaction.atomic():
        conversation, _ = message_rows._lock_agent_conversation(
            user_id=user_id, conversation_id=conversation_id, client_id=None
        )
    return conversation is not None


def test_the_selector_and_the_send_statement_agree_on_who_may_act(
    visitor_alice, visitor_gina, agent_bob, agent_eve, site_globex: Site
):
    """Members, non-members, members of two sites and unknown conversations: both answer alike."""
    acme = do_post_visitor_message(
        visitor_id=uuid.UUID(visitor_alice.visitor_id), client_id="a", body="hi"
    ).conversation_id
    globex = do_post_visitor_message(
        visitor_id=uuid.UUID(visitor_gina.visitor_id), client_id="g", body="hi"
    ).conversation_id
    outsider = User.objects.create_user(username="mallory", password="mallory-password-1")
    both = User.objects.create_user(username="tess", password="tess-password-1")
    do_add_site_member(site=visitor_alice.site, user=both)
    do_add_site_member(site=site_globex, user=both)
    expected = {
        (agent_bob.pk, acme): True,
        (agent_bob.pk, globex): False,
        (agent_eve.pk, acme): False,
        (agent_eve.pk, globex): True,
        (outsider.pk, acme): False,
        (both.pk, acme): True,
        (both.pk, globex): True,
        (agent_bob.pk, uuid.uuid4()): False,
    }
    for (user_id, conversation_id), allowed in expected.items():
        by_selector = selector_allows(user_id=user_id, conversation_id=conversation_id)
        by_statement = statement_allows(user_id=user_id, conversation_id=conversation_id)
        assert (by_selector, by_statement) == (allowed, allowed), (user_id, conversation_id)


def test_the_send_statement_is_compiled_from_the_rule():
    """The statement carries the rule's own SQL, not a copy of it."""
    subquery, _ = rules.agent_site_ids(user_id=1).query.sql_with_params()
    assert subquery in statements.agent_send_target(connection.vendor)


def test_a_deactivated_member_may_act_on_nothing(visitor_alice, agent_bob):
    """A member whose user is inactive: neither the selector nor the send statement gives a conversation."""
    conversation_id = do_post_visitor_message(
        visitor_id=uuid.UUID(visitor_alice.visitor_id), client_id="a", body="hi"
    ).conversation_id
    User.objects.filter(pk=agent_bob.pk).update(is_active=False)
    assert not selector_allows(user_id=agent_bob.pk, conversation_id=conversation_id)
    assert not statement_allows(user_id=agent_bob.pk, conversation_id=conversation_id)
