"""A local push service for tests: an HTTP server on 127.0.0.1 that records pushes, and a browser's keys.

It plays the part of FCM or Mozilla's autopush: a subscription's endpoint points at it, it answers each
POST with the status a test sets (201 by default) and keeps the request, which a test decrypts with the
subscription's private key and auth secret (http_ece) and whose VAPID header it verifies.
"""

import base64
import json
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import http_ece  # type: ignore[import-untyped]
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature
from py_vapid import Vapid  # type: ignore[import-untyped]


def b64url(raw: bytes) -> str:
    """Unpadded base64url, as browsers and VAPID write keys."""
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def b64url_decode(text: str) -> bytes:
    """The bytes of unpadded base64url."""
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@dataclass
class VapidPair:
    """A VAPID key pair in the forms Parley's settings take."""

    private_pem: str
    public_key: str


def vapid_pair() -> VapidPair:
    """A new VAPID key pair."""
    vapid = Vapid()
    vapid.generate_keys()
    pem = vapid.private_pem().decode()
    raw = vapid.public_key.public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
    )
    return VapidPair(private_pem=pem, public_key=b64url(raw))


@dataclass
class BrowserKeys:
    """What a browser makes for a push subscription: a P-256 key pair and a 16-byte auth secret."""

    private_key: ec.EllipticCurvePrivateKey = field(
        default_factory=lambda: ec.generate_private_key(ec.SECP256R1())
    )
    auth: bytes = field(default_factory=lambda: os.urandom(16))

    def subscription(self, endpoint: str) -> dict[str, Any]:
        """The PushSubscription JSON a browser would send for this endpoint."""
        public = self.private_key.public_key().public_bytes(
            serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
        )
        return {"endpoint": endpoint, "keys": {"p256dh": b64url(public), "auth": b64url(self.auth)}}

    def decrypt(self, body: bytes) -> dict[str, Any]:
        """A push's payload, decrypted (aes128gcm) as the browser would."""
        plain = http_ece.decrypt(
            body, private_key=self.private_key, auth_secret=self.auth, version="aes128gcm"
        )
        decoded: dict[str, Any] = json.loads(plain)
        return decoded


@dataclass
class Push:
    """One request the push service received."""

    path: str
    headers: dict[str, str]  # by lower-case name
    body: bytes


class PushService:
    """An HTTP push service on a loopback port, in a thread."""

    def __init__(self) -> None:
        self.received: list[Push] = []
        self.status = 201
        self.arrived = threading.Condition()
        service = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                headers = {name.lower(): value for name, value in self.headers.items()}
                push = Push(path=self.path, headers=headers, body=self.rfile.read(length))
                # Kept before answering: the sender counts as done once it has the answer.
                with service.arrived:
                    service.received.append(push)
                    service.arrived.notify_all()
                self.send_response(service.status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def endpoint(self, name: str) -> str:
        """An endpoint URL on this service."""
        return f"http://127.0.0.1:{self.server.server_address[1]}/push/{name}"

    def wait_for(self, count: int, timeout: float = 10) -> list[Push]:
        """Wait until `count` pushes arrived; the pushes."""
        with self.arrived:
            self.arrived.wait_for(lambda: len(self.received) >= count, timeout=timeout)
            return list(self.received)


@contextmanager
def push_service() -> Iterator[PushService]:
    """A running push service, stopped afterwards."""
    service = PushService()
    service.thread.start()
    try:
        yield service
    finally:
        service.server.shutdown()
        service.server.server_close()


def vapid_claims(authorization: str, public_key: str) -> dict[str, Any]:
    """The claims of a `vapid t=..., k=...` Authorization header, its signature checked with the key."""
    scheme, _, params = authorization.partition(" ")
    assert scheme == "vapid", authorization
    fields = dict(part.strip().split("=", 1) for part in params.split(","))
    assert fields["k"] == public_key
    # The JWT's ES256 signature (raw r and s), checked with the VAPID public key: raises when it is wrong.
    signed, _, signature = fields["t"].rpartition(".")
    raw = b64url_decode(signature)
    der = encode_dss_signature(int.from_bytes(raw[:32], "big"), int.from_bytes(raw[32:], "big"))
    key = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), b64url_decode(public_key))
    key.verify(der, signed.encode(), ec.ECDSA(hashes.SHA256()))
    decoded: dict[str, Any] = json.loads(b64url_decode(signed.split(".")[1]))
    return decoded
