"""What the transport guards decide, apart from Twisted: slow readers, and how big a body may be."""

from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

from django.conf import settings

from server import errors
from server.protocol.errors import error_response

# Paths of the widget API, whose bodies are small JSON objects (PARLEY_HTTP_BODY_MAX_BYTES).
WIDGET_API_PREFIX = "/api/widget/"


@dataclass
class SlowReaderWatch:
    """One socket's unsent bytes: over a budget in the process, or none taken by the client for too long."""

    max_bytes: int
    stall_seconds: float
    # What the client had taken at the last look, and since when unsent bytes wait with none taken.
    taken: int = 0
    waiting_since: float | None = None

    def over_budget(self, *, buffered: int) -> str | None:
        """Say why the socket is a slow reader when the process holds too many of its bytes, else None."""
        if buffered > self.max_bytes:
            return f"{buffered} bytes unsent, over {self.max_bytes}"
        return None

    def stalled(self, *, handed: int, unsent: int, now: float) -> str | None:
        """Say why the socket is a slow reader when its client took none of its bytes for too long, else None.

        `handed`: every byte ever written to the socket; `unsent`: those the client has not taken yet
        (in the process and in the kernel), so their difference grows whenever the client reads.
        """
        taken = handed - unsent
        if unsent == 0:
            self.waiting_since = None
        elif self.waiting_since is None or taken != self.taken:
            # The clock starts when bytes are first seen waiting, and again whenever the client took some.
            self.waiting_since = now
        self.taken = taken
        if self.waiting_since is not None and now - self.waiting_since >= self.stall_seconds:
            return f"{unsent} bytes unsent and none taken for {now - self.waiting_since:.0f} s"
        return None


def request_path(raw_path: bytes) -> str:
    """The decoded path of a request target (origin or absolute form), without its query."""
    target = raw_path.decode("latin-1")
    path = target.split("?", 1)[0] if target.startswith("/") else urlsplit(target).path
    # Decoded as daphne decodes the ASGI scope's path, so the limit follows the route Django will pick.
    return unquote(path)


def body_limit(raw_path: bytes) -> int:
    """The most bytes a request body may have on this path."""
    if request_path(raw_path).startswith(WIDGET_API_PREFIX):
        return int(settings.PARLEY_HTTP_BODY_MAX_BYTES)
    return int(settings.PARLEY_REQUEST_BODY_MAX_BYTES)


def payload_too_large(limit: int) -> bytes:
    """A whole HTTP/1.1 413 response with the documented JSON error body, closing the connection."""
    response = error_response(errors.payload_too_large(limit=limit))
    head = (
        f"HTTP/1.1 {response.status_code} {response.reason_phrase}\r\n"
        f"Content-Type: {response['Content-Type']}\r\n"
        f"Content-Length: {len(response.content)}\r\n"
        "Connection: close\r\n\r\n"
    )
    return head.encode("latin-1") + response.content
