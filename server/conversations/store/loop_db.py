"""PostgreSQL statements awaited on the event loop itself, on one asynchronous connection per loop.

Every other database call runs on Channels' database thread (`database_sync_to_async`). A visitor's message
is the one exception (services/message_batches.do_post_visitor_messages_on_loop): its batch is a single
statement that commits by itself, so the loop awaits it like any other socket, with no hop to the thread and
back and no wait for the GIL the thread holds. That hop and hand-back were a third of a message's time on
the server (docs/performance.md, "Sends on the event loop"). Statements here are never inside a transaction
(autocommit), so what they wrote is committed when they return.

Off with PARLEY_SEND_ON_EVENT_LOOP=false, and never on SQLite (no asynchronous driver).
"""

import asyncio
import logging
import weakref
from collections.abc import Sequence
from typing import Any

import psycopg
from django.conf import settings
from django.db import connections

from server.conversations.store import sql

logger = logging.getLogger(__name__)

_connections: "weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, psycopg.AsyncConnection[Any]]" = (
    weakref.WeakKeyDictionary()
)


def enabled() -> bool:
    """Whether visitor sends run their statement on the event loop (PostgreSQL and the setting on)."""
    return bool(settings.PARLEY_SEND_ON_EVENT_LOOP) and sql.values_wrapper().vendor == "postgresql"


async def fetch_all(sql: str, params: Sequence[Any]) -> list[tuple[Any, ...]]:
    """Every row of one statement, run on this loop's connection in autocommit."""
    connection = await _connection()
    try:
        async with connection.cursor() as cursor:
            await cursor.execute(sql, params)
            return list(await cursor.fetchall())
    except psycopg.Error:
        if connection.broken or connection.closed:
            # The next statement opens a new connection.
            _connections.pop(asyncio.get_running_loop(), None)
            logger.warning("the event loop's database connection broke; the next send opens another")
            await connection.close()
        raise


async def close() -> None:
    """Close this loop's connection, if it has one (at shutdown, and after tests)."""
    connection = _connections.pop(asyncio.get_running_loop(), None)
    if connection is not None:
        await connection.close()


async def _connection() -> "psycopg.AsyncConnection[Any]":
    """This loop's connection, opened with the settings Django's own connection uses."""
    loop = asyncio.get_running_loop()
    current = _connections.get(loop)
    if current is not None and not current.closed:
        return current
    params = connections["default"].get_connection_params()
    # Django's cursor class binds on the client; the default one binds on the server, so psycopg
    # prepares the statement after `prepare_threshold` runs, as sql.py's cursors do.
    params.pop("cursor_factory", None)
    opened = await psycopg.AsyncConnection.connect(**params, autocommit=True)
    # The connection runs the batch statement, whose every table access is a key lookup. Its generic plan
    # is kept until the tables' statistics change, and statistics taken while a table held a few rows
    # make scanning all of it look cheapest: that plan slowed the statement with every message stored
    # (0.45 → 1.7 ms per send over 20,000 messages). Lookups by index are right at any size. A SET rather
    # than a startup option, which PgBouncer refuses unless told to ignore it.
    try:
        await opened.execute("SET enable_seqscan = off")
    except BaseException:
        await opened.close()
        raise
    _connections[loop] = opened
    return opened
