"""validation.parse answers every client frame with the code, message and ref it has always had."""

import json
import uuid
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from server.errors import ParleyError
from server.protocol import validation
from server.protocol.frames import SessionRequest, Sync
from server.protocol.validation import OVERSIZED_FRAME_READ_FACTOR, ClientFrames, frame_ref

MAX_BYTES = 16384
CONVERSATION = "6f1c2b1e-0000-4000-8000-000000000000"
HEX = "6f1c2b1e000040008000000000000000"
SOCKETS: dict[str, ClientFrames[Any]] = {"visitor": validation.VISITOR, "agent": validation.AGENT}

Outcome = tuple[Any, ...]

# What a ping that names no page parses to (a visitor's may name its page: frames.Ping).
PING_DEFAULTS = {"page_url": "", "page_title": ""}


def outcome(run: Callable[[], Any]) -> Outcome:
    """("error", code, message, ref) when refused, else ("ok", type, fields)."""
    try:
        frame = run()
    except ParleyError as error:
        return ("error", error.code, error.message, error.ref)
    fields = frame.model_dump()
    return ("ok", fields.pop("type"), fields)


def answer(socket: str, text: str | None, *, max_bytes: int = MAX_BYTES) -> Outcome:
    """The protocol models' answer to one frame."""
    bytes_data = b"\x00" if text is None else None
    return outcome(
        lambda: validation.parse(
            text_data=text, bytes_data=bytes_data, frames=SOCKETS[socket], max_bytes=max_bytes
        )
    )


def frame(**fields: Any) -> str:
    """A frame's JSON text (\\u escapes for anything not ASCII, as browsers may send)."""
    return json.dumps(fields)


