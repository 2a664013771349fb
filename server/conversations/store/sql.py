"""Hand-written SQL for the hottest paths (each handshake, each message), for SQLite and PostgreSQL.

Building a query with the ORM costs about half a millisecond of Python per statement, twenty to forty
times what running it costs on either database (docs/performance.md, "Hand-written SQL for the hot
statements"). The few statements paid per handshake or per message are therefore written out here, and
on PostgreSQL prepared once per connection. Parameters are prepared, and results converted, by the same
field methods the ORM uses, so what they return is exactly what the ORM would have returned
(tests/conversations/store/test_sql.py). Everything else goes through the ORM.
"""

import asyncio
from collections.abc import Callable, Sequence
from functools import cache
from typing import Any, TypeVar

import psycopg
from django.db import DEFAULT_DB_ALIAS, connection, connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.backends.utils import CursorWrapper
from django.db.models import Model

ModelT = TypeVar("ModelT", bound=Model)
Converter = Callable[[Any, Any, Any], Any]


@cache
def _unconnected_wrapper() -> BaseDatabaseWrapper:
    """A wrapper of the default database that never connects: its vendor, operations and features."""
    return connections.create_connection(DEFAULT_DB_ALIAS)


def values_wrapper() -> BaseDatabaseWrapper:
    """The default database's wrapper, for preparing parameters and converting results (no queries).

    The wrapper itself, not the `connection` proxy: each of the proxy's attribute reads is a context-local
    lookup, and preparing a value reads several. On an event loop that lookup is per task: the first one
    in each task creates a wrapper of its own, which dies with the task as a reference cycle of seven
    objects for the garbage collector. Code on the loop (a batch stored there, loop_db.py) only prepares
    and converts values, so it shares one wrapper that never connects.
    """
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return connections[DEFAULT_DB_ALIAS]
    return _unconnected_wrapper()


def db_param(model: type[Model], field_name: str, value: Any) -> Any:
    """A Python value ready to be bound as a parameter compared with `model.field_name`."""
    wrapper = values_wrapper()
    return model._meta.get_field(field_name).get_db_prep_value(value, wrapper)  # type: ignore[union-attr]


@cache
def _field_converters(model: type[Model], field_name: str, vendor: str) -> tuple[Any, list[Converter]]:
    """The column of `model.field_name` and the converters the ORM applies to its values on `vendor`."""
    field = model._meta.get_field(field_name)
    column = field.get_col(model._meta.db_table)  # type: ignore[union-attr]
    wrapper = values_wrapper()
    return column, [*wrapper.ops.get_db_converters(column), *field.get_db_converters(wrapper)]  # type: ignore[union-attr]


def _convert(value: Any, column: Any, converters: list[Converter], wrapper: BaseDatabaseWrapper) -> Any:
    """A column value through the ORM's converters (None stays None, as in the ORM)."""
    if value is not None:
        for convert in converters:
            value = convert(value, column, wrapper)
    return value


def from_db(model: type[Model], field_name: str, value: Any) -> Any:
    """A column value as the ORM would return it for `model.field_name` (dates, UUIDs on SQLite)."""
    wrapper = values_wrapper()
    return _convert(value, *_field_converters(model, field_name, wrapper.vendor), wrapper)


def columns(model: type[Model], alias: str) -> str:
    """Every concrete column of `model`, qualified by `alias`, in the order `model_from_row` expects."""
    quote = connection.ops.quote_name
    return ", ".join(f"{alias}.{quote(field.column)}" for field in model._meta.concrete_fields)


@cache
def _model_loaders(model: type[Model], vendor: str) -> tuple[list[str], list[tuple[Any, list[Converter]]]]:
    """The attnames of `model`'s concrete fields and, for each, its column and converters on `vendor`."""
    fields = model._meta.concrete_fields
    return [field.attname for field in fields], [
        _field_converters(model, field.name, vendor) for field in fields
    ]


def model_from_row(model: type[ModelT], values: Sequence[Any]) -> ModelT:
    """An instance of `model` from the values `columns(model, ...)` selected, as the ORM would build it."""
    wrapper = values_wrapper()  # looked up once per row, not once per field
    attnames, loaders = _model_loaders(model, wrapper.vendor)
    converted = [
        _convert(value, column, converters, wrapper) if converters else value
        for value, (column, converters) in zip(values, loaders, strict=True)
    ]
    return model.from_db(wrapper.alias, attnames, converted)


def _cursor() -> CursorWrapper:
    """A cursor for these statements: on PostgreSQL with prepared statements on, one binding on the server."""
    prepared = connection.settings_dict["OPTIONS"].get("prepare_threshold") is not None
    if connection.vendor != "postgresql" or not prepared:
        return connection.cursor()
    # Django's own cursors bind on the client, which psycopg never prepares; this one binds on the
    # server, so psycopg prepares each statement once it has run `prepare_threshold` times.
    connection.ensure_connection()
    connection.validate_thread_sharing()
    server_cursor = psycopg.Cursor(connection.connection)
    if connection.queries_logged:
        return connection.make_debug_cursor(server_cursor)  # type: ignore[arg-type]  # stubs: wants the raw cursor
    return connection.make_cursor(server_cursor)  # type: ignore[arg-type]  # stubs: wants the raw cursor


def fetch_one(sql: str, params: Sequence[Any]) -> tuple[Any, ...] | None:
    """The first row of a query, or None."""
    with _cursor() as cursor:
        cursor.execute(sql, params)
        row: tuple[Any, ...] | None = cursor.fetchone()
        return row


def execute(sql: str, params: Sequence[Any]) -> int:
    """Run a statement; the number of rows it changed."""
    with _cursor() as cursor:
        cursor.execute(sql, params)
        return int(cursor.rowcount)


def fetch_all(sql: str, params: Sequence[Any]) -> list[tuple[Any, ...]]:
    """Every row of a query."""
    with _cursor() as cursor:
        cursor.execute(sql, params)
        return list(cursor.fetchall())


def rows_source(types: Sequence[str], count: int) -> str:
    """A FROM item `u` of `count` rows of VALUES whose columns are named column1, column2…; on PostgreSQL
    the first row casts each parameter to its column's type in `types`.

    VALUES rather than an unnest of arrays: the planner then knows how many rows there are, so the plan it
    keeps for a prepared statement (its generic plan) is as good as one made for the values at hand.
    With unnest it assumed 100 rows, judged that plan dearer than a fresh one, and planned the statement
    anew at every execution (0.5 ms, more than running it). The text differs with `count`.
    """
    if connection.vendor == "postgresql":
        first = "(" + ", ".join(f"%s::{type_}" for type_ in types) + ")"
    else:
        first = "(" + ", ".join(["%s"] * len(types)) + ")"
    row = "(" + ", ".join(["%s"] * len(types)) + ")"
    return f"(VALUES {', '.join([first] + [row] * (count - 1))}) AS u"


def rows_params(rows: Sequence[Sequence[Any]]) -> list[Any]:
    """The parameters that go with `rows_source(types, len(rows))`: every value, row after row."""
    return [value for row in rows for value in row]
