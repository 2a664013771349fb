"""The embedded SQLite database with two writers in one process (HTTP views and sockets use two threads)."""

import threading
from collections.abc import Iterator
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
        yield from _sqlite_file(tmp_path)


def _sqlite_file(tmp_path: Path) -> Iterator[str]:
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


def test_a_transaction_that_read_first_still_writes_after_another_writer(sqlite_file):
    """A transaction that read before another thread wrote still commits its own write, instead of
    failing at once with "database is locked" (SQLite's stale-snapshot refusal)."""
    read, written = threading.Event(), threading.Event()
    errors: list[Exception] = []

    def read_then_write() -> None:
        try:
            with transaction.atomic(using=sqlite_file), connections[sqlite_file].cursor() as cursor:
                cursor.execute("SELECT COUNT(*) FROM note")
                read.set()
                written.wait(OVERLAP_SECONDS)
                cursor.execute("INSERT INTO note (body) VALUES ('first')")
        except Exception as error:
            errors.append(error)
        finally:
            read.set()
            connections[sqlite_file].close()

    def write() -> None:
        read.wait()
        try:
            with transaction.atomic(using=sqlite_file), connections[sqlite_file].cursor() as cursor:
                cursor.execute("INSERT INTO note (body) VALUES ('second')")
        except Exception as error:
            errors.append(error)
        finally:
            written.set()
            connections[sqlite_file].close()

    threads = [threading.Thread(target=read_then_write), threading.Thread(target=write)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert errors == []
    with connections[sqlite_file].cursor() as cursor:
        cursor.execute("SELECT body FROM note ORDER BY body")
        assert [row[0] for row in cursor.fetchall()] == ["first", "second"]
