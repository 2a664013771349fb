"""Wire shapes: a batched message is built once for its broadcast and its ack; built and encoded exactly."""

import json
import uuid
from typing import Any

import pytest
from django.utils import timezone

from server.conversations.records import BatchedConversation, BatchedMessage
from server.protocol import frames, objects, wire
from server.protocol.objects import construct
from server.realtime.gateway import encode_frame


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


def test_a_frame_is_encoded_as_json_dumps_wrote_it():
    """Same text as json.dumps (compact, not ASCII-escaped), timestamps with "+00:00", for any body."""
    bodies = ["hi", "h\u00e9 \U0001f600", 'q"\\/', "a\x01\x1f\x7f\n\t\u2028\u2029b", "<b>&amp;</b>"]
    for body in bodies:
        message = BatchedMessage(*batched_message(1)[:4], body, batched_message(1).created_at)
        frame = construct(frames.MessageNew, type="message.new", message=wire.message_wire(message))
        created = message.created_at.isoformat()
        assert created.endswith("+00:00")
        expected = {
            "type": "message.new",
            "message": {
                "id": 1,
                "conversation_id": str(message.conversation.conversation_id),
                "seq": 1,
                "author": "visitor",
                "author_name": None,
                "agent_id": None,
                "body": body,
                "client_id": "c1",
                "created_at": created,
                "event": None,
            },
        }
        assert encode_frame(frame) == json.dumps(expected, separators=(",", ":"), ensure_ascii=False)


def test_a_constructed_object_has_exactly_its_models_fields():
    """A field the schema lacks, or a missing one, fails when the object is built, not only in tests."""
    assert construct(objects.SiteInfo, id=1, name="Acme").model_dump() == {"id": 1, "name": "Acme"}
    with pytest.raises(TypeError, match="SiteInfo has fields"):
        construct(objects.SiteInfo, id=1, name="Acme", surprise=True)
    with pytest.raises(TypeError, match="SiteInfo has fields"):
        construct(objects.SiteInfo, id=1)


def test_a_constructed_object_is_what_pydantic_constructs():
    """construct sets the same instance state as pydantic's model_construct (kept true across upgrades)."""
    fields: dict[str, Any] = {"id": 1, "name": "Acme"}
    ours, pydantics = construct(objects.SiteInfo, **fields), objects.SiteInfo.model_construct(**fields)
    assert ours == pydantics
    assert ours.model_dump_json() == pydantics.model_dump_json()
    assert (ours.model_fields_set, ours.model_extra) == (pydantics.model_fields_set, pydantics.model_extra)
    assert ours.__pydantic_private__ == pydantics.__pydantic_private__
