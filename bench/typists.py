"""Visitors typing: each sends `typing` start every `interval` seconds, as the widget does while typing.

`python -m bench.typists` runs them in a process of their own (bench.typing's load), with the agent
sockets that follow their conversations, so every typing frame is relayed to a console and read there.
It speaks bench.abuse_p99's protocol for a load that stays: orders as one JSON line on stdin,
`{"started": true}` once every socket is open, then "on" and "off" lines start and stop the typing (answered
by `{"sending": true}` and by the window's counts), and the counts of all windows once stdin closes. The
sockets stay open from the first window to the last, so quiet windows have them connected too.
"""

import asyncio
import contextlib
import json
import random
import sys
import time
from collections import Counter
from typing import Any

from websockets.asyncio.client import ClientConnection

from bench.clients import close_all, error_name, open_client, parley_hello, ws_url

TYPING_FRAME = json.dumps({"type": "typing", "state": "start"})
TYPING_PREFIX = '{"type":"typing"'
OPENED_PREFIX = '{"type":"conversation.opened"'
ERROR_PREFIX = '{"type":"error"'
# Opening hundreds of sockets at once would itself be a load; at most this many handshakes overlap.
OPEN_CONCURRENCY = 50
CONVERSATIONS_PER_AGENT_SOCKET = 20
# After typing stops, for the last frames to be relayed and counted in their window.
RELAY_GRACE_SECONDS = 0.5


def typist_address(index: int) -> str:
    """A typist's own client address, in the benchmarking block (RFC 2544, 198.18.0.0/15)."""
    return f"198.18.{index // 250}.{index % 250 + 1}"


class Typists:
    """The visitors' sockets and the console sockets following their conversations, and what they met."""

    def __init__(self, orders: dict[str, Any]) -> None:
        self.orders = orders
        self.visitors: list[ClientConnection] = []
        self.conversations: list[str] = []
        self.agents: list[ClientConnection] = []
        self.counts: Counter[str] = Counter()
        self.opened = 0
        self.readers: list[asyncio.Future[None]] = []

    async def open(self) -> None:
        """Say hello as every typist (each from its own address), then follow their conversations."""
        gate = asyncio.Semaphore(OPEN_CONCURRENCY)
        orders = self.orders

        async def hello(index: int, token: str) -> None:
            async with gate:
                socket, ready = await parley_hello(
                    orders["url"],
                    site_key=orders["site_key"],
                    origin=orders["origin"],
                    token=token,
                    headers={"X-Forwarded-For": typist_address(index)},
                )
            self.visitors.append(socket)
            if ready.get("conversation"):
                self.conversations.append(ready["conversation"]["id"])
            self.readers.append(asyncio.ensure_future(self.drain(socket, "visitor")))

        await asyncio.gather(*(hello(index, token) for index, token in enumerate(orders["tokens"])))
        cookies = orders["cookies"]
        batches = range(0, len(self.conversations), CONVERSATIONS_PER_AGENT_SOCKET)
        await asyncio.gather(
            *(
                self.follow(
                    cookies[(start // CONVERSATIONS_PER_AGENT_SOCKET) % len(cookies)],
                    self.conversations[start : start + CONVERSATIONS_PER_AGENT_SOCKET],
                )
                for start in batches
            )
        )

    async def follow(self, cookie: str, conversations: list[str]) -> None:
        """A console socket that opened these conversations, once every one is opened (then read on)."""
        orders = self.orders
        agent = await open_client(
            f"{ws_url(orders['url'])}/ws/agent/",
            origin=orders["url"],
            headers={"Cookie": cookie},
            parley=True,
        )
        self.agents.append(agent)
        for conversation_id in conversations:
            await agent.send(json.dumps({"type": "conversation.open", "conversation_id": conversation_id}))
        # Typing starts only once every conversation is followed: what is measured is the relay.
        opened = 0
        while opened < len(conversations):
            frame = await agent.recv()
            if isinstance(frame, str) and frame.startswith(OPENED_PREFIX):
                opened += 1
            elif isinstance(frame, str) and frame.startswith(ERROR_PREFIX):
                raise RuntimeError(f"conversation.open refused: {frame[:200]}")
        self.opened += opened
        self.readers.append(asyncio.ensure_future(self.drain(agent, "agent")))

    async def drain(self, socket: ClientConnection, side: str) -> None:
        """Read everything a socket is sent, counting the typing frames an agent socket relays."""
        with contextlib.suppress(Exception):
            async for frame in socket:
                if side == "agent" and isinstance(frame, str) and frame.startswith(TYPING_PREFIX):
                    self.counts["typing_relayed"] += 1
                elif isinstance(frame, str) and frame.startswith(ERROR_PREFIX):
                    self.counts[f"error_{json.loads(frame).get('code')}"] += 1

    async def type(self, socket: ClientConnection, *, interval: float) -> None:
        """Send `typing` start every interval from a random phase, until cancelled."""
        await asyncio.sleep(random.uniform(0, interval))
        while True:
            try:
                await socket.send(TYPING_FRAME)
            except Exception as error:
                self.counts[error_name(error)] += 1
                return
            self.counts["typing_sent"] += 1
            await asyncio.sleep(interval)

    def summary(self, seconds: float) -> dict[str, Any]:
        """The sockets and what they met over `seconds` of typing."""
        return {
            "typists": len(self.visitors),
            "followed": len(self.conversations),
            "agent_sockets": len(self.agents),
            "opened": self.opened,
            **self.counts,
            "seconds": round(seconds, 2),
            "typing_sent_per_second": round(self.counts["typing_sent"] / seconds, 1) if seconds else 0.0,
        }

    async def close(self) -> None:
        """Close every socket and stop reading."""
        await close_all([*self.visitors, *self.agents])
        for reader in self.readers:
            reader.cancel()
        await asyncio.gather(*self.readers, return_exceptions=True)


async def serve_typists() -> None:
    """The child's side: open, report started, then type while told to ("on" to "off" on stdin), reporting
    each window's counts; once stdin closes, close every socket and report the counts of all windows."""
    loop = asyncio.get_running_loop()
    reader = asyncio.StreamReader()
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), sys.stdin)
    orders = json.loads(await reader.readline())
    typists = Typists(orders)
    await typists.open()
    report({"started": True})
    total: Counter[str] = Counter()
    seconds = 0.0
    typing: list[asyncio.Future[None]] = []
    began = time.monotonic()
    while order := (await reader.readline()).strip():
        if order == b"on":
            typists.counts.clear()
            began = time.monotonic()
            typing = [
                asyncio.ensure_future(typists.type(socket, interval=orders["interval"]))
                for socket in typists.visitors
            ]
            report({"sending": True})
        elif order == b"off":
            await stop_all(typing)
            typed = time.monotonic() - began
            # The frames relayed while typing stopped are this window's.
            await asyncio.sleep(RELAY_GRACE_SECONDS)
            window = typists.summary(typed)
            total.update(typists.counts)
            seconds += window["seconds"]
            report(window)
    await stop_all(typing)
    await typists.close()
    typists.counts = total
    report(typists.summary(seconds))


def report(line: dict[str, Any]) -> None:
    """One JSON line to the parent."""
    sys.stdout.write(json.dumps(line) + "\n")
    sys.stdout.flush()


async def stop_all(tasks: list[asyncio.Future[None]]) -> None:
    """Cancel the typing tasks and wait for them to end."""
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)


if __name__ == "__main__":
    # Run by bench.typing: the typists, in a process of their own.
    asyncio.run(serve_typists())
