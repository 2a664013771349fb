"""The guarded WebSocket protocol's own decisions, on fake transports and a fake clock."""

import asyncio
import socket
import time
from collections import deque
from types import SimpleNamespace
from typing import Any

from twisted.internet.task import Clock
from twisted.internet.testing import StringTransport

from server.errors import CLOSE_SLOW_READER
from server.transport.policy import SlowReaderWatch
from server.transport.websocket import (
    RESUME_POLL_SECONDS,
    GuardedWebSocketProtocol,
    buffered_bytes,
    kernel_unsent_bytes,
)


def fake_tcp(*, buffer: bytes = b"", offset: int = 0, temp: int = 0, fd: int = -1) -> SimpleNamespace:
    """What buffered_bytes reads of Twisted's TCP transport."""
    return SimpleNamespace(dataBuffer=buffer, offset=offset, _tempDataLen=temp, fileno=lambda: fd)


def test_buffered_bytes_counts_both_of_twisteds_buffers():
    """dataBuffer past its offset plus the list buffer's length → the bytes the process holds."""
    assert buffered_bytes(fake_tcp(buffer=b"abcdef", offset=2, temp=10)) == 14


def test_buffered_bytes_under_tls_reads_the_tcp_connection():
    """A wrapper (TLS) whose .transport is the TCP connection → that connection's bytes."""
    assert buffered_bytes(SimpleNamespace(transport=fake_tcp(buffer=b"abc"))) == 3


def test_buffered_bytes_without_a_tcp_connection_is_zero():
    """A transport with no TCP connection under it → 0."""
    assert buffered_bytes(SimpleNamespace()) == 0


def test_kernel_unsent_bytes_counts_what_a_non_reading_peer_left_in_the_send_queue():
    """A loopback peer that never reads, its window full → the send queue's bytes; a reading one → 0."""
    listener = socket.create_server(("127.0.0.1", 0))
    sender = socket.socket()
    sender.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 65536)
    sender.connect(listener.getsockname())
    peer, _ = listener.accept()
    with listener, sender, peer:
        tcp = fake_tcp(fd=sender.fileno())
        assert kernel_unsent_bytes(tcp) == 0
        sender.setblocking(False)
        try:
            while True:
                sender.send(b"x" * 65536)
        except BlockingIOError:
            pass
        assert kernel_unsent_bytes(tcp) > 0


def test_kernel_unsent_bytes_of_a_closed_socket_is_zero():
    """A descriptor that is gone → 0, not an error."""
    assert kernel_unsent_bytes(fake_tcp(fd=10_000)) == 0


class FakeTransport(StringTransport):
    """A transport that can hold unsent bytes and records reads paused and resumed."""

    def __init__(self) -> None:
        super().__init__()  # type: ignore[no-untyped-call]
        self.dataBuffer = b""
        self.offset = 0
        self._tempDataLen = 0
        self.pauses = 0
        self.resumes = 0

    def fileno(self) -> int:
        return -1

    def pauseProducing(self) -> None:
        self.pauses += 1

    def resumeProducing(self) -> None:
        self.resumes += 1


def guarded_protocol(*, max_bytes: int = 1000, stall: float = 10, frames_max: int = 4) -> Any:
    """A guarded protocol, open, on a fake transport, factory and clock (no handshake run)."""
    protocol = GuardedWebSocketProtocol()
    protocol.factory = SimpleNamespace(incoming_frames_max=frames_max, reactor=Clock())
    protocol.transport = FakeTransport()
    protocol.state = protocol.STATE_OPEN
    protocol.watch = SlowReaderWatch(max_bytes=max_bytes, stall_seconds=stall)
    protocol.path = b"/ws/visitor/k/"
    protocol.client_addr = None
    protocol.closed_with = []
    protocol.sent = []
    protocol.sendClose = lambda code: protocol.closed_with.append(code)
    protocol.sendMessage = lambda payload, binary: protocol.sent.append(payload)
    # What autobahn's sendData reads.
    protocol.send_queue = deque()
    protocol.trafficStats = SimpleNamespace(outgoingOctetsWireLevel=0)
    protocol.logOctets = False
    protocol.peer = "tcp:127.0.0.1:1"
    return protocol


def test_send_within_budget_is_written():
    """500 bytes held, budget 1,000 → the frame is sent."""
    protocol = guarded_protocol()
    protocol.transport._tempDataLen = 500
    protocol.serverSend("hello")
    assert (protocol.sent, protocol.closed_with) == ([b"hello"], [])


def test_send_over_budget_closes_4008_instead():
    """1,001 bytes held, budget 1,000 → no frame sent, close 4008."""
    protocol = guarded_protocol()
    protocol.transport._tempDataLen = 1001
    protocol.serverSend("hello")
    assert (protocol.sent, protocol.closed_with) == ([], [CLOSE_SLOW_READER])


def test_send_while_closing_is_dropped():
    """A frame for a socket already closing → dropped quietly (autobahn would raise)."""
    protocol = guarded_protocol()
    protocol.state = protocol.STATE_CLOSING
    protocol.serverSend("hello")
    assert (protocol.sent, protocol.closed_with) == ([], [])


def test_send_data_counts_every_byte_handed_to_the_transport():
    """Two writes of 3 and 4 bytes → 7 bytes handed, all on the transport."""
    protocol = guarded_protocol()
    protocol.sendData(b"abc")
    protocol.sendData(b"defg")
    assert protocol.handed_bytes == 7
    assert protocol.transport.value() == b"abcdefg"


def test_application_falling_behind_pauses_reads_until_it_catches_up():
    """4 frames waiting (the maximum) → reads paused; resumed once 2 or fewer wait, polled every 50 ms."""
    protocol = guarded_protocol(frames_max=4)
    protocol.muted = False
    protocol.application_queue = asyncio.Queue()
    for _ in range(4):
        protocol.onMessage(b"{}", False)
    assert (protocol.transport.pauses, protocol.reads_paused) == (1, True)
    protocol.onMessage(b"{}", False)  # bytes already read still reach the application
    assert (protocol.application_queue.qsize(), protocol.transport.pauses) == (5, 1)
    for _ in range(2):
        protocol.application_queue.get_nowait()
    protocol.factory.reactor.advance(RESUME_POLL_SECONDS)
    assert protocol.transport.resumes == 0
    protocol.application_queue.get_nowait()
    protocol.factory.reactor.advance(RESUME_POLL_SECONDS)
    assert (protocol.transport.resumes, protocol.reads_paused) == (1, False)


def ticking_protocol(*, stall: float) -> Any:
    """A guarded protocol with what daphne's periodic check reads."""
    protocol = guarded_protocol(stall=stall)
    protocol.server = SimpleNamespace(websocket_timeout=-1, websocket_connect_timeout=20, ping_interval=1e9)
    protocol.socket_opened = protocol.last_ping = time.time()
    return protocol


def test_periodic_check_closes_a_stalled_reader_4008():
    """Bytes waiting and none taken for the stall time (0 s here) → close 4008 on daphne's periodic check."""
    protocol = ticking_protocol(stall=0)
    protocol.transport._tempDataLen = 10
    protocol.check_timeouts()
    assert protocol.closed_with == [CLOSE_SLOW_READER]


def test_periodic_check_leaves_a_socket_with_nothing_waiting():
    """Nothing waiting → the periodic check leaves the socket open."""
    protocol = ticking_protocol(stall=0)
    protocol.check_timeouts()
    assert protocol.closed_with == []
