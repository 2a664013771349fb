"""The load generator's sockets: open one, say hello as a Parley visitor, name a failure, close many."""

import asyncio
import contextlib
import json
from collections.abc import Iterable
from typing import Any

from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed, InvalidStatus
from websockets.typing import Origin

from tests.integration.clients import SUBPROTOCOLS

OPEN_TIMEOUT = 20.0
CLOSE_TIMEOUT = 60.0


def ws_url(http_url: str) -> str:
    """The ws:// twin of an http:// URL."""
    return http_url.replace("http", "ws", 1)


async def open_client(
    url: str,
    *,
    origin: str | None = None,
    headers: dict[str, str] | None = None,
    parley: bool = False,
    compression: str | None = None,
    open_timeout: float = OPEN_TIMEOUT,
    ping_interval: float | None = None,
) -> ClientConnection:
    """A client socket without a proxy; no compression unless told "deflate" (permessage-deflate, which
    browsers always offer and daphne never accepts), and no client pings unless given an interval."""
    return await connect(
        url,
        origin=Origin(origin) if origin else None,
        subprotocols=SUBPROTOCOLS if parley else None,
        additional_headers=headers,
        compression=compression,
        proxy=None,
        open_timeout=open_timeout,
        close_timeout=2,
        ping_interval=ping_interval,
        # The benchmarks read every frame; a larger queue keeps bursts from pausing the TCP reader.
        max_queue=1024,
    )


def error_name(error: BaseException) -> str:
    """A short, countable name for a failure."""
    if isinstance(error, InvalidStatus):
        return f"http_{error.response.status_code}"
    if isinstance(error, ConnectionClosed):
        return f"closed_{error.rcvd.code if error.rcvd else 'abnormal'}"
    return type(error).__name__


async def close_all(sockets: Iterable[ClientConnection]) -> None:
    """Close sockets (in bounded batches, as a server drains them), aborting what is left at the bound."""
    pending = list(sockets)
    with contextlib.suppress(TimeoutError):
        async with asyncio.timeout(CLOSE_TIMEOUT):
            for start in range(0, len(pending), 500):
                batch = pending[start : start + 500]
                await asyncio.gather(*(socket.close() for socket in batch), return_exceptions=True)
    for socket in pending:
        if socket.transport is not None and not socket.transport.is_closing():
            socket.transport.abort()


async def parley_hello(
    url: str, *, site_key: str, origin: str, token: str, headers: dict[str, str] | None = None
) -> tuple[ClientConnection, dict[str, Any]]:
    """Open a visitor socket (with extra handshake headers, if given) and say hello; it counts as open once
    `ready` arrived."""
    socket = await open_client(
        f"{ws_url(url)}/ws/visitor/{site_key}/", origin=origin, headers=headers, parley=True
    )
    try:
        await socket.send(json.dumps({"type": "hello", "token": token}))
        ready = json.loads(await socket.recv())
        if ready.get("type") != "ready":
            raise RuntimeError(f"expected ready, got {ready.get('type')}: {ready.get('code')}")
    except BaseException:
        # Synchronous, so it runs even while a timeout cancels this task.
        if socket.transport is not None:
            socket.transport.abort()
        raise
    return socket, ready
