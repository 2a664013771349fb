"""The site's custom attributes of a visitor (`Parley('setAttributes', ...)`), checked and stored."""

import math
import re
import uuid

from django.conf import settings
from django.db import transaction

from server.conversations import events
from server.conversations.models import Visitor
from server.conversations.text import is_storable_text
from server.errors import ParleyError

AttributeValue = str | int | float | bool
# A letter first: no "__proto__" or "constructor" reaches the console's objects.
_KEY = re.compile(r"[a-z][a-z0-9_]{0,39}")


def _invalid(message: str) -> ParleyError:
    return ParleyError("invalid_attributes", message)


def _check_value(*, key: str, value: object) -> AttributeValue | None:
    """A storable value (None: remove the key), or invalid_attributes."""
    if value is None or isinstance(value, bool | int):
        return value
    if isinstance(value, float):
        if not math.isfinite(value):
            raise _invalid(f"Attribute {key!r}: numbers must be finite.")
        return value
    if isinstance(value, str):
        limit = settings.PARLEY_VISITOR_ATTRIBUTE_VALUE_MAX_CHARS
        if len(value) > limit:
            raise _invalid(f"Attribute {key!r}: at most {limit} characters.")
        if not is_storable_text(value):
            raise _invalid(f"Attribute {key!r}: the text holds characters that cannot be stored.")
        return value
    raise _invalid(f"Attribute {key!r}: values are strings, numbers, booleans or null.")


def check_visitor_attributes(*, attributes: dict[str, object]) -> dict[str, AttributeValue | None]:
    """The attributes a page sent, each key and value checked (None values remove their key)."""
    limit = settings.PARLEY_VISITOR_ATTRIBUTES_MAX
    if len(attributes) > limit:
        raise _invalid(f"At most {limit} attributes.")
    checked: dict[str, AttributeValue | None] = {}
    for key, value in attributes.items():
        if not _KEY.fullmatch(key):
            raise _invalid("Attribute keys are a-z, then up to 39 of a-z, 0-9 and '_'.")
        checked[key] = _check_value(key=key, value=value)
    return checked


@transaction.atomic
def do_set_visitor_attributes(
    *, site_id: int, visitor_id: uuid.UUID, attributes: dict[str, AttributeValue | None]
) -> bool:
    """Merge checked attributes into the visitor's (None removes a key) and tell the site's agents;
    no write and no announcement when nothing changed. Returns whether anything changed."""
    visitor = Visitor.objects.select_for_update().filter(pk=visitor_id, site_id=site_id).first()
    if visitor is None:
        return False
    merged = {key: value for key, value in {**visitor.attributes, **attributes}.items() if value is not None}
    limit = settings.PARLEY_VISITOR_ATTRIBUTES_MAX
    if len(merged) > limit:
        raise _invalid(f"At most {limit} attributes per visitor.")
    if merged == visitor.attributes:
        return False
    visitor.attributes = merged
    visitor.save(update_fields=["attributes"])
    events.publish(
        [events.VisitorAttributesChanged(site_id=site_id, visitor_id=visitor_id, attributes=merged)]
    )
    return True
