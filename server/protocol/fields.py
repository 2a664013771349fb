"""The field types of client frames, each with what an `invalid_field` error says it must be."""

import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Annotated

from pydantic import AfterValidator, Field, PlainValidator, WithJsonSchema
from pydantic_core import PydanticCustomError

from server.conversations.resume import without_resume_token
from server.conversations.text import MAX_URL_CHARS, STORABLE_EXPECTATION, is_storable_text, page_title_text

# A full match everywhere: pydantic's Rust engine reads `$` as the end of the text (never before a final
# newline), and Python code uses it with fullmatch (validation.frame_ref). tests/security/test_identifiers.py
# holds both to it, so a switch to regex_engine="python-re" would fail there.
CLIENT_ID_PATTERN = r"^[A-Za-z0-9_-]{1,64}$"
MAX_SEQ = 2**31 - 1
# A generous bound: the body's real limit (PARLEY_MESSAGE_MAX_LENGTH) is a business rule in actions.
MAX_TEXT_FIELD_CHARS = 1_000_000

# The pydantic error type of every check written here; its message is the expectation itself.
INVALID_FIELD = "invalid_field"


@dataclass(frozen=True)
class Expect:
    """What an `invalid_field` error says a field must be, by pydantic error type where that differs."""

    message: str
    by_error: Mapping[str, str] = field(default_factory=dict)

    def describe(self, *, error_type: str, error_message: str) -> str:
        """The expectation that a pydantic error of this field breaks."""
        if error_type == INVALID_FIELD:
            return error_message
        return self.by_error.get(error_type, self.message)


def _invalid(expectation: str) -> PydanticCustomError:
    return PydanticCustomError(INVALID_FIELD, expectation)


def _storable(value: str) -> str:
    if not is_storable_text(value):
        raise _invalid(STORABLE_EXPECTATION)
    return value


UUID_EXPECTATION = "must be a UUID string"


def _uuid(value: object) -> uuid.UUID:
    # Python's own parser, not pydantic's: the forms it takes (braces, "urn:", dashes anywhere) stay accepted.
    if not isinstance(value, str) or len(value) > 36:
        raise _invalid(UUID_EXPECTATION)
    try:
        return uuid.UUID(value)
    except ValueError:
        raise _invalid(UUID_EXPECTATION) from None


def _url(value: object) -> str:
    if not isinstance(value, str):
        raise _invalid("must be a string")
    if value and not value.startswith(("http://", "https://")):
        raise _invalid("must be an http(s) URL")
    if not is_storable_text(value):
        raise _invalid(STORABLE_EXPECTATION)
    # A resume link's token (docs/offline.md) may ride in the address until the widget removes it.
    return without_resume_token(value)[:MAX_URL_CHARS]


Text = Annotated[
    str,
    Field(max_length=MAX_TEXT_FIELD_CHARS, description="Text without NUL characters or unpaired surrogates."),
    AfterValidator(_storable),
    # pydantic cannot read a lone surrogate as a string at all: that is the storable rule too.
    Expect("must be a string", {"string_unicode": STORABLE_EXPECTATION}),
]
Seq = Annotated[int, Field(strict=True, ge=0, le=MAX_SEQ), Expect("must be an integer >= 0")]
ClientId = Annotated[
    str,
    Field(
        pattern=CLIENT_ID_PATTERN,
        description="Chosen by the sender (a UUID is ideal), unique per conversation: a retried send "
        "returns the stored message instead of storing it twice.",
    ),
    Expect("must be 1-64 characters of A-Z, a-z, 0-9, '_' or '-'"),
]
ConversationId = Annotated[
    uuid.UUID,
    PlainValidator(_uuid),
    WithJsonSchema({"type": "string", "format": "uuid", "maxLength": 36}),
    Expect(UUID_EXPECTATION),
]
PageUrl = Annotated[
    str,
    PlainValidator(_url),
    WithJsonSchema({"type": "string", "description": "An http(s) URL (or empty); cut to 2000 characters."}),
    Expect("must be a string"),
]


def _page_title(value: object) -> str:
    if not isinstance(value, str):
        raise _invalid("must be a string")
    if not is_storable_text(value):
        raise _invalid(STORABLE_EXPECTATION)
    return page_title_text(value)


PageTitle = Annotated[
    str,
    PlainValidator(_page_title),
    WithJsonSchema({"type": "string", "description": "A page title; cut to 300 characters."}),
    Expect("must be a string"),
]
SHORTCUT_PATTERN = r"^[a-z0-9_-]{1,40}$"
Shortcut = Annotated[
    str,
    Field(pattern=SHORTCUT_PATTERN, description="1-40 characters of a-z, 0-9, '-' and '_'."),
    Expect("must be 1-40 characters of a-z, 0-9, '-' or '_'"),
]
_RECORD_ID = Annotated[int, Field(strict=True, ge=1, le=2**63 - 1)]
RecordId = Annotated[_RECORD_ID, Expect("must be an integer >= 1")]
OptionalRecordId = Annotated[_RECORD_ID | None, Expect("must be an integer >= 1 or null")]
VisitorId = ConversationId


SEARCH_MAX_CHARS = 200
CURSOR_MAX_CHARS = 200
# Optional fields (null: absent): an Expect cannot sit inside a union, so each is annotated whole.
OptionalSearch = Annotated[
    str | None,
    Field(max_length=SEARCH_MAX_CHARS),
    AfterValidator(lambda value: value if value is None else _storable(value)),
    Expect(
        f"must be a string of at most {SEARCH_MAX_CHARS} characters", {"string_unicode": STORABLE_EXPECTATION}
    ),
]
OptionalCursor = Annotated[
    str | None, Field(max_length=CURSOR_MAX_CHARS), Expect("must be a cursor from an inbox.page")
]
OptionalSiteId = Annotated[
    int | None, Field(strict=True, ge=1, le=MAX_SEQ), Expect("must be a site id (an integer >= 1) or null")
]


def _optional_uuid(value: object) -> uuid.UUID | None:
    return None if value is None else _uuid(value)


OptionalConversationId = Annotated[
    uuid.UUID | None,
    PlainValidator(_optional_uuid),
    WithJsonSchema({"anyOf": [{"type": "string", "format": "uuid", "maxLength": 36}, {"type": "null"}]}),
    Expect(UUID_EXPECTATION + " or null"),
]
# A preference left out (or null) keeps its value.
OptionalFlag = Annotated[bool | None, Field(strict=True), Expect("must be true, false or null")]
