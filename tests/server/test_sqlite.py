"""The embedded SQLite database with two writers in one process (HTTP views and sockets use two threads)."""

import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from django.db import connections, transaction

from server.settings import SQLITE_OPTIONS

ALIAS = "sqlite_writers"
# How long the first writer waits for the second, which may be waiting for it.
OVERLAP_SECONDS = 0.3


@pytest.fixture
def sqlite_file(tmp_path: Path, django_db_blocker: Any) -> Iterator[str]:
    """A database alias on a SQLite file with the options Parley's settings give SQLite, with one table."""
    # Not the test database: a file of its own, which each thread opens with its own connection.
    with django_db_blocker.unblock():
        connections.settings[ALIAS] = {
            **connections["default"].settings_dict,
            "NAME": str(tmp_path / "writers.sqlite3"),
            "OPTIONS": dict(SQLITE_OPTIONS),
        }
        with connections[ALIAS].cursor() as cursor:
            cursor.execute("CREATE TABLE note (id INTEGER PRIMARY KEY, body TEXT)")
        yield ALIAS
        connections[ALIAS].close()
        del connections.settings[ALIAS]


def run_transaction(body: Callable[[Any], None], *, errors: list[Exception], done: threading.Event) -> None:
    """Run `body` with a cursor in a transaction on this thread's own connection; keep its error, if any."""
    try:
        with transaction.atomic(using=ALIAS), connections[ALIAS].cursor() as cursor:
            body(cursor)
    except Exception as error:
        errors.append(error)
    finally:
        done.set()
        connections[ALIAS].close()


def test_a_transaction_that_read_first_still_writes_after_another_writer(sqlite_file):
    """A transaction that read before another thread wrote still commits its own write, instead of
    failing at once with "database is locked" (SQLite's stale-snapshot refusal)."""
    read, written = threading.Event(), threading.Event()
    errors: list[Exception] = []

    def read_then_write(cursor: Any) -> None:
        cursor.execute("SELECT COUNT(*) FROM note")
        read.set()
        written.wait(OVERLAP_SECONDS)
        cursor.execute("INSERT INTO note (body) VALUES ('first')")

    def write_once_read(cursor: Any) -> None:
        cursor.execute("INSERT INTO note (body) VALUES ('second')")

    def second_writer() -> None:
        read.wait()
        run_transaction(write_once_read, errors=errors, done=written)

    threads = [
        threading.Thread(
            target=run_transaction, args=(read_then_write,), kwargs={"errors": errors, "done": read}
        ),
        threading.Thread(target=second_writer),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert errors == []
    with connections[sqlite_file].cursor() as cursor:
        cursor.execute("SELECT body FROM note ORDER BY body")
        assert [row[0] for row in cursor.fetchall()] == ["first", "second"]
