"""The one place a ParleyError becomes what a client reads: a 4xx JSON body or an `error` frame."""

import json

from django.http import JsonResponse

from server.errors import ParleyError
from server.protocol import frames
from server.protocol.objects import construct


def error_body(error: ParleyError) -> frames.HttpErrorBody:
    """The error as the body an HTTP answer carries (also inside a 200, as a session's identity error)."""
    return construct(
        frames.HttpErrorBody, code=error.code, message=error.message, retry_after=error.retry_after
    )


def error_response(error: ParleyError) -> JsonResponse:
    """The error as an HTTP JSON response (HttpError) with its status."""
    body = error_body(error)
    response = JsonResponse(
        construct(frames.HttpError, error=body).model_dump(exclude_none=True), status=error.http_status
    )
    if error.retry_after is not None:
        response["Retry-After"] = str(error.retry_after)
    return response


def error_frame(error: ParleyError, *, ref: str | None) -> str:
    """The error as an encoded `error` frame naming the frame it answers."""
    frame = construct(
        frames.ErrorFrame,
        type="error",
        code=error.code,
        message=error.message,
        ref=ref,
        retry_after=error.retry_after,
    )
    fields = frame.model_dump()
    if error.retry_after is None:
        del fields["retry_after"]  # only refusals that pass carry it; `ref` stays, null or not
    # Escaped to ASCII: the message may quote a client's frame type, which can hold a lone surrogate.
    return json.dumps(fields, separators=(",", ":"))