# Each frame (None: a binary one) and its answer: ("error", code, message, ref), or ("ok", type, fields).
# Frozen from the hand-written parser the models replaced, which gave every one of these answers.
CASES: list[tuple[str, str | None, Outcome]] = [
    ("visitor", None, ("error", "bad_frame", "Frames must be JSON text, not binary.", None)),
    ("visitor", "not json", ("error", "bad_frame", "The frame is not valid JSON.", None)),
    ("visitor", "[1, 2]", ("error", "bad_frame", "A frame is a JSON object with a string 'type'.", None)),
    (
        "visitor",
        '{"no": "type"}',
        ("error", "bad_frame", "A frame is a JSON object with a string 'type'.", None),
    ),
    (
        "visitor",
        '{"type": 5}',
        ("error", "bad_frame", "A frame is a JSON object with a string 'type'.", None),
    ),
    (
        "visitor",
        '{"type": null, "client_id": "c"}',
        ("error", "bad_frame", "A frame is a JSON object with a string 'type'.", None),
    ),
    (
        "visitor",
        '{"type": "message.send"} trailing',
        ("error", "bad_frame", "The frame is not valid JSON.", None),
    ),
    (
        "visitor",
        '{"type": "launch.missiles"}',
        ("error", "unknown_type", "Unknown frame type 'launch.missiles'.", None),
    ),
    (
        "visitor",
        frame(type="conversation.open", conversation_id=CONVERSATION),
        ("error", "unknown_type", "Unknown frame type 'conversation.open'.", None),
    ),
    ("agent", frame(type="hello", token="t"), ("error", "unknown_type", "Unknown frame type 'hello'.", None)),
    (
        "visitor",
        frame(type="x" * 100),
        ("error", "unknown_type", "Unknown frame type 'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx'.", None),
    ),
    (
        "visitor",
        frame(type="message.send", body="x"),
        ("error", "invalid_field", "Field 'client_id' is required.", "message.send"),
    ),
    (
        "visitor",
        frame(type="message.send", client_id="has spaces", body="x"),
        (
            "error",
            "invalid_field",
            "Field 'client_id' must be 1-64 characters of A-Z, a-z, 0-9, '_' or '-'.",
            "message.send",
        ),
    ),
    (
        "visitor",
        frame(type="message.send", client_id="", body="x"),
        (
            "error",
            "invalid_field",
            "Field 'client_id' must be 1-64 characters of A-Z, a-z, 0-9, '_' or '-'.",
            "message.send",
        ),
    ),
    (
        "visitor",
        frame(type="message.send", client_id="c" * 65, body="x"),
        (
            "error",
            "invalid_field",
            "Field 'client_id' must be 1-64 characters of A-Z, a-z, 0-9, '_' or '-'.",
            "message.send",
        ),
    ),
    (
        "visitor",
        frame(type="message.send", client_id="\u00e9", body="x"),
        (
            "error",
            "invalid_field",
            "Field 'client_id' must be 1-64 characters of A-Z, a-z, 0-9, '_' or '-'.",
            "message.send",
        ),
    ),
    (
        "visitor",
        frame(type="message.send", client_id=7, body="x"),
        (
            "error",
            "invalid_field",
            "Field 'client_id' must be 1-64 characters of A-Z, a-z, 0-9, '_' or '-'.",
            "message.send",
        ),
    ),
    (
        "visitor",
        frame(type="message.send", client_id="\ud800", body="x"),
        (
            "error",
            "invalid_field",
            "Field 'client_id' must be 1-64 characters of A-Z, a-z, 0-9, '_' or '-'.",
            "message.send",
        ),
    ),
    (
        "visitor",
        frame(type="message.send", client_id="c-2", body=42),
        ("error", "invalid_field", "Field 'body' must be a string.", "c-2"),
    ),
    (
        "visitor",
        frame(type="message.send", client_id="c-2", body=None),
        ("error", "invalid_field", "Field 'body' is required.", "c-2"),
    ),
    (
        "visitor",
        frame(type="message.send", client_id="c-2", body=["x"]),
        ("error", "invalid_field", "Field 'body' must be a string.", "c-2"),
    ),
    (
        "visitor",
        frame(type="message.send", client_id="c-1", body="a\u0000b"),
        (
            "error",
            "invalid_field",
            "Field 'body' must be text without NUL characters or unpaired surrogates.",
            "c-1",
        ),
    ),
    (
        "visitor",
        frame(type="message.send", client_id="c-1", body="\ud800"),
        (
            "error",
            "invalid_field",
            "Field 'body' must be text without NUL characters or unpaired surrogates.",
            "c-1",
        ),
    ),
    (
        "visitor",
        frame(type="message.send", client_id="c-1", body="a\udc00\ud800b"),
        (
            "error",
            "invalid_field",
            "Field 'body' must be text without NUL characters or unpaired surrogates.",
            "c-1",
        ),
    ),
    (
        "visitor",
        frame(type="message.send", client_id="c-1", body="   "),
        ("ok", "message.send", {"client_id": "c-1", "body": "   "}),
    ),
    (
        "visitor",
        frame(type="message.send", client_id="c-1", body="\U0001f600 h\u00e9"),
        ("ok", "message.send", {"client_id": "c-1", "body": "😀 hé"}),
    ),
    (
        "visitor",
        frame(type="message.send", client_id="c-1", body="x", extra={"a": [1]}),
        ("ok", "message.send", {"client_id": "c-1", "body": "x"}),
    ),
    (
        "visitor",
        '{"type": "message.send", "client_id": "c-1", "body": "x", "n": NaN}',
        ("ok", "message.send", {"client_id": "c-1", "body": "x"}),
    ),
    (
        "visitor",
        '{"type": "message.send", "client_id": "c-1", "body": "x", "n": 1E400}',
        ("ok", "message.send", {"client_id": "c-1", "body": "x"}),
    ),
    ("visitor", '{"type": "ping", "x": "\\ud800"}', ("ok", "ping", PING_DEFAULTS)),
    ("visitor", '{"type": "ping", "x": ' + "[" * 500 + "]" * 500 + "}", ("ok", "ping", PING_DEFAULTS)),
    (
        "visitor",
        '{"type": "ping", "x": ' + "[" * 5000 + "]" * 5000 + "}",
        ("error", "bad_frame", "The frame is not valid JSON.", None),
    ),
    (
        "visitor",
        '{"type": "message.send", "client_id": "c-1", "body": 1, "body": "x"}',
        ("ok", "message.send", {"client_id": "c-1", "body": "x"}),
    ),
    (
        "visitor",
        frame(type="hello", token="t"),
        (("ok", "hello", {"token": "t", "last_seq": 0, "page_url": "", "conversation_id": None})),
    ),
    (
        "visitor",
        frame(type="hello", token="t", last_seq=None, page_url=None),
        (("ok", "hello", {"token": "t", "last_seq": 0, "page_url": "", "conversation_id": None})),
    ),
    (
        "visitor",
        frame(type="hello", token=None),
        ("error", "invalid_field", "Field 'token' is required.", "hello"),
    ),
    ("visitor", frame(type="hello"), ("error", "invalid_field", "Field 'token' is required.", "hello")),
    (
        "visitor",
        frame(type="hello", token="t", last_seq=-1),
        ("error", "invalid_field", "Field 'last_seq' must be an integer >= 0.", "hello"),
    ),
    (
        "visitor",
        frame(type="hello", token="t", last_seq=2**31 - 1),
        (("ok", "hello", {"token": "t", "last_seq": 2147483647, "page_url": "", "conversation_id": None})),
    ),
    (
        "visitor",
        frame(type="hello", token="t", last_seq=2**31),
        ("error", "invalid_field", "Field 'last_seq' must be an integer >= 0.", "hello"),
    ),
    (
        "visitor",
        frame(type="hello", token="t", last_seq=10**30),
        ("error", "invalid_field", "Field 'last_seq' must be an integer >= 0.", "hello"),
    ),
    (
        "visitor",
        frame(type="hello", token="t", last_seq=True),
        ("error", "invalid_field", "Field 'last_seq' must be an integer >= 0.", "hello"),
    ),
    (
        "visitor",
        frame(type="hello", token="t", last_seq=1.0),
        ("error", "invalid_field", "Field 'last_seq' must be an integer >= 0.", "hello"),
    ),
    (
        "visitor",
        frame(type="hello", token="t", last_seq="1"),
        ("error", "invalid_field", "Field 'last_seq' must be an integer >= 0.", "hello"),
    ),
    (
        "visitor",
        '{"type": "hello", "token": "t", "last_seq": -0}',
        (("ok", "hello", {"token": "t", "last_seq": 0, "page_url": "", "conversation_id": None})),
    ),
    (
        "visitor",
        frame(type="hello", token="t", page_url="https://shop.test/" + "p" * 3000),
        (
            (
                "ok",
                "hello",
                {
                    "token": "t",
                    "last_seq": 0,
                    "page_url": "https://shop.test/" + "p" * 1982,
                    "conversation_id": None,
                },
            )
        ),
    ),
    (
        "visitor",
        frame(type="hello", token="t", page_url=""),
        (("ok", "hello", {"token": "t", "last_seq": 0, "page_url": "", "conversation_id": None})),
    ),
    (
        "visitor",
        frame(type="hello", token="t", page_url="ftp://shop.test/"),
        ("error", "invalid_field", "Field 'page_url' must be an http(s) URL.", "hello"),
    ),
    (
        "visitor",
        frame(type="hello", token="t", page_url="\ud800"),
        ("error", "invalid_field", "Field 'page_url' must be an http(s) URL.", "hello"),
    ),
    (
        "visitor",
        frame(type="hello", token="t", page_url="http://a/\ud800"),
        (
            "error",
            "invalid_field",
            "Field 'page_url' must be text without NUL characters or unpaired surrogates.",
            "hello",
        ),
    ),
    (
        "visitor",
        frame(type="hello", token="t", page_url="http://a/\u0000"),
        (
            "error",
            "invalid_field",
            "Field 'page_url' must be text without NUL characters or unpaired surrogates.",
            "hello",
        ),
    ),
    (
        "visitor",
        frame(type="hello", token="t", page_url=5),
        ("error", "invalid_field", "Field 'page_url' must be a string.", "hello"),
    ),
    (
        "visitor",
        frame(type="hello", token="t\u0000"),
        (
            "error",
            "invalid_field",
            "Field 'token' must be text without NUL characters or unpaired surrogates.",
            "hello",
        ),
    ),
    (
        "visitor",
        frame(type="sync", conversation_id="nope", after_seq=0),
        ("error", "invalid_field", "Field 'conversation_id' must be a UUID string.", "sync"),
    ),
    (
        "visitor",
        frame(type="sync", conversation_id=CONVERSATION, after_seq=-1),
        ("error", "invalid_field", "Field 'after_seq' must be an integer >= 0.", "sync"),
    ),
    (
        "visitor",
        frame(type="sync", conversation_id=CONVERSATION),
        ("error", "invalid_field", "Field 'after_seq' is required.", "sync"),
    ),
    (
        "visitor",
        frame(type="sync", conversation_id=CONVERSATION, after_seq=0),
        ("ok", "sync", {"conversation_id": uuid.UUID(CONVERSATION), "after_seq": 0}),
    ),
    (
        "visitor",
        frame(type="sync", conversation_id=CONVERSATION.upper(), after_seq=0),
        ("ok", "sync", {"conversation_id": uuid.UUID(CONVERSATION), "after_seq": 0}),
    ),
    (
        "visitor",
        frame(type="sync", conversation_id=HEX, after_seq=0),
        ("ok", "sync", {"conversation_id": uuid.UUID(CONVERSATION), "after_seq": 0}),
    ),
    (
        "visitor",
        frame(type="sync", conversation_id="{" + HEX + "}", after_seq=0),
        ("ok", "sync", {"conversation_id": uuid.UUID(CONVERSATION), "after_seq": 0}),
    ),
    (
        "visitor",
        frame(type="sync", conversation_id="urn:" + HEX, after_seq=0),
        ("ok", "sync", {"conversation_id": uuid.UUID(CONVERSATION), "after_seq": 0}),
    ),
    (
        "visitor",
        frame(type="sync", conversation_id="{" + CONVERSATION + "}", after_seq=0),
        ("error", "invalid_field", "Field 'conversation_id' must be a UUID string.", "sync"),
    ),
    (
        "visitor",
        frame(type="sync", conversation_id=1, after_seq=0),
        ("error", "invalid_field", "Field 'conversation_id' must be a UUID string.", "sync"),
    ),
    (
        "visitor",
        frame(type="sync", conversation_id="nope", after_seq=-1),
        ("error", "invalid_field", "Field 'conversation_id' must be a UUID string.", "sync"),
    ),
    (
        "agent",
        frame(type="conversation.open", conversation_id=CONVERSATION),
        ("ok", "conversation.open", {"conversation_id": uuid.UUID(CONVERSATION), "after_seq": 0}),
    ),
    (
        "agent",
        frame(type="conversation.open", conversation_id=CONVERSATION, after_seq=None),
        ("ok", "conversation.open", {"conversation_id": uuid.UUID(CONVERSATION), "after_seq": 0}),
    ),
    (
        "agent",
        frame(type="conversation.open", conversation_id=None),
        ("error", "invalid_field", "Field 'conversation_id' is required.", "conversation.open"),
    ),
    (
        "agent",
        frame(type="conversation.leave", conversation_id=CONVERSATION),
        ("ok", "conversation.leave", {"conversation_id": uuid.UUID(CONVERSATION)}),
    ),
    (
        "agent",
        frame(type="conversation.read", conversation_id=CONVERSATION, seq=3),
        ("ok", "conversation.read", {"conversation_id": uuid.UUID(CONVERSATION), "seq": 3}),
    ),
    (
        "agent",
        frame(type="conversation.read", conversation_id=CONVERSATION, seq=-3),
        ("error", "invalid_field", "Field 'seq' must be an integer >= 0.", "conversation.read"),
    ),
    (
        "agent",
        frame(type="message.send", conversation_id=CONVERSATION, client_id="c-9", body="x"),
        ("ok", "message.send", {"conversation_id": uuid.UUID(CONVERSATION), "client_id": "c-9", "body": "x"}),
    ),
    (
        "agent",
        frame(type="message.send", conversation_id="x", client_id="bad id", body=1),
        ("error", "invalid_field", "Field 'conversation_id' must be a UUID string.", "message.send"),
    ),
    (
        "agent",
        frame(type="message.send", conversation_id="x", client_id="c-9", body="x"),
        ("error", "invalid_field", "Field 'conversation_id' must be a UUID string.", "c-9"),
    ),
    (
        "agent",
        frame(type="message.send", client_id="c-9", body="x"),
        ("error", "invalid_field", "Field 'conversation_id' is required.", "c-9"),
    ),
    ("agent", frame(type="ping"), ("ok", "ping", PING_DEFAULTS)),
    # Over PARLEY_FRAME_MAX_BYTES (16 KiB), and still read to be named, up to eight times that.
    (
        "visitor",
        frame(type="message.send", client_id="c-3", body="\u0001" * 4000),
        ("error", "frame_too_large", "Frames are limited to 16384 bytes.", "c-3"),
    ),
    (
        "visitor",
        frame(type="message.send", client_id="c-4", body="x" * 140_000),
        ("error", "frame_too_large", "Frames are limited to 16384 bytes.", None),
    ),
    (
        "visitor",
        frame(type=[], client_id="c-5", body="x" * 20_000),
        ("error", "frame_too_large", "Frames are limited to 16384 bytes.", None),
    ),
    (
        "visitor",
        frame(type="nope", client_id="c-5", body="x" * 20_000),
        ("error", "frame_too_large", "Frames are limited to 16384 bytes.", None),
    ),
    (
        "visitor",
        frame(type="ping", client_id="bad id", x="x" * 20_000),
        ("error", "frame_too_large", "Frames are limited to 16384 bytes.", "ping"),
    ),
    (
        "visitor",
        json.dumps({"type": "ping", "x": "\u00e9" * 9000}, ensure_ascii=False),
        ("error", "frame_too_large", "Frames are limited to 16384 bytes.", "ping"),
    ),
]


