"""daphne's HTTP request refusing a body over its path's limit with 413 JSON before reading it."""

import logging
from typing import Any

from daphne.http_protocol import HTTPFactory, WebRequest

from server.transport.policy import body_limit, payload_too_large, request_path

logger = logging.getLogger(__name__)

# After the 413, the client has this long to stop sending and read it: the rest of its body is read and
# dropped meanwhile (closing at once on unread input would reset the connection and lose the answer).
LINGER_SECONDS = 2.0


class GuardedWebRequest(WebRequest):  # type: ignore[misc]
    """daphne's request, answering 413 to a body over its path's limit before any of it is buffered."""

    refused = False
    body_bytes = 0
    body_max_bytes = 0
    abort_call: Any = None

    def gotLength(self, length: int | None) -> None:
        """Refuse a declared length over the limit at once; count a chunked body as it comes."""
        # The request line is parsed (HTTPChannel holds its target) but the request not yet received.
        self.body_max_bytes = body_limit(self.channel._path)
        super().gotLength(None if length is not None and length > self.body_max_bytes else length)
        if length is not None and length > self.body_max_bytes:
            self.refuse(length)

    def handleContentChunk(self, data: bytes) -> None:
        """Keep a chunk of the body while the body stays within the limit; drop it after a refusal."""
        if self.refused:
            return
        self.body_bytes += len(data)
        if self.body_bytes > self.body_max_bytes:
            self.refuse(self.body_bytes)
            return
        super().handleContentChunk(data)

    def requestReceived(self, command: bytes, path: bytes, version: bytes) -> None:
        """Run the application, unless the body was refused."""
        if not self.refused:
            super().requestReceived(command, path, version)

    def refuse(self, size: int) -> None:
        """Answer 413 JSON, stop sending, and abort the connection if the client is still there later."""
        self.refused = True
        # Twisted would otherwise invite the body with "100 Continue" after this answer.
        self.requestHeaders.removeHeader(b"expect")
        channel = self.channel
        logger.info(
            "refused a body of %d+ bytes for %s (limit %d)",
            size,
            request_path(channel._path),
            self.body_max_bytes,
        )
        transport = channel.transport
        transport.write(payload_too_large(self.body_max_bytes))
        if hasattr(transport, "loseWriteConnection"):
            transport.loseWriteConnection()
        else:
            transport.loseConnection()
        self.abort_call = channel.callLater(LINGER_SECONDS, transport.abortConnection)

    def connectionLost(self, reason: Any) -> None:
        """Forget the pending abort of a refused request whose client went away."""
        if self.abort_call is not None and self.abort_call.active():
            self.abort_call.cancel()
        super().connectionLost(reason)


class GuardedHTTPFactory(HTTPFactory):  # type: ignore[misc]
    """daphne's HTTP factory, whose connections build guarded requests."""

    def buildProtocol(self, addr: Any) -> Any:
        """daphne's protocol, with Parley's request class."""
        protocol = super().buildProtocol(addr)
        protocol.requestFactory = GuardedWebRequest
        return protocol
