"""The one place a ParleyError becomes what a client reads: a 4xx JSON body or an `error` frame."""

import json

from django.http import JsonResponse

from server.errors import ParleyError
from server.protocol import frames
from server.protocol.objects import construct


def error_response(error: ParleyError) -> JsonResponse:
    """The error as an HTTP JSON response (HttpError) with its status."""
    body = construct(frames.HttpErrorBody, code=error.code, message=error.message)
    return JsonResponse(construct(frames.HttpError, error=body).model_dump(), status=error.http_status)


def error_frame(error: ParleyError, *, ref: str | None) -> str:
    """The error as an encoded `error` frame naming the frame it answers."""
    frame = construct(frames.ErrorFrame, type="error", code=error.code, message=error.message, ref=ref)
    # Escaped to ASCII: the message may quote a client's frame type, which can hold a lone surrogate.
    return json.dumps(frame.model_dump(), separators=(",", ":"))