@pytest.mark.parametrize(("socket", "text", "expected"), CASES)
def test_each_frame_gets_its_answer(socket, text, expected):
    """Code, message and ref of every refusal, and the fields of every accepted frame."""
    assert answer(socket, text) == expected


def test_the_refused_field_is_named_with_what_it_must_be():
    """The message names the first refused field, in the order the fields are checked."""
    new = answer("agent", frame(type="message.send", conversation_id="x", client_id="bad id", body=1))
    assert new[2] == "Field 'conversation_id' must be a UUID string."
    new = answer("visitor", frame(type="hello", token="t", page_url="\ud800"))
    assert new[2] == "Field 'page_url' must be an http(s) URL."
    new = answer("visitor", frame(type="message.send", client_id="c", body="\ud800"))
    assert new[2] == "Field 'body' must be text without NUL characters or unpaired surrogates."


def test_a_long_page_url_is_cut_to_what_is_stored():
    """page_url is accepted past 2000 characters and cut there."""
    new = answer("visitor", frame(type="hello", token="t", page_url="https://a/" + "p" * 3000))
    assert len(new[2]["page_url"]) == 2000


def test_a_client_id_with_a_trailing_newline_is_refused():
    """Unlike a `^...$` regex, which lets "c-1\\n" through and names a frame by it."""
    text = frame(type="message.send", client_id="c-1\n", body="x")
    assert answer("visitor", text) == ("error", "invalid_field", _client_id_message(), "message.send")
    assert frame_ref(frame_type="message.send", client_id="c-1\n") == "message.send"


