"""The one domain error type (server.protocol.errors makes it a 4xx JSON body or an error frame), and the
close codes the server ends sockets with."""

# Every close code the server sends (docs/protocol.md, "Close codes"). An application may only close with
# 1000 or 3000-4999 (RFC 6455, enforced by daphne/autobahn), so the standard 1001 "going away" and 1012
# "service restart" are spelled in the 4xxx range.
CLOSE_GOING_AWAY = 4001  # this process is shutting down: reconnect at once (to another process)
CLOSE_ACCESS_CHANGED = 4003  # an agent lost a site: reconnect at once for a fresh inbox
CLOSE_SLOW_READER = 4008  # the client left too much unread: reconnect with backoff, resume by seq
CLOSE_SERVICE_RESTART = 4012  # fan-out was interrupted and is back: reconnect at once and resume
CLOSE_NOT_AUTHENTICATED = 4401
CLOSE_FORBIDDEN = 4403
CLOSE_HELLO_TIMEOUT = 4408
CLOSE_TOO_MANY_CONNECTIONS = 4429

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
    "connection_limited": (429, CLOSE_TOO_MANY_CONNECTIONS),
    "limit_reached": (429, None),
    "hello_required": (401, CLOSE_NOT_AUTHENTICATED),
    "token_invalid": (401, CLOSE_NOT_AUTHENTICATED),
    "token_wrong_site": (403, CLOSE_FORBIDDEN),
    "not_authenticated": (401, CLOSE_NOT_AUTHENTICATED),
    "internal_error": (500, None),
    # Widget HTTP API only: a body that is not application/json; a request Django refuses (e.g. its Host).
    "unsupported_media_type": (415, None),
    "bad_request": (400, None),
    # Widget HTTP API: an identity the site requires to be verified was not (docs/identity.md).
    "identity_unverified": (401, None),
    # An agent's reply or reopen of a resolved conversation whose visitor has started a newer one.
    "conversation_superseded": (409, None),
    # Never drop a visitor (docs/offline.md): an email address refused; a rating of a conversation that is
    # not resolved; a transcript asked for before leaving an email address.
    "email_invalid": (400, None),
    "rating_unavailable": (409, None),
    "email_required": (409, None),
    # A visitor's `attributes` frame the server cannot store (docs/widget-api.md, setAttributes).
    "invalid_attributes": (400, None),
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


def internal_error() -> ParleyError:
    """The `internal_error` of a failure the client cannot fix (the cause is logged, never sent)."""
    return ParleyError("internal_error", "The server failed; retry later.")


def payload_too_large(*, limit: int) -> ParleyError:
    """The `payload_too_large` of a request body over `limit` bytes."""
    return ParleyError("payload_too_large", f"Bodies are limited to {limit} bytes.")
