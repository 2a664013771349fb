"""Wire shapes: a batched message is built once for its broadcast and its ack."""

import uuid

from django.utils import timezone

from server.conversations.records import BatchedConversation, BatchedMessage
from server.protocol import wire


def batched_message(message_id: int) -> BatchedMessage:
    """A message as a batch stores it, in a conversation of site 1."""
    now = timezone.now()
    conversation = BatchedConversation(
        uuid.uuid4(), 1, "Acme", "open", None, now, uuid.uuid4(), "", "", "https://shop.acme.test/"
    )
    return BatchedMessage(conversation, message_id, 1, f"c{message_id}", "hi", now)


def test_a_batched_message_is_built_once_for_its_broadcast_and_its_ack():
    """The second use gets the first's shape; another message (even an equal one) gets its own."""
    message = batched_message(1)
    broadcast = wire.message_wire(message)
    assert wire.message_wire(message) is broadcast
    assert broadcast.author == "visitor"
    assert broadcast.author_name is None
    twin = BatchedMessage(*message)
    assert wire.message_wire(twin) == broadcast
    assert wire.message_wire(twin) is not broadcast


def test_shapes_kept_for_acks_never_pile_up():
    """Shapes nobody took again are dropped once there are BATCHED_WIRES_MAX of them."""
    kept = [batched_message(index) for index in range(wire.BATCHED_WIRES_MAX + 1)]
    for message in kept:
        wire.message_wire(message)
    assert len(wire._batched_wires) <= wire.BATCHED_WIRES_MAX