def _client_id_message() -> str:
    return "Field 'client_id' must be 1-64 characters of A-Z, a-z, 0-9, '_' or '-'."


def test_the_frame_limit_counts_utf8_bytes():
    """A frame within the limit in characters but over it in UTF-8 bytes is too large."""
    text = json.dumps({"type": "ping", "x": "\u00e9" * 60}, ensure_ascii=False)
    new = answer("visitor", text, max_bytes=100)
    assert new == ("error", "frame_too_large", "Frames are limited to 100 bytes.", "ping")


def test_accepted_frames_are_their_models():
    """The value parse returns is the frame's model, its UUID fields parsed."""
    parsed = validation.parse(
        text_data=frame(type="sync", conversation_id=CONVERSATION, after_seq=2),
        bytes_data=None,
        frames=validation.AGENT,
        max_bytes=MAX_BYTES,
    )
    assert isinstance(parsed, Sync)
    assert parsed.conversation_id == uuid.UUID(CONVERSATION)


# --- Fuzzing: every JSON object gets an answer that keeps the protocol's rules ----------------------------

FRAME_TYPES = [
    *sorted(set(validation.VISITOR.models) | set(validation.AGENT.models)),
    "",
    "message.new",
    "Ping",
]
FIELD_NAMES = ["token", "last_seq", "page_url", "client_id", "body", "conversation_id", "after_seq", "seq"]
strings = st.one_of(
    st.text(max_size=80),
    st.sampled_from(
        [
            CONVERSATION,
            HEX,
            "{" + HEX + "}",
            "urn:" + HEX,
            " " + HEX[1:],
            "https://shop.test/a",
            "http://",
            "ftp://x",
            "c-1",
            "c-1\n",
            "a\x00b",
            "\ud800",
            "",
        ]
    ),
    st.from_regex(r"[A-Za-z0-9_-]{1,70}", fullmatch=True),
)
numbers = st.one_of(
    st.integers(min_value=-3, max_value=3),
    st.sampled_from([2**31 - 1, 2**31, 10**20, -(10**20)]),
    st.floats(allow_nan=False, allow_infinity=False),
    st.booleans(),
)
scalars = st.one_of(st.none(), strings, numbers)
values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3),
)
objects = st.fixed_dictionaries(
    {"type": st.one_of(st.sampled_from(FRAME_TYPES), values)},
    optional={
        **{name: values for name in FIELD_NAMES},
        "extra": values,
    },
)


