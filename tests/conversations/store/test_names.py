"""Every hand-written statement names only tables and columns the models' metadata has."""

import re
from pathlib import Path

import pytest
from django.db import connection

from server.conversations.models import Conversation, Message
from server.conversations.store import batches, names, statements

# Derived row sources whose columns are a model's: `target` selects every column of the conversations a
# batch goes into, `inserted` returns the messages' own columns.
ROW_SOURCES = {"target": Conversation._meta.db_table, "inserted": Message._meta.db_table}
KEYWORDS = {
    "AS",
    "CROSS",
    "GROUP",
    "JOIN",
    "LEFT",
    "LIMIT",
    "ON",
    "ORDER",
    "RETURNING",
    "SET",
    "UNION",
    "WHERE",
}


def every_statement() -> dict[str, str]:
    """Every statement the store builds, by name (the batch ones for a batch of two, both lock variants)."""
    texts = {
        name: value
        for module in (statements, batches)
        for name, value in vars(module).items()
        if name.isupper() and isinstance(value, str) and name.endswith("_SQL") and "{" not in value
    }
    texts["lock visitor conversation"] = statements.lock_conversation_sql(
        statements.VISITOR_SEND_TARGET, connection.vendor
    )
    texts["lock agent conversation"] = statements.lock_conversation_sql(
        statements.agent_send_target(connection.vendor), connection.vendor
    )
    texts["batch in one statement"] = batches.batch_in_one_statement_sql(2)
    texts["lock batch"] = batches.lock_batch_sql(2)
    texts["insert batch"] = batches.insert_visitor_messages_sql(2)
    texts["update batch conversations"] = batches.update_conversations_sql(2)
    return texts


def columns_by_table() -> dict[str, set[str]]:
    """The columns of every table the store may name, from the models' metadata."""
    return {
        model._meta.db_table: {field.column for field in model._meta.concrete_fields}
        for model in names.MODELS.values()
    }


def names_used(text: str) -> list[tuple[str, str | None]]:
    """The (table, column) pairs a statement names; column None for a table named on its own."""
    tables = columns_by_table()
    text = re.sub(r"FOR UPDATE OF \w+", "", text)  # a lock clause names an alias, not a table
    text = text.replace("JOIN LATERAL", "JOIN")
    common_tables = set(re.findall(r"(\w+) AS \(", text))  # WITH ... AS ( ... ), ... AS ( ... )
    used: list[tuple[str, str | None]] = []
    # An alias means one thing within a common table's body, or within the statement after them.
    for scope in re.split(r"(?=\b\w+ AS \()|(?<=\n\))(?=\s*\nSELECT)", text):
        aliases: dict[str, str | None] = {}
        for table, alias in re.findall(r"\b(?:FROM|JOIN|UPDATE|INTO)\s+(\w+)(?:\s+(\w+))?", scope):
            meaning = ROW_SOURCES.get(table) if table in common_tables else table
            if table not in common_tables:
                used.append((table, None))
                aliases[table] = table
            if alias and alias not in KEYWORDS:
                aliases[alias] = meaning
        for alias, column in re.findall(r'\b(\w+)\."?(\w+)"?', scope):
            if aliases.get(alias) is not None:
                used.append((str(aliases[alias]), column))
    for table, column_list in re.findall(r"INSERT INTO (\w+) \(([^)]*)\)", text):
        used.extend((table, column.strip()) for column in column_list.split(","))
    for table, assignments in re.findall(r"UPDATE (\w+)(?: \w+)?\s+SET (.*?)\s+(?:FROM|WHERE)\b", text, re.S):
        used.extend((table, column) for column in re.findall(r"(?:^|,)\s*(\w+) =", assignments))
    for table, returned in re.findall(r"INSERT INTO (\w+)\b.*?RETURNING ([\w, ]+)", text, re.S):
        used.extend((table, column.strip()) for column in returned.split(","))
    assert all(table in tables for table, _ in used), used
    return used


@pytest.mark.parametrize("name", sorted(every_statement()))
def test_a_statement_names_only_what_the_models_have(name):
    """Each table a statement reads or writes is a model's, and each column it names is one of its fields'."""
    text = every_statement()[name]
    tables = columns_by_table()
    used = names_used(text)
    assert used, text
    unknown = [
        (table, column) for table, column in used if column is not None and column not in tables[table]
    ]
    assert not unknown, text


def test_the_store_spells_out_no_table_name():
    """Table names come from the models' metadata: none is written out in the store's source."""
    store = Path(statements.__file__).parent
    for path in store.glob("*.py"):
        source = path.read_text()
        for table in columns_by_table():
            assert table not in source, f"{path.name} spells out {table}"


def test_a_misspelt_column_is_caught_when_the_statement_is_built():
    """A template naming a field the model does not have fails at once, instead of in the database."""
    with pytest.raises(Exception, match="no field named"):
        names.render("SELECT m.{Message.no_such_field} FROM {Message} m")
