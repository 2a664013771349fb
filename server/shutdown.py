"""Graceful shutdown under daphne: on SIGTERM/SIGINT, close sockets with 4001 (going away) first."""

import asyncio
import logging
from typing import Any, cast

from server.conversations.store import loop_db
from server.errors import CLOSE_GOING_AWAY
from server.realtime.sockets import close_all

logger = logging.getLogger(__name__)

# Long enough for close frames to leave, short enough for an orchestrator's stop timeout.
CLOSE_GRACE_SECONDS = 1.0


def install_daphne_shutdown_hook() -> bool:
    """Register a Twisted 'before shutdown' trigger that says "going away" to every socket.

    Daphne cancels application coroutines on shutdown, which drops sockets with 1006; browsers then back
    off. A 4001 (going away) close tells clients to reconnect at once, to another process behind the load
    balancer.
    Returns False where daphne's reactor is not in use (tests, other servers).
    """
    import sys

    if "daphne.server" not in sys.modules:
        return False
    from twisted.internet import defer, reactor

    def going_away() -> Any:
        async def close_then_wait() -> None:
            closed = await close_all(code=CLOSE_GOING_AWAY)
            logger.info("shutting down: closed %d sockets with 4001 (going away)", closed)
            await asyncio.sleep(CLOSE_GRACE_SECONDS if closed else 0)
            # Said goodbye to, PostgreSQL does not log the event loop's connection as lost.
            await loop_db.close()

        return defer.Deferred.fromFuture(asyncio.ensure_future(close_then_wait()))

    cast(Any, reactor).addSystemEventTrigger("before", "shutdown", going_away)
    return True
