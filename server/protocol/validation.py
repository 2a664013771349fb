"""Validation of every frame a client sends: the one place untrusted socket input is checked."""

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Generic, TypeVar, get_args

from django.http import HttpRequest
from pydantic import BaseModel, TypeAdapter, ValidationError

from server.errors import ParleyError, payload_too_large
from server.protocol.fields import CLIENT_ID_PATTERN, Expect
from server.protocol.frames import AgentClientFrame, VisitorClientFrame

# A frame over PARLEY_FRAME_MAX_BYTES is still read, to name it in its error, up to this many times that.
OVERSIZED_FRAME_READ_FACTOR = 8

_CLIENT_ID = re.compile(CLIENT_ID_PATTERN)

F = TypeVar("F")
M = TypeVar("M", bound=BaseModel)


@dataclass(frozen=True)
class ClientFrames(Generic[F]):
    """The frames one socket accepts: their union's validator, built once, and each frame's model by type."""

    adapter: TypeAdapter[F]
    models: Mapping[str, type[BaseModel]]


def client_frames(union: Any) -> ClientFrames[Any]:
    """The ClientFrames of a discriminated union of frame models."""
    members: tuple[type[BaseModel], ...] = get_args(get_args(union)[0])
    return ClientFrames(
        adapter=TypeAdapter(union),
        models={get_args(model.model_fields["type"].annotation)[0]: model for model in members},
    )


VISITOR: ClientFrames[VisitorClientFrame] = client_frames(VisitorClientFrame)
AGENT: ClientFrames[AgentClientFrame] = client_frames(AgentClientFrame)


def parse(*, text_data: str | None, bytes_data: bytes | None, frames: ClientFrames[F], max_bytes: int) -> F:
    """Decode and validate one client frame against the frames a socket accepts."""
    if text_data is None:
        raise ParleyError("bad_frame", "Frames must be JSON text, not binary.")
    # Counting characters first keeps a huge frame from being encoded just to be measured.
    if len(text_data) > max_bytes or len(text_data.encode("utf-8")) > max_bytes:
        error = ParleyError("frame_too_large", f"Frames are limited to {max_bytes} bytes.")
        error.ref = _oversized_frame_ref(text_data, frames=frames, max_bytes=max_bytes)
        raise error
    try:
        return frames.adapter.validate_json(text_data)
    except ValidationError:
        # Refused, or JSON only Python's parser reads (a lone surrogate, NaN, deep nesting, a null for an
        # optional field): decoded again to say exactly what is wrong, or to accept it after all.
        pass
    decoded, frame_type, model = _read_frame(text_data, frames=frames)
    # A null field counts as absent: the default when it has one, else "is required".
    present = {name: value for name, value in decoded.items() if value is not None}
    try:
        frame: F = model.model_validate(present)  # type: ignore[assignment]
    except ValidationError as failure:
        error = _field_error(failure, model=model)
        # The frame was read, so the error names it: a client can tell which of its messages was refused.
        error.ref = frame_ref(frame_type=frame_type, client_id=decoded.get("client_id"))
        raise error from None
    return frame


def read_body(request: HttpRequest, *, limit: int) -> bytes:
    """A request's body, read no further than `limit`: payload_too_large when declared or sent over it."""
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        declared = 0
    if declared > limit:
        raise payload_too_large(limit=limit)
    # Read, not request.body: a body without a Content-Length is still read no further than the limit.
    body = request.read(limit + 1)
    if len(body) > limit:
        raise payload_too_large(limit=limit)
    return body


def parse_body(*, body: bytes, model: type[M]) -> M:
    """Decode and validate an HTTP JSON body, an object, against its model (unknown fields ignored)."""
    try:
        return model.model_validate_json(body or b"{}")
    except ValidationError as failure:
        first = failure.errors(include_url=False, include_context=False, include_input=False)[0]
        if first["type"] != "json_invalid" and first["loc"]:
            raise _field_error(failure, model=model) from None
    # Not an object, or JSON that pydantic's parser refuses and Python's may read (a lone surrogate, NaN);
    # nesting past pydantic's limit is refused here, where Python's parser raises RecursionError.
    try:
        decoded = json.loads(body)
    except (ValueError, RecursionError) as error:
        raise ParleyError("invalid_json", "The body is not valid JSON.") from error
    if not isinstance(decoded, dict):
        raise ParleyError("invalid_json", "The body must be a JSON object.")
    try:
        return model.model_validate(decoded)
    except ValidationError as failure:
        raise _field_error(failure, model=model) from None


def frame_ref(*, frame_type: str, client_id: object) -> str:
    """What an error frame names as the frame it answers: its client_id if a valid one, else its type."""
    if isinstance(client_id, str) and _CLIENT_ID.fullmatch(client_id):
        return client_id
    return frame_type


def _field_error(failure: ValidationError, *, model: type[BaseModel]) -> ParleyError:
    """The invalid_field error naming the first refused field (fields are declared in checking order)."""
    first = failure.errors(include_url=False, include_context=False, include_input=False)[0]
    # A field of a nested object (a session's identity) is named by its path, with its own expectation.
    path = [str(first["loc"][0])]
    field = model.model_fields[path[0]]
    for part in first["loc"][1:]:
        nested = _object_model(field.annotation)
        if nested is None or not isinstance(part, str) or part not in nested.model_fields:
            break
        path.append(part)
        field = nested.model_fields[part]
    name = ".".join(path)
    if first["type"] == "missing":
        expectation = "is required"
    else:
        expect = next(item for item in field.metadata if isinstance(item, Expect))
        expectation = expect.describe(error_type=first["type"], error_message=first["msg"])
    return ParleyError("invalid_field", f"Field '{name}' {expectation}.")


def _object_model(annotation: object) -> type[BaseModel] | None:
    """The model a field holds (alone or or-null), if it holds one."""
    for candidate in (annotation, *get_args(annotation)):
        if isinstance(candidate, type) and issubclass(candidate, BaseModel):
            return candidate
    return None


def _read_frame(text_data: str, *, frames: ClientFrames[Any]) -> tuple[dict[str, Any], str, type[BaseModel]]:
    """A frame's JSON object, its type and that type's model; bad_frame or unknown_type otherwise."""
    try:
        decoded = json.loads(text_data)
    except (ValueError, RecursionError) as error:
        raise ParleyError("bad_frame", "The frame is not valid JSON.") from error
    if not isinstance(decoded, dict) or not isinstance(decoded.get("type"), str):
        raise ParleyError("bad_frame", "A frame is a JSON object with a string 'type'.")
    frame_type: str = decoded["type"]
    model = frames.models.get(frame_type)
    if model is None:
        # Echoed escaped: a lone surrogate would make the error frame itself invalid JSON for strict parsers.
        shown = frame_type[:40].encode("utf-8", "backslashreplace").decode("utf-8")
        raise ParleyError("unknown_type", f"Unknown frame type '{shown}'.")
    return decoded, frame_type, model


def _oversized_frame_ref(text_data: str, *, frames: ClientFrames[Any], max_bytes: int) -> str | None:
    """The ref of a frame over the limit, read only when it is within a few times the limit, else None.

    A message whose frame is too large (a body of control characters, six bytes each once escaped) would
    otherwise stay in its sender's outbox, unnamed, and be sent again after every reconnect.
    """
    if len(text_data) > OVERSIZED_FRAME_READ_FACTOR * max_bytes:
        return None
    try:
        decoded, frame_type, _ = _read_frame(text_data, frames=frames)
    except ParleyError:
        return None
    return frame_ref(frame_type=frame_type, client_id=decoded.get("client_id"))
