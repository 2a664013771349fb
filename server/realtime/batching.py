"""Visitor sends that arrive while the database thread is busy are stored together, in one transaction.

Every database call of a process runs on one thread (Channels' `database_sync_to_async`), so sends queue
there anyway; under load, each used to pay its own thread hop, transaction and round trips to the
database. Here a process keeps at most one batch of visitor sends in flight: what arrives meanwhile waits
for it and then goes, all together, as the next batch (messages.store_visitor_messages). An
idle process therefore stores a lone send at once, as before, and a busy one pays the fixed costs once per
batch instead of once per message (docs/performance.md, "Batched sends").
"""

import asyncio
import uuid
import weakref

from django.conf import settings

from server.conversations.services.messages import PostedMessage, VisitorSend, store_visitor_messages
from server.errors import ParleyError

# Channels hands a layer message to a consumer's handler in three turns of the event loop: the receive
# task takes it from the channel's queue, asyncio.wait notices that task is done, and the consumer's own
# task dispatches it.
HANDLER_TURNS = 3


class SendBatcher:
    """The visitor sends waiting for the batch in flight, on one event loop."""

    def __init__(self, *, max_size: int) -> None:
        self.max_size = max_size
        self.waiting: list[tuple[VisitorSend, asyncio.Future[PostedMessage]]] = []
        self.flushing: asyncio.Task[None] | None = None

    async def post(self, send: VisitorSend) -> PostedMessage:
        """Store one send with the next batch; its stored message, or the ParleyError it got."""
        answer: asyncio.Future[PostedMessage] = asyncio.get_running_loop().create_future()
        self.waiting.append((send, answer))
        if self.flushing is None:
            self.flushing = asyncio.ensure_future(self.flush())
        return await answer

    async def flush(self) -> None:
        """Store batches until nothing waits."""
        try:
            while self.waiting:
                batch, self.waiting = self.waiting[: self.max_size], self.waiting[self.max_size :]
                sends = [send for send, _ in batch]
                try:
                    results = await store_visitor_messages(sends=sends)
                except Exception as error:
                    # The action answers each send itself; this is the thread hop (or the layer) failing.
                    # Each sender reports it as its own socket's failure.
                    for _, answer in batch:
                        if not answer.done():
                            answer.set_exception(error)
                    continue
                # The other party is who waits for a message; its sender already shows it as sent. So the
                # recipients on this process (an agent, with the in-memory layer) send it on first, and
                # only then are the senders answered with their acks.
                await _recipients_first()
                for (_, answer), result in zip(batch, results, strict=True):
                    # A sender whose socket closed meanwhile is no longer waiting (its message is stored).
                    if answer.done():
                        continue
                    if isinstance(result, ParleyError):
                        answer.set_exception(result)
                    else:
                        answer.set_result(result)
        finally:
            self.flushing = None


async def _recipients_first() -> None:
    """Let the handlers of the layer messages just sent on this process run before what follows."""
    for _ in range(HANDLER_TURNS):
        await asyncio.sleep(0)


_batchers: "weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, SendBatcher]" = weakref.WeakKeyDictionary()


async def post_visitor_message(*, visitor_id: uuid.UUID, client_id: str, body: str) -> PostedMessage:
    """Store a visitor's message with the next batch of this process; raise the ParleyError it got."""
    loop = asyncio.get_running_loop()
    batcher = _batchers.get(loop)
    if batcher is None:
        batcher = _batchers[loop] = SendBatcher(max_size=settings.PARLEY_SEND_BATCH_MAX)
    return await batcher.post(VisitorSend(visitor_id=visitor_id, client_id=client_id, body=body))
