"""The send batcher: sends arriving while a batch is stored go together in the next one."""

import asyncio
import threading
import uuid
from types import SimpleNamespace
from typing import Any, cast

import pytest

from server.conversations.services import messages
from server.conversations.services.messages import PostedMessage, VisitorSend
from server.errors import ParleyError
from server.realtime import batching

# The database thread's connection bookkeeping runs around each (stand-in) action.
pytestmark = pytest.mark.django_db(transaction=True)

VISITOR = uuid.uuid4()


class SlowAction:
    """Stands in for do_post_visitor_messages: records each batch; the first waits until released."""

    def __init__(self) -> None:
        self.batches: list[list[str]] = []
        self.first_started = threading.Event()
        self.release_first = threading.Event()

    def __call__(self, *, sends: list[VisitorSend]) -> list[PostedMessage | ParleyError]:
        self.batches.append([send.client_id for send in sends])
        if len(self.batches) == 1:
            self.first_started.set()
            self.release_first.wait(5)
        return [
            ParleyError("empty_body", "The message is empty.")
            if send.body == "bad"
            else PostedMessage(
                conversation_id=VISITOR,
                message=cast(Any, SimpleNamespace(client_id=send.client_id)),
                created=True,
            )
            for send in sends
        ]


@pytest.fixture
def slow_action(monkeypatch, settings) -> SlowAction:
    """do_post_visitor_messages replaced by a SlowAction."""
    # On PostgreSQL the batcher would otherwise take the event loop's path, which the stand-in skips.
    settings.PARLEY_SEND_ON_EVENT_LOOP = False
    action = SlowAction()
    monkeypatch.setattr(messages, "do_post_visitor_messages", action)
    return action


def post(client_id: str, body: str = "x") -> "asyncio.Task[PostedMessage]":
    """Start posting one send through this loop's batcher."""
    return asyncio.ensure_future(
        batching.post_visitor_message(visitor_id=VISITOR, client_id=client_id, body=body)
    )


async def wait_for_first_batch(action: SlowAction) -> None:
    """Wait until the first batch is on the database thread."""
    await asyncio.get_running_loop().run_in_executor(None, action.first_started.wait, 5)


async def test_a_lone_send_goes_at_once(slow_action):
    """With nothing in flight, a send is stored in a batch of its own."""
    slow_action.release_first.set()
    posted = await post("a")
    assert posted.message.client_id == "a"
    assert slow_action.batches == [["a"]]


async def test_sends_arriving_during_a_batch_go_together_in_the_next(slow_action):
    """Sends that wait for the batch in flight are stored as one batch, in arrival order."""
    first = post("a")
    await wait_for_first_batch(slow_action)
    waiting = [post(client_id) for client_id in ("b", "c", "d")]
    await asyncio.sleep(0)
    slow_action.release_first.set()
    results = await asyncio.gather(first, *waiting)
    assert [result.message.client_id for result in results] == ["a", "b", "c", "d"]
    assert slow_action.batches == [["a"], ["b", "c", "d"]]


async def test_a_batch_holds_at_most_the_configured_number(slow_action, settings):
    """PARLEY_SEND_BATCH_MAX caps a batch; the rest go in the batches after it."""
    settings.PARLEY_SEND_BATCH_MAX = 2
    first = post("a")
    await wait_for_first_batch(slow_action)
    waiting = [post(client_id) for client_id in ("b", "c", "d")]
    await asyncio.sleep(0)
    slow_action.release_first.set()
    await asyncio.gather(first, *waiting)
    assert slow_action.batches == [["a"], ["b", "c"], ["d"]]


async def test_each_sender_gets_its_own_answer(slow_action):
    """A refused send raises its ParleyError for its sender only."""
    first = post("a")
    await wait_for_first_batch(slow_action)
    refused, stored = post("b", body="bad"), post("c")
    await asyncio.sleep(0)
    slow_action.release_first.set()
    await first
    with pytest.raises(ParleyError) as raised:
        await refused
    assert raised.value.code == "empty_body"
    assert (await stored).message.client_id == "c"


async def test_a_sender_that_goes_away_does_not_stop_the_others(slow_action):
    """A send whose socket closed while it waited is still stored; the others get their answers."""
    first = post("a")
    await wait_for_first_batch(slow_action)
    gone, stored = post("b"), post("c")
    await asyncio.sleep(0)
    gone.cancel()
    slow_action.release_first.set()
    await first
    assert (await stored).message.client_id == "c"
    assert slow_action.batches == [["a"], ["b", "c"]]
