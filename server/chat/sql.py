"""Hand-written SQL for the hottest paths (each handshake, each message), for SQLite and PostgreSQL.

Building a query with the ORM costs about half a millisecond of Python per statement, twenty to forty
times what running it costs on either database (docs/performance.md, "Queries per handshake"). The few
statements paid per handshake or per message are therefore written out here. Parameters are prepared,
and results converted, by the same field methods the ORM uses, so what they return is exactly what the
ORM would have returned. Everything else goes through the ORM.
"""

from collections.abc import Sequence
from typing import Any

from django.db import connection
from django.db.models import Model


def db_param(model: type[Model], field_name: str, value: Any) -> Any:
    """A Python value ready to be bound as a parameter compared with `model.field_name`."""
    return model._meta.get_field(field_name).get_db_prep_value(value, connection)  # type: ignore[union-attr]


def from_db(model: type[Model], field_name: str, value: Any) -> Any:
    """A column value as the ORM would return it for `model.field_name` (dates, UUIDs on SQLite)."""
    if value is None:
        return None
    field = model._meta.get_field(field_name)
    column = field.get_col(model._meta.db_table)  # type: ignore[union-attr]
    for convert in (*connection.ops.get_db_converters(column), *field.get_db_converters(connection)):  # type: ignore[union-attr]
        value = convert(value, column, connection)
    return value


def fetch_one(sql: str, params: Sequence[Any]) -> tuple[Any, ...] | None:
    """The first row of a query, or None."""
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row: tuple[Any, ...] | None = cursor.fetchone()
        return row


def fetch_all(sql: str, params: Sequence[Any]) -> list[tuple[Any, ...]]:
    """Every row of a query."""
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return list(cursor.fetchall())
