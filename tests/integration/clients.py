"""Protocol clients that behave like the widget and the console: outbox, dedupe by seq, resume."""

import asyncio
import contextlib
import json
import re
import urllib.parse
import urllib.request
import uuid
from collections import Counter
from http.cookiejar import CookieJar
from typing import Any

from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed
from websockets.typing import Origin, Subprotocol

SUBPROTOCOLS = [Subprotocol("parley.v1")]


def http_json(url: str, body: dict[str, Any], *, origin: str) -> dict[str, Any]:
    """POST JSON with an Origin header and return the decoded answer."""
    request = urllib.request.Request(
        url,
        data=json.dumps(body).encode(),
        headers={"Content-Type": "application/json", "Origin": origin},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.loads(response.read())  # type: ignore[no-any-return]


def console_session_cookie(server_url: str, username: str, password: str) -> str:
    """Log in to the console like a browser and return the `Cookie` header value."""
    jar = CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    login_url = f"{server_url}/console/login/"
    page = opener.open(login_url, timeout=10).read().decode()
    match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    assert match, "no CSRF token on the login page"
    form = urllib.parse.urlencode(
        {"csrfmiddlewaretoken": match[1], "login": username, "password": password}
    ).encode()
    opener.open(urllib.request.Request(login_url, data=form, headers={"Referer": login_url}), timeout=10)
    cookies = {cookie.name: cookie.value for cookie in jar}
    assert "sessionid" in cookies, "login failed"
    return "; ".join(f"{name}={value}" for name, value in cookies.items())


class ChatClient:
    """What both clients share: a socket, a message store keyed by seq, an outbox and a reader."""

    def __init__(self) -> None:
        self.messages: dict[int, dict[str, Any]] = {}
        self.outbox: dict[str, dict[str, Any]] = {}  # client_id → the frame, until acknowledged
        self.acks: dict[str, dict[str, Any]] = {}
        self.close_codes: list[int | None] = []
        self.errors: list[dict[str, Any]] = []
        self.conversation_id: str | None = None
        self.socket: ClientConnection | None = None
        self.reader: asyncio.Task[None] | None = None
        self.changed = asyncio.Event()
        self.frame_counts: Counter[str] = Counter()
        self.background: set[asyncio.Future[Any]] = set()

    def in_background(self, coroutine: Any) -> None:
        """Run a coroutine without waiting for it, keeping a reference until it is done."""
        task = asyncio.ensure_future(coroutine)
        self.background.add(task)
        task.add_done_callback(self.background.discard)

    @property
    def last_seq(self) -> int:
        """The highest seq held."""
        return max(self.messages, default=0)

    def holds(self, count: int) -> bool:
        """Whether seq 1..count are all held, with nothing left to send."""
        return len(self.messages) == count == self.last_seq and not self.outbox

    def bodies(self) -> list[str]:
        """The bodies held, in seq order."""
        return [self.messages[seq]["body"] for seq in sorted(self.messages)]

    def store(self, message: dict[str, Any]) -> None:
        """Keep a message once by seq (the transport may deliver twice); a gap triggers a sync."""
        if self.conversation_id is None:
            self.conversation_id = message["conversation_id"]
        if message["conversation_id"] != self.conversation_id:
            return
        held = self.messages.get(message["seq"])
        if held is not None:
            assert held["id"] == message["id"], f"seq {message['seq']} names two messages"
            return
        gap = message["seq"] > self.last_seq + 1
        self.messages[message["seq"]] = message
        if gap:
            self.in_background(
                self.send_frame({"type": "sync", "conversation_id": self.conversation_id, "after_seq": 0})
            )

    async def send_frame(self, frame: dict[str, Any]) -> None:
        """Send a frame if connected (a frame to a dead socket is retried from the outbox)."""
        if self.socket is not None:
            with contextlib.suppress(ConnectionClosed):
                await self.socket.send(json.dumps(frame))

    def handle(self, frame: dict[str, Any]) -> None:
        """Apply one server frame."""
        kind = frame["type"]
        self.frame_counts[kind] += 1
        if kind in {"ready", "history", "conversation.opened"}:
            conversation = frame.get("conversation")
            if conversation and self.conversation_id is None:
                self.conversation_id = conversation["id"]
            for message in frame.get("messages", []):
                self.store(message)
        elif kind == "message.new":
            self.store(frame["message"])
        elif kind == "message.ack":
            self.acks[frame["client_id"]] = frame["message"]
            self.outbox.pop(frame["client_id"], None)
            self.store(frame["message"])
        elif kind == "conversation.started":
            self.conversation_id = frame["conversation"]["id"]
            self.in_background(
                self.send_frame({"type": "sync", "conversation_id": self.conversation_id, "after_seq": 0})
            )
        elif kind == "error":
            self.errors.append(frame)
        self.changed.set()

    async def read(self, socket: ClientConnection) -> None:
        """Read frames until the socket closes; remember the close code."""
        try:
            async for raw in socket:
                self.handle(json.loads(raw))
        except ConnectionClosed:
            pass
        self.close_codes.append(socket.close_code)
        if self.socket is socket:
            self.socket = None
        self.changed.set()

    async def wait_until(self, condition: Any, within: float = 10) -> None:
        """Wait until `condition()` holds, at most `within` seconds."""
        async with asyncio.timeout(within):
            while not condition():
                self.changed.clear()
                if condition():
                    return
                await self.changed.wait()

    async def close(self) -> None:
        """Close the socket and stop reading."""
        if self.socket is not None:
            await self.socket.close()
        if self.reader is not None:
            await self.reader


class VisitorClient(ChatClient):
    """A visitor as the widget behaves: a stored token, hello with last_seq, an outbox."""

    def __init__(self, *, site_key: str, origin: str) -> None:
        super().__init__()
        self.site_key = site_key
        self.origin = origin
        self.token: str | None = None

    async def connect(self, server_url: str) -> dict[str, Any]:
        """Get (or renew) a session, open the socket, say hello, then resend the outbox."""
        session = await asyncio.to_thread(
            http_json,
            f"{server_url}/api/widget/sites/{self.site_key}/session",
            {"visitor_token": self.token},
            origin=self.origin,
        )
        self.token = session["visitor_token"]
        socket_url = server_url.replace("http", "ws", 1) + f"/ws/visitor/{self.site_key}/"
        socket = await connect(socket_url, origin=Origin(self.origin), subprotocols=SUBPROTOCOLS)
        await socket.send(json.dumps({"type": "hello", "token": self.token, "last_seq": self.last_seq}))
        ready = json.loads(await socket.recv())
        assert ready["type"] == "ready", ready
        self.socket = socket
        self.handle(ready)
        self.reader = asyncio.ensure_future(self.read(socket))
        for frame in list(self.outbox.values()):
            await self.send_frame(frame)
        return ready  # type: ignore[no-any-return]

    async def send(self, body: str, client_id: str | None = None) -> str:
        """Queue a message in the outbox and send it; return its client_id."""
        client_id = client_id or uuid.uuid4().hex
        frame = {"type": "message.send", "client_id": client_id, "body": body}
        self.outbox[client_id] = frame
        await self.send_frame(frame)
        return client_id


class AgentClient(ChatClient):
    """An agent as the console behaves: session cookie, open a conversation with after_seq, an outbox."""

    def __init__(self, *, cookie: str, origin: str) -> None:
        super().__init__()
        self.cookie = cookie
        self.origin = origin
        self.inbox_updates: list[dict[str, Any]] = []

    def handle(self, frame: dict[str, Any]) -> None:
        """Apply a frame; also remember inbox updates."""
        if frame["type"] == "inbox.update":
            self.inbox_updates.append(frame["conversation"])
        super().handle(frame)

    async def connect(self, server_url: str) -> dict[str, Any]:
        """Open the socket, read ready, reopen the conversation from the last seq, resend the outbox."""
        socket_url = server_url.replace("http", "ws", 1) + "/ws/agent/"
        socket = await connect(
            socket_url,
            origin=Origin(self.origin),
            subprotocols=SUBPROTOCOLS,
            additional_headers={"Cookie": self.cookie},
        )
        ready = json.loads(await socket.recv())
        assert ready["type"] == "ready", ready
        self.socket = socket
        self.reader = asyncio.ensure_future(self.read(socket))
        if self.conversation_id is not None:
            await self.open(self.conversation_id)
        return ready  # type: ignore[no-any-return]

    async def open(self, conversation_id: str) -> None:
        """Follow a conversation from the last seq held, then resend the outbox."""
        self.conversation_id = conversation_id
        await self.send_frame(
            {"type": "conversation.open", "conversation_id": conversation_id, "after_seq": self.last_seq}
        )
        for frame in list(self.outbox.values()):
            await self.send_frame(frame)

    async def send(self, body: str, client_id: str | None = None) -> str:
        """Queue a reply in the outbox and send it; return its client_id."""
        assert self.conversation_id is not None
        client_id = client_id or uuid.uuid4().hex
        frame = {
            "type": "message.send",
            "conversation_id": self.conversation_id,
            "client_id": client_id,
            "body": body,
        }
        self.outbox[client_id] = frame
        await self.send_frame(frame)
        return client_id
