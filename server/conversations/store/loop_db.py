"""PostgreSQL statements awaited on the event loop itself, on a pool of asynchronous connections per loop.

Every other database call runs on Channels' database thread (`database_sync_to_async`). A visitor's
message is the one exception (services/messages.store_visitor_messages): its batch is a
single statement that commits by itself, so the loop awaits it like any other socket, with no hop to the
thread and back and no wait for the GIL the thread holds (docs/performance.md, "Sends on the event
loop"). Statements here are never inside a transaction (autocommit), so what they wrote is committed when
they return.

Each loop has its own `psycopg_pool.AsyncConnectionPool` (a pool belongs to the loop it was opened on),
opened at the first statement with Django's connection settings: it keeps one connection, opens more
while statements overlap (up to PARLEY_LOOP_DB_POOL_MAX), and replaces a connection that broke. A
checkout costs no round trip: connections are not tested when taken, and one found broken fails that
statement alone (its batch then goes one by one on the database thread).

Off with PARLEY_SEND_ON_EVENT_LOOP=false, and never on SQLite (no asynchronous driver).
"""

import asyncio
import weakref
from collections.abc import AsyncIterator, Iterator, Sequence
from contextlib import asynccontextmanager, contextmanager
from typing import Any

import psycopg
from django.conf import settings
from django.db import connections
from psycopg_pool import AsyncConnectionPool

from server.conversations.store import sql

Pool = AsyncConnectionPool[psycopg.AsyncConnection[Any]]

# How long a statement waits for a connection (and the first one for the pool to open) before failing,
# so that with PostgreSQL unreachable a batch goes to the database thread's error path soon.
WAIT_SECONDS = 5.0

_pools: "weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Task[Pool]]" = (
    weakref.WeakKeyDictionary()
)
# The lists of executed_statements blocks open now.
_recorders: list[list[str]] = []


def enabled() -> bool:
    """Whether visitor sends run their statement on the event loop (PostgreSQL and the setting on)."""
    return bool(settings.PARLEY_SEND_ON_EVENT_LOOP) and sql.values_wrapper().vendor == "postgresql"


async def fetch_all(sql: str, params: Sequence[Any]) -> list[tuple[Any, ...]]:
    """Every row of one statement, run on a connection of this loop's pool in autocommit."""
    for statements in _recorders:
        statements.append(sql)
    pool = await _pool()
    # getconn and putconn rather than pool.connection(): its context managers cost more than the rest of
    # a checkout, and its commit on leaving has nothing to do in autocommit.
    opened = await pool.getconn()
    try:
        async with opened.cursor() as cursor:
            await cursor.execute(sql, params)
            return list(await cursor.fetchall())
    finally:
        # The pool replaces a connection given back broken.
        await pool.putconn(opened)


@asynccontextmanager
async def connection() -> AsyncIterator["psycopg.AsyncConnection[Any]"]:
    """A connection of this loop's pool for the block, in autocommit (for tests that look at it)."""
    pool = await _pool()
    async with pool.connection() as pooled:
        yield pooled


async def close() -> None:
    """Close this loop's pool and its connections, if it has one (at shutdown, and after tests)."""
    opening = _pools.pop(asyncio.get_running_loop(), None)
    if opening is None:
        return
    try:
        pool = await opening
    except psycopg.Error:
        # A pool that could not open closed itself.
        return
    await pool.close()


@contextmanager
def executed_statements() -> Iterator[list[str]]:
    """The statements fetch_all runs while the block runs, in order, on any loop (for query budgets)."""
    statements: list[str] = []
    _recorders.append(statements)
    try:
        yield statements
    finally:
        _recorders[:] = [recorder for recorder in _recorders if recorder is not statements]


async def _pool() -> Pool:
    """This loop's pool, once open: the statements that arrive while it opens all wait for it."""
    loop = asyncio.get_running_loop()
    opening = _pools.get(loop)
    if opening is not None and opening.done():
        return opening.result()
    if opening is None:
        opening = _pools[loop] = loop.create_task(_open_pool())
    try:
        # Shielded: a statement cancelled while it waits does not cancel the opening others wait for.
        return await asyncio.shield(opening)
    except BaseException:
        if opening.done() and _pools.get(loop) is opening:
            # The pool did not open: the next statement opens another.
            del _pools[loop]
        raise


async def _open_pool() -> Pool:
    """A new pool of connections with the settings Django's own connection uses, its first one open."""
    params = connections["default"].get_connection_params()
    # Django's cursor class binds on the client; the default one binds on the server, so psycopg
    # prepares the statement after `prepare_threshold` runs, as sql.py's cursors do.
    params.pop("cursor_factory", None)
    pool: Pool = AsyncConnectionPool(
        kwargs={**params, "autocommit": True},
        configure=_configure,
        min_size=1,
        max_size=max(1, settings.PARLEY_LOOP_DB_POOL_MAX),
        timeout=WAIT_SECONDS,
        name="parley-loop-db",
        open=False,
    )
    try:
        await pool.open(wait=True, timeout=WAIT_SECONDS)
    except BaseException:
        await pool.close()
        raise
    return pool


async def _configure(opened: "psycopg.AsyncConnection[Any]") -> None:
    """Set up a new connection of the pool before its first statement."""
    # The connection runs the batch statement, whose every table access is a key lookup. Its generic plan
    # is kept until the tables' statistics change, and statistics taken while a table held a few rows
    # make scanning all of it look cheapest: that plan slowed the statement with every message stored.
    # Lookups by index are right at any size. A SET rather than a startup option, which PgBouncer refuses
    # unless told to ignore it.
    await opened.execute("SET enable_seqscan = off")
