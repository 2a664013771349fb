"""The search indexes of selectors/search.py: GIN expression indexes on PostgreSQL, FTS5 tables on SQLite.

On SQLite the FTS5 tables are external-content tables kept by triggers, so every write (the hand-written
INSERTs of store/ included) keeps them current. Django rebuilds a SQLite table to alter it, which drops its
triggers: `ensure_search_index` runs after every migrate and puts back what is missing.
"""

from django.db.backends.base.base import BaseDatabaseWrapper

# PostgreSQL: the message's tsvector is a stored generated column the models do not know (every INSERT,
# the hand-written ones included, fills it), so a search reads it instead of parsing each candidate body
# again; the visitor's is an expression index. selectors/search.py spells both exactly as here.
POSTGRES_INDEXES = {
    "body_search": "ALTER TABLE chat_message ADD COLUMN IF NOT EXISTS body_search tsvector "
    "GENERATED ALWAYS AS (to_tsvector('simple'::regconfig, body)) STORED",
    "message_body_search": "CREATE INDEX IF NOT EXISTS message_body_search ON chat_message "
    "USING gin (body_search)",
    "visitor_search": "CREATE INDEX IF NOT EXISTS visitor_search ON chat_visitor USING gin ("
    "to_tsvector('simple'::regconfig, regexp_replace("
    "name || ' ' || email || ' ' || last_page_url, '[^[:alnum:]]+', ' ', 'g')))",
}
POSTGRES_DROPS = (
    "DROP INDEX IF EXISTS visitor_search",
    "DROP INDEX IF EXISTS message_body_search",
    "ALTER TABLE chat_message DROP COLUMN IF EXISTS body_search",
)

SQLITE_TABLES = {
    "chat_message_fts": "CREATE VIRTUAL TABLE IF NOT EXISTS chat_message_fts "
    "USING fts5(body, content='chat_message', content_rowid='id')",
    "chat_visitor_fts": "CREATE VIRTUAL TABLE IF NOT EXISTS chat_visitor_fts "
    "USING fts5(name, email, last_page_url, content='chat_visitor', content_rowid='rowid')",
}

# An external-content FTS5 table learns of a change by a 'delete' of the old values and an insert of the new.
_MESSAGE_ADD = "INSERT INTO chat_message_fts(rowid, body) VALUES (new.id, new.body);"
_MESSAGE_REMOVE = (
    "INSERT INTO chat_message_fts(chat_message_fts, rowid, body) VALUES ('delete', old.id, old.body);"
)
_VISITOR_ADD = (
    "INSERT INTO chat_visitor_fts(rowid, name, email, last_page_url) "
    "VALUES (new.rowid, new.name, new.email, new.last_page_url);"
)
_VISITOR_REMOVE = (
    "INSERT INTO chat_visitor_fts(chat_visitor_fts, rowid, name, email, last_page_url) "
    "VALUES ('delete', old.rowid, old.name, old.email, old.last_page_url);"
)
SQLITE_TRIGGERS = {
    "chat_message_fts": {
        "chat_message_fts_insert": "CREATE TRIGGER IF NOT EXISTS chat_message_fts_insert "
        f"AFTER INSERT ON chat_message BEGIN {_MESSAGE_ADD} END",
        "chat_message_fts_delete": "CREATE TRIGGER IF NOT EXISTS chat_message_fts_delete "
        f"AFTER DELETE ON chat_message BEGIN {_MESSAGE_REMOVE} END",
        "chat_message_fts_update": "CREATE TRIGGER IF NOT EXISTS chat_message_fts_update "
        f"AFTER UPDATE OF body ON chat_message BEGIN {_MESSAGE_REMOVE} {_MESSAGE_ADD} END",
    },
    "chat_visitor_fts": {
        "chat_visitor_fts_insert": "CREATE TRIGGER IF NOT EXISTS chat_visitor_fts_insert "
        f"AFTER INSERT ON chat_visitor BEGIN {_VISITOR_ADD} END",
        "chat_visitor_fts_delete": "CREATE TRIGGER IF NOT EXISTS chat_visitor_fts_delete "
        f"AFTER DELETE ON chat_visitor BEGIN {_VISITOR_REMOVE} END",
        "chat_visitor_fts_update": "CREATE TRIGGER IF NOT EXISTS chat_visitor_fts_update "
        "AFTER UPDATE OF name, email, last_page_url ON chat_visitor "
        f"BEGIN {_VISITOR_REMOVE} {_VISITOR_ADD} END",
    },
}


def ensure_search_index(connection: BaseDatabaseWrapper) -> None:
    """Create what is missing of the search indexes; an FTS5 table whose triggers were gone is rebuilt."""
    if not {"chat_message", "chat_visitor"} <= set(connection.introspection.table_names()):
        return
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            for statement in POSTGRES_INDEXES.values():
                cursor.execute(statement)
            return
        if connection.vendor != "sqlite":
            return
        cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")
        present = {row[0] for row in cursor.fetchall()}
        for fts, create in SQLITE_TABLES.items():
            cursor.execute(create)
            triggers = SQLITE_TRIGGERS[fts]
            if set(triggers) <= present:
                continue
            for statement in triggers.values():
                cursor.execute(statement)
            # Names from SQLITE_TABLES, never from input.
            cursor.execute(f"INSERT INTO {fts}({fts}) VALUES ('rebuild')")  # noqa: S608


def drop_search_index(connection: BaseDatabaseWrapper) -> None:
    """Drop the search indexes (the migration's reverse)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            for statement in POSTGRES_DROPS:
                cursor.execute(statement)
        elif connection.vendor == "sqlite":
            for fts, triggers in SQLITE_TRIGGERS.items():
                for name in triggers:
                    cursor.execute(f"DROP TRIGGER IF EXISTS {name}")
                cursor.execute(f"DROP TABLE IF EXISTS {fts}")
