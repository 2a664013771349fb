"""History selectors called directly: pages of messages."""

import uuid

import pytest

from server.conversations.selectors.history import messages_after, visitor_history
from server.conversations.services.messages import do_post_visitor_message
from server.conversations.services.workflow import do_resolve_conversation
from server.errors import ParleyError

pytestmark = pytest.mark.django_db(transaction=True)


def test_history_pages_are_capped_by_bytes_and_say_more_follows(visitor_alice, settings):
    """A page stops before PARLEY_HISTORY_MAX_BYTES (always at least one message) and sets has_more."""
    settings.PARLEY_HISTORY_MAX_BYTES = 2700  # each message counts its body plus 300 bytes
    visitor_id = uuid.UUID(visitor_alice.visitor_id)
    for index in range(5):
        posted = do_post_visitor_message(visitor_id=visitor_id, client_id=f"c{index}", body="x" * 1000)
    page, has_more = messages_after(conversation_id=posted.conversation_id, after_seq=0)
    assert [message.seq for message in page] == [1, 2]
    assert has_more
    settings.PARLEY_HISTORY_MAX_BYTES = 10
    page, has_more = messages_after(conversation_id=posted.conversation_id, after_seq=4)
    assert [message.seq for message in page] == [5]
    assert not has_more


def test_previous_conversation_is_the_visitors_one_started_before(
    visitor_alice, visitor_carol, agent_bob, settings
):
    """Each conversation's history names the same visitor's one before it (the first: none), never another
    visitor's; another visitor's conversation is not found."""
    settings.PARLEY_REOPEN_WINDOW = 0
    alice = uuid.UUID(visitor_alice.visitor_id)
    conversations = []
    for index in range(3):
        posted = do_post_visitor_message(visitor_id=alice, client_id=f"a{index}", body="again")
        do_resolve_conversation(agent=agent_bob, conversation_id=posted.conversation_id)
        conversations.append(posted.conversation_id)
    # Another visitor's conversation in between is never anyone else's previous one.
    carol = do_post_visitor_message(visitor_id=uuid.UUID(visitor_carol.visitor_id), client_id="c0", body="hi")
    assert len(set(conversations)) == 3
    previous = [
        visitor_history(visitor_id=alice, conversation_id=c, after_seq=0).previous_id for c in conversations
    ]
    assert previous == [None, *conversations[:2]]
    with pytest.raises(ParleyError):
        visitor_history(visitor_id=alice, conversation_id=carol.conversation_id, after_seq=0)
