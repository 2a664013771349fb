"""The sockets open in this process, so the server can close them all with a reason."""

import asyncio
import logging
import weakref
from typing import Protocol

logger = logging.getLogger(__name__)


class ClosableSocket(Protocol):
    """What the registry needs of a consumer."""

    async def close(self, code: int | bool | None = None, reason: str | None = None) -> None:
        """Close the WebSocket with a code."""


_live: "weakref.WeakSet[ClosableSocket]" = weakref.WeakSet()


def register(socket: ClosableSocket) -> None:
    """Remember an accepted socket."""
    _live.add(socket)


def unregister(socket: ClosableSocket) -> None:
    """Forget a closed socket."""
    _live.discard(socket)


async def close_all(*, code: int) -> int:
    """Close every open socket of this process with `code`; return how many were closed."""
    sockets = list(_live)
    _live.clear()
    results = await asyncio.gather(*(socket.close(code=code) for socket in sockets), return_exceptions=True)
    failures = [result for result in results if isinstance(result, BaseException)]
    if failures:
        logger.warning(
            "%d of %d sockets failed to close cleanly: %r", len(failures), len(sockets), failures[0]
        )
    return len(sockets)
