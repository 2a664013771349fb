"""Validation of every frame a client sends: the one place untrusted socket input is checked."""

import json
import re
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from server.conversations.text import STORABLE_EXPECTATION, is_storable_text
from server.errors import ParleyError

CLIENT_ID_PATTERN = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
MAX_SEQ = 2**31 - 1
MAX_URL_CHARS = 2000
# A frame over PARLEY_FRAME_MAX_BYTES is still read, to name it in its error, up to this many times that.
OVERSIZED_FRAME_READ_FACTOR = 8
# A generous bound: the body's real limit (PARLEY_MESSAGE_MAX_LENGTH) is a business rule of conversations.
MAX_TEXT_FIELD_CHARS = 1_000_000

Validator = Callable[[str, object], Any]


def _invalid(name: str, expectation: str) -> ParleyError:
    return ParleyError("invalid_field", f"Field '{name}' {expectation}.")


def uuid_field(name: str, value: object) -> uuid.UUID:
    """A UUID string."""
    if not isinstance(value, str) or len(value) > 36:
        raise _invalid(name, "must be a UUID string")
    try:
        return uuid.UUID(value)
    except ValueError as error:
        raise _invalid(name, "must be a UUID string") from error


def seq_field(name: str, value: object) -> int:
    """A non-negative sequence number."""
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_SEQ:
        raise _invalid(name, "must be an integer >= 0")
    return value


def client_id_field(name: str, value: object) -> str:
    """A sender-chosen idempotency key."""
    if not isinstance(value, str) or not CLIENT_ID_PATTERN.match(value):
        raise _invalid(name, "must be 1-64 characters of A-Z, a-z, 0-9, '_' or '-'")
    return value


def text_field(name: str, value: object) -> str:
    """A storable string (its length limit is checked by the action that uses it)."""
    if not isinstance(value, str) or len(value) > MAX_TEXT_FIELD_CHARS:
        raise _invalid(name, "must be a string")
    if not is_storable_text(value):
        raise _invalid(name, STORABLE_EXPECTATION)
    return value


def url_field(name: str, value: object) -> str:
    """A storable http(s) URL, truncated to what we store."""
    if not isinstance(value, str):
        raise _invalid(name, "must be a string")
    if value and not value.startswith(("http://", "https://")):
        raise _invalid(name, "must be an http(s) URL")
    if not is_storable_text(value):
        raise _invalid(name, STORABLE_EXPECTATION)
    return value[:MAX_URL_CHARS]


@dataclass(frozen=True)
class FieldSpec:
    """How one field of a frame is validated."""

    validator: Validator
    required: bool = True
    default: Any = None


@dataclass(frozen=True)
class FrameSpec:
    """The fields a frame type carries."""

    fields: Mapping[str, FieldSpec] = field(default_factory=dict)


@dataclass(frozen=True)
class Frame:
    """A validated client frame."""

    type: str
    data: dict[str, Any]


VISITOR_FRAMES: Mapping[str, FrameSpec] = {
    "hello": FrameSpec(
        {
            "token": FieldSpec(text_field),
            "last_seq": FieldSpec(seq_field, required=False, default=0),
            "page_url": FieldSpec(url_field, required=False, default=""),
        }
    ),
    "message.send": FrameSpec({"client_id": FieldSpec(client_id_field), "body": FieldSpec(text_field)}),
    "sync": FrameSpec({"conversation_id": FieldSpec(uuid_field), "after_seq": FieldSpec(seq_field)}),
    "ping": FrameSpec(),
}

AGENT_FRAMES: Mapping[str, FrameSpec] = {
    "conversation.open": FrameSpec(
        {
            "conversation_id": FieldSpec(uuid_field),
            "after_seq": FieldSpec(seq_field, required=False, default=0),
        }
    ),
    "conversation.leave": FrameSpec({"conversation_id": FieldSpec(uuid_field)}),
    "conversation.read": FrameSpec({"conversation_id": FieldSpec(uuid_field), "seq": FieldSpec(seq_field)}),
    "message.send": FrameSpec(
        {
            "conversation_id": FieldSpec(uuid_field),
            "client_id": FieldSpec(client_id_field),
            "body": FieldSpec(text_field),
        }
    ),
    "sync": FrameSpec({"conversation_id": FieldSpec(uuid_field), "after_seq": FieldSpec(seq_field)}),
    "ping": FrameSpec(),
}


def parse_frame(
    *, text_data: str | None, bytes_data: bytes | None, specs: Mapping[str, FrameSpec], max_bytes: int
) -> Frame:
    """Decode and validate one client frame against the frame types a socket accepts."""
    if text_data is None:
        raise ParleyError("bad_frame", "Frames must be JSON text, not binary.")
    # Counting characters first keeps a huge frame from being encoded just to be measured.
    if len(text_data) > max_bytes or len(text_data.encode("utf-8")) > max_bytes:
        error = ParleyError("frame_too_large", f"Frames are limited to {max_bytes} bytes.")
        error.ref = _oversized_frame_ref(text_data, specs=specs, max_bytes=max_bytes)
        raise error
    decoded, frame_type, spec = _read_frame(text_data, specs=specs)
    data: dict[str, Any] = {}
    try:
        for name, field_spec in spec.fields.items():
            if name not in decoded or decoded[name] is None:
                if field_spec.required:
                    raise _invalid(name, "is required")
                data[name] = field_spec.default
                continue
            data[name] = field_spec.validator(name, decoded[name])
    except ParleyError as error:
        # The frame was read, so the error names it: a client can tell which of its messages was refused.
        error.ref = frame_ref(frame_type=frame_type, client_id=decoded.get("client_id"))
        raise
    return Frame(type=frame_type, data=data)


def _read_frame(text_data: str, *, specs: Mapping[str, FrameSpec]) -> tuple[dict[str, Any], str, FrameSpec]:
    """A frame's JSON object, its type and that type's spec; bad_frame or unknown_type otherwise."""
    try:
        decoded = json.loads(text_data)
    except (ValueError, RecursionError) as error:
        raise ParleyError("bad_frame", "The frame is not valid JSON.") from error
    if not isinstance(decoded, dict) or not isinstance(decoded.get("type"), str):
        raise ParleyError("bad_frame", "A frame is a JSON object with a string 'type'.")
    frame_type: str = decoded["type"]
    spec = specs.get(frame_type)
    if spec is None:
        raise ParleyError("unknown_type", f"Unknown frame type '{frame_type[:40]}'.")
    return decoded, frame_type, spec


def _oversized_frame_ref(text_data: str, *, specs: Mapping[str, FrameSpec], max_bytes: int) -> str | None:
    """The ref of a frame over the limit, read only when it is within a few times the limit, else None.

    A message whose frame is too large (a body of control characters, six bytes each once escaped) would
    otherwise stay in its sender's outbox, unnamed, and be sent again after every reconnect.
    """
    if len(text_data) > OVERSIZED_FRAME_READ_FACTOR * max_bytes:
        return None
    try:
        decoded, frame_type, _ = _read_frame(text_data, specs=specs)
    except ParleyError:
        return None
    return frame_ref(frame_type=frame_type, client_id=decoded.get("client_id"))


def frame_ref(*, frame_type: str, client_id: object) -> str:
    """What an error frame names as the frame it answers: its client_id if a valid one, else its type."""
    if isinstance(client_id, str) and CLIENT_ID_PATTERN.match(client_id):
        return client_id
    return frame_type
