"""daphne's WebSocket protocol with bounded buffers: slow readers closed 4008, reads paused for a busy app."""

import fcntl
import logging
import struct
import termios
import time
from typing import Any

from daphne.ws_protocol import WebSocketFactory, WebSocketProtocol
from django.conf import settings

from server.errors import CLOSE_SLOW_READER
from server.transport.policy import SlowReaderWatch

logger = logging.getLogger(__name__)

# A socket closed by the server has this long to answer the close frame before its TCP connection is
# aborted (autobahn's closeHandshakeTimeout): a slow reader that reads again sees 4008, one that never
# reads is dropped, its buffers freed.
CLOSE_GRACE_SECONDS = 1.0
# How often a socket whose reads are paused looks again at its application's queue.
RESUME_POLL_SECONDS = 0.05


def tcp_transport(transport: Any) -> Any:
    """The TCP connection under a Twisted transport (itself, or the one under TLS), or None."""
    while transport is not None and not hasattr(transport, "dataBuffer"):
        transport = getattr(transport, "transport", None)
    return transport


def buffered_bytes(transport: Any) -> int:
    """Bytes written to a Twisted transport that the process still holds (the kernel has not taken them)."""
    tcp = tcp_transport(transport)
    if tcp is None:
        return 0
    return len(tcp.dataBuffer) - int(tcp.offset) + int(tcp._tempDataLen)


def kernel_unsent_bytes(transport: Any) -> int:
    """Bytes in the kernel's send queue of a transport's socket not yet acknowledged by the client (Linux)."""
    tcp = tcp_transport(transport)
    request = getattr(termios, "TIOCOUTQ", None)
    if tcp is None or request is None:
        return 0
    try:
        answer = fcntl.ioctl(tcp.fileno(), request, b"\0\0\0\0")
    except (OSError, ValueError):
        return 0
    return int(struct.unpack("i", answer)[0])


class GuardedWebSocketProtocol(WebSocketProtocol):  # type: ignore[misc]
    """daphne's WebSocket protocol, closing slow readers and pausing reads while its application lags."""

    handed_bytes = 0
    reads_paused = False

    def connectionMade(self) -> None:
        """Start watching this socket's outgoing bytes."""
        super().connectionMade()
        self.watch = SlowReaderWatch(
            max_bytes=self.factory.buffer_max_bytes, stall_seconds=self.factory.stall_seconds
        )

    def sendData(self, data: bytes, sync: bool = False, chopsize: int | None = None) -> None:
        """Count every byte handed to the transport (frames, pings, close), then write it."""
        self.handed_bytes += len(data)
        super().sendData(data, sync, chopsize)

    def serverSend(self, content: str | bytes, binary: bool = False) -> None:
        """Send the application's frame, unless the socket is closing or its client does not read."""
        if self.state in (self.STATE_CLOSING, self.STATE_CLOSED):
            # autobahn raises on a send after the close frame; the client resumes by seq when it is back.
            return
        if self.state == self.STATE_OPEN:
            reason = self.watch.over_budget(buffered=buffered_bytes(self.transport))
            if reason is not None:
                self.close_slow_reader(reason)
                return
        super().serverSend(content, binary)

    def check_timeouts(self) -> None:
        """daphne's periodic timeouts (every 2 s), and whether the client stopped taking what it is sent."""
        super().check_timeouts()
        if self.state == self.STATE_OPEN:
            unsent = buffered_bytes(self.transport) + kernel_unsent_bytes(self.transport)
            reason = self.watch.stalled(handed=self.handed_bytes, unsent=unsent, now=time.monotonic())
            if reason is not None:
                self.close_slow_reader(reason)

    def close_slow_reader(self, reason: str) -> None:
        """Close the socket 4008: its client does not read what it is sent."""
        logger.warning("closing a slow reader (%s): %s", self.path.decode("ascii", "replace"), reason)
        # The close frame queues behind what the client has not read; the close grace then aborts it.
        self.sendClose(code=CLOSE_SLOW_READER)

    def onMessageFrameBegin(self, length: int) -> None:
        """Close 1009 once a message being received passes PARLEY_FRAME_HARD_MAX_BYTES.

        autobahn holds what is received and what is sent to one maxMessagePayloadSize (daphne's
        --websocket-max-message-size), which must stay large enough for the biggest frame the server
        sends; what a client may send is held here to Parley's own, smaller limit.
        """
        super().onMessageFrameBegin(length)
        limit = self.factory.frame_hard_max_bytes
        if not self.failedByMe and self.message_data_total_length > limit:
            self._fail_connection(
                self.CLOSE_STATUS_CODE_MESSAGE_TOO_BIG, f"frames are limited to {limit} bytes"
            )

    def onMessage(self, payload: bytes, isBinary: bool) -> None:
        """Hand the frame to the application; stop reading while it has too many frames waiting."""
        super().onMessage(payload, isBinary)
        queue = getattr(self, "application_queue", None)
        if queue is not None and not self.reads_paused and queue.qsize() >= self.factory.incoming_frames_max:
            self.reads_paused = True
            self.transport.pauseProducing()
            self.factory.reactor.callLater(RESUME_POLL_SECONDS, self.resume_reads)

    def resume_reads(self) -> None:
        """Read again once the application has taken half its waiting frames; look again later if not."""
        if self.state == self.STATE_CLOSED:
            return
        if self.application_queue.qsize() > self.factory.incoming_frames_max // 2:
            self.factory.reactor.callLater(RESUME_POLL_SECONDS, self.resume_reads)
            return
        self.reads_paused = False
        self.transport.resumeProducing()


class GuardedWebSocketFactory(WebSocketFactory):  # type: ignore[misc]
    """daphne's WebSocket factory building guarded protocols, with a close frame where autobahn would drop."""

    protocol = GuardedWebSocketProtocol

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.buffer_max_bytes: int = settings.PARLEY_SOCKET_BUFFER_MAX_BYTES
        self.stall_seconds: float = settings.PARLEY_SOCKET_STALL_SECONDS
        self.incoming_frames_max: int = max(1, settings.PARLEY_SOCKET_INCOMING_FRAMES_MAX)
        self.frame_hard_max_bytes: int = settings.PARLEY_FRAME_HARD_MAX_BYTES
        # failByDrop=False: a frame over the hard limit (or a protocol error) is answered with a close
        # frame (1009, 1002, 1007) instead of a TCP reset the client can only read as 1006.
        self.setProtocolOptions(failByDrop=False, closeHandshakeTimeout=CLOSE_GRACE_SECONDS)