@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    socket=st.sampled_from(sorted(SOCKETS)),
    fields=objects,
    ensure_ascii=st.booleans(),
    max_bytes=st.sampled_from([MAX_BYTES, MAX_BYTES, 60]),
)
@example(
    socket="visitor",
    fields={"type": "hello", "token": "t", "page_url": None},
    ensure_ascii=True,
    max_bytes=MAX_BYTES,
)
def test_every_json_object_gets_an_answer_by_the_rules(socket, fields, ensure_ascii, max_bytes):
    """Any JSON object is accepted as its type's model or refused with a ParleyError naming it by the rules.

    No other exception escapes; a frame that was read is named by its valid client_id, else its type; one
    that could not be read (no known type) is named by nothing.
    """
    text = json.dumps(fields, ensure_ascii=ensure_ascii)
    # A WebSocket text frame is UTF-8: a lone surrogate can arrive escaped, never raw.
    if not ensure_ascii and any(0xD800 <= ord(char) <= 0xDFFF for char in text):
        return
    frames = SOCKETS[socket]
    new = answer(socket, text, max_bytes=max_bytes)
    frame_type = fields["type"]
    known = isinstance(frame_type, str) and frame_type in frames.models
    named = frame_ref(frame_type=frame_type, client_id=fields.get("client_id")) if known else None
    if new[0] == "ok":
        assert known
        assert new[1] == frame_type
        assert len(text.encode("utf-8")) <= max_bytes
        return
    code, ref = new[1], new[3]
    if code == "frame_too_large":
        assert len(text.encode("utf-8")) > max_bytes
        # Read to be named only up to a few times the limit.
        assert ref == (named if len(text) <= OVERSIZED_FRAME_READ_FACTOR * max_bytes else None)
    elif code == "invalid_field":
        assert known
        assert ref == named
        assert new[2].startswith("Field '")
    else:
        assert (code, ref) == ("unknown_type" if isinstance(frame_type, str) else "bad_frame", None)


