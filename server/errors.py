"""The one domain error type (server.protocol.errors makes it a 4xx JSON body or an error frame)."""

# Every error code Parley emits, with its HTTP status and, on a socket, the close code that follows it
# (None: the socket stays open). docs/protocol.md documents the same table.
ERROR_CODES: dict[str, tuple[int, int | None]] = {
    "bad_frame": (400, None),
    "frame_too_large": (413, None),
    "unknown_type": (400, None),
    "invalid_field": (400, None),
    "invalid_json": (400, None),
    "body_too_long": (400, None),
    "empty_body": (400, None),
    "not_found": (404, None),
    "site_not_found": (404, None),
    "origin_not_allowed": (403, None),
    "payload_too_large": (413, None),
    "method_not_allowed": (405, None),
    "rate_limited": (429, None),
    # A visitor socket refused at its handshake or hello for opening too many (server/limits/).
    "connection_limited": (429, 4429),
    "limit_reached": (429, None),
    "hello_required": (401, 4401),
    "token_invalid": (401, 4401),
    "token_wrong_site": (403, 4403),
    "not_authenticated": (401, 4401),
    "internal_error": (500, None),
    # Widget HTTP API only: a body that is not application/json; a request Django refuses (e.g. its Host).
    "unsupported_media_type": (415, None),
    "bad_request": (400, None),
}


class ParleyError(Exception):
    """A failure caused by untrusted input or state, reported to the client with a stable code."""

    def __init__(self, code: str, message: str, *, retry_after: int | None = None) -> None:
        if code not in ERROR_CODES:
            raise ValueError(f"unknown error code {code!r}")
        super().__init__(message)
        self.code = code
        self.message = message
        # On a socket, the frame this error answers (its client_id, else its type) when it was read but
        # refused before a handler saw it (protocol.validation.parse); None otherwise.
        self.ref: str | None = None
        # Whole seconds until a refused (rate-limited) request may succeed; None when not applicable.
        self.retry_after = retry_after

    @property
    def http_status(self) -> int:
        """The HTTP status this error maps to."""
        return ERROR_CODES[self.code][0]

    @property
    def close_code(self) -> int | None:
        """The WebSocket close code that follows this error, or None to keep the socket open."""
        return ERROR_CODES[self.code][1]
