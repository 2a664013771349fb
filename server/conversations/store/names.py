"""Table and column names for hand-written SQL, taken from the models' metadata, never spelled out.

A statement is written as a template: `{Message}` is the table of Message and `{Message.seq}` the column
of its field `seq` (`{Message.conversation}` is `conversation_id`). `render` fills them in, so a renamed
table or column changes the statements with the models, and a misspelt field fails at import.
"""

from typing import Any

from django.db.models import Model

from server.conversations.models import Conversation, Message, Visitor
from server.sites.models import Site, SiteMembership


class TableNames:
    """A model's table (as text) and its fields' columns (as attributes), for `str.format`."""

    def __init__(self, model: type[Model]) -> None:
        self.model = model

    def __str__(self) -> str:
        return self.model._meta.db_table

    def __format__(self, spec: str) -> str:
        return format(str(self), spec)

    def __getattr__(self, field_name: str) -> str:
        column: str = self.model._meta.get_field(field_name).column  # type: ignore[union-attr,assignment]
        return column


# The user model is the one messages name their agent by (settings.AUTH_USER_MODEL).
USER_MODEL: type[Model] = Message._meta.get_field("agent").related_model  # type: ignore[assignment]

MODELS: dict[str, type[Model]] = {
    "Conversation": Conversation,
    "Message": Message,
    "Site": Site,
    "SiteMembership": SiteMembership,
    "User": USER_MODEL,
    "Visitor": Visitor,
}
_NAMES = {name: TableNames(model) for name, model in MODELS.items()}


def render(template: str, **values: Any) -> str:
    """A statement from its template: model names filled in from their metadata, then `values`."""
    return template.format(**_NAMES, **values)