# --- HTTP bodies (parse_body) -----------------------------------------------------------------------------


# A session request's context for the agents' sidebar, all absent.
NO_CONTEXT = {"page_title": None, "referrer": None, "timezone": None, "language": None, "identity": None}


def body_outcome(body: bytes) -> Outcome:
    """("error", code, message) when refused, else ("ok", fields)."""
    try:
        parsed = validation.parse_body(body=body, model=SessionRequest)
    except ParleyError as error:
        return ("error", error.code, error.message)
    return ("ok", parsed.model_dump())


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (b"", ("ok", {"visitor_token": None, "page_url": None, **NO_CONTEXT})),
        (b'{"visitor_token": "t", "x": 1}', ("ok", {"visitor_token": "t", "page_url": None, **NO_CONTEXT})),
        (
            b'{"page_url": "https://a/\\ud800"}',
            ("ok", {"visitor_token": None, "page_url": "https://a/\ud800", **NO_CONTEXT}),
        ),
        (
            b'{"page_title": "Shoes", "timezone": "Europe/Paris"}',
            (
                "ok",
                {
                    **NO_CONTEXT,
                    "visitor_token": None,
                    "page_url": None,
                    "page_title": "Shoes",
                    "timezone": "Europe/Paris",
                },
            ),
        ),
        (b'{"language": 7}', ("error", "invalid_field", "Field 'language' must be a string or null.")),
        (b"[]", ("error", "invalid_json", "The body must be a JSON object.")),
        (b"nope", ("error", "invalid_json", "The body is not valid JSON.")),
        (b"[" * 3000 + b"]" * 3000, ("error", "invalid_json", "The body is not valid JSON.")),
        (
            b'{"visitor_token": 1}',
            ("error", "invalid_field", "Field 'visitor_token' must be a string or null."),
        ),
        (b'{"page_url": NaN}', ("error", "invalid_field", "Field 'page_url' must be a string or null.")),
        (b'{"identity": "u-42"}', ("error", "invalid_field", "Field 'identity' must be an object or null.")),
        (
            b'{"identity": {"user_id": 42}}',
            (
                "error",
                "invalid_field",
                "Field 'identity.user_id' must be a string of at most 255 characters, or null.",
            ),
        ),
        (
            b'{"identity": {"user_id": "u-42", "user_hash": "ab", "plan": "pro"}}',
            (
                "ok",
                {
                    "visitor_token": None,
                    "page_url": None,
                    **NO_CONTEXT,
                    "identity": {
                        "user_id": "u-42",
                        "email": None,
                        "name": None,
                        "user_hash": "ab",
                        "token": None,
                    },
                },
            ),
        ),
    ],
)
def test_a_body_gets_its_answer(body, expected):
    """Each HTTP body → its fields, or invalid_json / invalid_field naming the field."""
    assert body_outcome(body) == expected


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.one_of(
        st.binary(max_size=200),
        st.recursive(st.none() | st.integers() | st.text(), st.lists).map(
            lambda value: json.dumps({"visitor_token": value}).encode()
        ),
    )
)
def test_any_body_is_read_or_refused_with_a_documented_code(body):
    """Any bytes → a SessionRequest or invalid_json / invalid_field, never another exception."""
    result = body_outcome(body)
    assert result[0] == "ok" or result[1] in {"invalid_json", "invalid_field"}
