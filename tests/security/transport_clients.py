"""Raw clients for the transport tests: a WebSocket that never reads, HTTP requests written byte by byte."""

import base64
import json
import os
import socket
import struct
import time
from typing import Any

TCP_ESTABLISHED = 1


def tcp_state(sock: socket.socket) -> int:
    """The kernel's TCP state of a socket (1 established, 7 closed by a reset, 8 the peer sent FIN)."""
    return sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_INFO, 1)[0]


def wait_dropped(sock: socket.socket, *, within: float) -> float:
    """Wait until the server ends the connection, without reading from it; return the seconds it took."""
    start = time.monotonic()
    while time.monotonic() - start < within:
        if tcp_state(sock) != TCP_ESTABLISHED:
            return time.monotonic() - start
        time.sleep(0.05)
    raise AssertionError(f"the connection is still open after {within} s")


def masked_frame(payload: bytes, *, opcode: int = 1) -> bytes:
    """One final client frame (masked, as RFC 6455 requires of clients)."""
    mask = os.urandom(4)
    length = len(payload)
    if length < 126:
        head = struct.pack("!BB", 0x80 | opcode, 0x80 | length)
    elif length < 65536:
        head = struct.pack("!BBH", 0x80 | opcode, 0x80 | 126, length)
    else:
        head = struct.pack("!BBQ", 0x80 | opcode, 0x80 | 127, length)
    return head + mask + bytes(byte ^ mask[index % 4] for index, byte in enumerate(payload))


def read_head(sock: socket.socket) -> bytes:
    """Read an HTTP response head byte by byte (so nothing after it is taken off the socket)."""
    head = b""
    while not head.endswith(b"\r\n\r\n"):
        byte = sock.recv(1)
        if not byte:
            raise ConnectionError(f"closed during the response head: {head!r}")
        head += byte
    return head


def never_reading_visitor(port: int, *, site_key: str, origin: str, token: str) -> socket.socket:
    """A visitor socket, hello sent, whose client never reads again and offers a tiny receive window."""
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    sock.connect(("127.0.0.1", port))
    key = base64.b64encode(os.urandom(16)).decode()
    sock.sendall(
        (
            f"GET /ws/visitor/{site_key}/ HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nUpgrade: websocket\r\n"
            f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n"
            f"Sec-WebSocket-Protocol: parley.v1\r\nOrigin: {origin}\r\n\r\n"
        ).encode()
    )
    head = read_head(sock)
    assert head.startswith(b"HTTP/1.1 101"), head
    send_frame(sock, {"type": "hello", "token": token})
    return sock


def send_frame(sock: socket.socket, frame: dict[str, Any]) -> None:
    """Send one JSON text frame on a raw WebSocket."""
    sock.sendall(masked_frame(json.dumps(frame).encode()))


def http_exchange(port: int, head: str, body_parts: list[bytes], *, within: float = 5) -> tuple[int, bytes]:
    """Send a request head and some body bytes, then read the answer: its status and body."""
    with socket.create_connection(("127.0.0.1", port), timeout=within) as sock:
        sock.sendall(head.encode())
        for part in body_parts:
            sock.sendall(part)
        answer = b""
        while True:
            try:
                chunk = sock.recv(65536)
            except ConnectionResetError:
                break
            if not chunk:
                break
            answer += chunk
            if b"\r\n\r\n" in answer:
                response_head, _, body = answer.partition(b"\r\n\r\n")
                lengths = [
                    int(line.split(b":", 1)[1])
                    for line in response_head.split(b"\r\n")
                    if line.lower().startswith(b"content-length:")
                ]
                if lengths and len(body) >= lengths[0]:
                    break
    response_head, _, body = answer.partition(b"\r\n\r\n")
    return int(response_head.split(b" ", 2)[1]), body
