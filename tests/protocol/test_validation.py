"""validation.parse answers every client frame exactly as today's server.realtime.frames.parse_frame does."""

import json
import uuid
from collections.abc import Callable, Mapping
from typing import Any

import pytest
from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st

from server.errors import ParleyError
from server.protocol import validation
from server.protocol.frames import Sync
from server.protocol.validation import ClientFrames, frame_ref
from server.realtime.frames import AGENT_FRAMES, VISITOR_FRAMES, FrameSpec, parse_frame

MAX_BYTES = 16384
CONVERSATION = "6f1c2b1e-0000-4000-8000-000000000000"
HEX = "6f1c2b1e000040008000000000000000"
SOCKETS: dict[str, tuple[Mapping[str, FrameSpec], ClientFrames[Any]]] = {
    "visitor": (VISITOR_FRAMES, validation.VISITOR),
    "agent": (AGENT_FRAMES, validation.AGENT),
}

Outcome = tuple[Any, ...]


def outcome(run: Callable[[], Any]) -> Outcome:
    """("error", code, message, ref) when refused, else ("ok", type, fields)."""
    try:
        frame = run()
    except ParleyError as error:
        return ("error", error.code, error.message, error.ref)
    if hasattr(frame, "data"):  # today's Frame
        return ("ok", frame.type, frame.data)
    fields = frame.model_dump()
    return ("ok", fields.pop("type"), fields)


def both(socket: str, text: str | None, *, max_bytes: int = MAX_BYTES) -> tuple[Outcome, Outcome]:
    """Today's answer and the protocol models' answer to one frame."""
    specs, frames = SOCKETS[socket]
    bytes_data = b"\x00" if text is None else None
    today = outcome(
        lambda: parse_frame(text_data=text, bytes_data=bytes_data, specs=specs, max_bytes=max_bytes)
    )
    new = outcome(
        lambda: validation.parse(text_data=text, bytes_data=bytes_data, frames=frames, max_bytes=max_bytes)
    )
    return today, new


def frame(**fields: Any) -> str:
    """A frame's JSON text (\\u escapes for anything not ASCII, as browsers may send)."""
    return json.dumps(fields)


CASES: list[tuple[str, str | None, Outcome]] = [
    # (socket, frame text or None for binary, the expected answer's code and ref, or "ok" and the type)
    ("visitor", None, ("bad_frame", None)),
    ("visitor", "not json", ("bad_frame", None)),
    ("visitor", "[1, 2]", ("bad_frame", None)),
    ("visitor", '{"no": "type"}', ("bad_frame", None)),
    ("visitor", '{"type": 5}', ("bad_frame", None)),
    ("visitor", '{"type": null, "client_id": "c"}', ("bad_frame", None)),
    ("visitor", '{"type": "message.send"} trailing', ("bad_frame", None)),
    ("visitor", '{"type": "launch.missiles"}', ("unknown_type", None)),
    ("visitor", frame(type="conversation.open", conversation_id=CONVERSATION), ("unknown_type", None)),
    ("agent", frame(type="hello", token="t"), ("unknown_type", None)),
    ("visitor", frame(type="x" * 100), ("unknown_type", None)),
    ("visitor", frame(type="message.send", body="x"), ("invalid_field", "message.send")),
    (
        "visitor",
        frame(type="message.send", client_id="has spaces", body="x"),
        ("invalid_field", "message.send"),
    ),
    ("visitor", frame(type="message.send", client_id="", body="x"), ("invalid_field", "message.send")),
    ("visitor", frame(type="message.send", client_id="c" * 65, body="x"), ("invalid_field", "message.send")),
    ("visitor", frame(type="message.send", client_id="\u00e9", body="x"), ("invalid_field", "message.send")),
    ("visitor", frame(type="message.send", client_id=7, body="x"), ("invalid_field", "message.send")),
    ("visitor", frame(type="message.send", client_id="\ud800", body="x"), ("invalid_field", "message.send")),
    ("visitor", frame(type="message.send", client_id="c-2", body=42), ("invalid_field", "c-2")),
    ("visitor", frame(type="message.send", client_id="c-2", body=None), ("invalid_field", "c-2")),
    ("visitor", frame(type="message.send", client_id="c-2", body=["x"]), ("invalid_field", "c-2")),
    ("visitor", frame(type="message.send", client_id="c-1", body="a\u0000b"), ("invalid_field", "c-1")),
    ("visitor", frame(type="message.send", client_id="c-1", body="\ud800"), ("invalid_field", "c-1")),
    ("visitor", frame(type="message.send", client_id="c-1", body="a\udc00\ud800b"), ("invalid_field", "c-1")),
    ("visitor", frame(type="message.send", client_id="c-1", body="   "), ("ok", "message.send")),
    (
        "visitor",
        frame(type="message.send", client_id="c-1", body="\U0001f600 h\u00e9"),
        ("ok", "message.send"),
    ),
    (
        "visitor",
        frame(type="message.send", client_id="c-1", body="x", extra={"a": [1]}),
        ("ok", "message.send"),
    ),
    (
        "visitor",
        '{"type": "message.send", "client_id": "c-1", "body": "x", "n": NaN}',
        ("ok", "message.send"),
    ),
    (
        "visitor",
        '{"type": "message.send", "client_id": "c-1", "body": "x", "n": 1E400}',
        ("ok", "message.send"),
    ),
    ("visitor", '{"type": "ping", "x": "\\ud800"}', ("ok", "ping")),
    ("visitor", '{"type": "ping", "x": ' + "[" * 500 + "]" * 500 + "}", ("ok", "ping")),
    ("visitor", '{"type": "ping", "x": ' + "[" * 5000 + "]" * 5000 + "}", ("bad_frame", None)),
    (
        "visitor",
        '{"type": "message.send", "client_id": "c-1", "body": 1, "body": "x"}',
        ("ok", "message.send"),
    ),
    ("visitor", frame(type="hello", token="t"), ("ok", "hello")),
    ("visitor", frame(type="hello", token="t", last_seq=None, page_url=None), ("ok", "hello")),
    ("visitor", frame(type="hello", token=None), ("invalid_field", "hello")),
    ("visitor", frame(type="hello"), ("invalid_field", "hello")),
    ("visitor", frame(type="hello", token="t", last_seq=-1), ("invalid_field", "hello")),
    ("visitor", frame(type="hello", token="t", last_seq=2**31 - 1), ("ok", "hello")),
    ("visitor", frame(type="hello", token="t", last_seq=2**31), ("invalid_field", "hello")),
    ("visitor", frame(type="hello", token="t", last_seq=10**30), ("invalid_field", "hello")),
    ("visitor", frame(type="hello", token="t", last_seq=True), ("invalid_field", "hello")),
    ("visitor", frame(type="hello", token="t", last_seq=1.0), ("invalid_field", "hello")),
    ("visitor", frame(type="hello", token="t", last_seq="1"), ("invalid_field", "hello")),
    ("visitor", '{"type": "hello", "token": "t", "last_seq": -0}', ("ok", "hello")),
    ("visitor", frame(type="hello", token="t", page_url="https://shop.test/" + "p" * 3000), ("ok", "hello")),
    ("visitor", frame(type="hello", token="t", page_url=""), ("ok", "hello")),
    ("visitor", frame(type="hello", token="t", page_url="ftp://shop.test/"), ("invalid_field", "hello")),
    ("visitor", frame(type="hello", token="t", page_url="\ud800"), ("invalid_field", "hello")),
    ("visitor", frame(type="hello", token="t", page_url="http://a/\ud800"), ("invalid_field", "hello")),
    ("visitor", frame(type="hello", token="t", page_url="http://a/\u0000"), ("invalid_field", "hello")),
    ("visitor", frame(type="hello", token="t", page_url=5), ("invalid_field", "hello")),
    ("visitor", frame(type="hello", token="t\u0000"), ("invalid_field", "hello")),
    ("visitor", frame(type="sync", conversation_id="nope", after_seq=0), ("invalid_field", "sync")),
    ("visitor", frame(type="sync", conversation_id=CONVERSATION, after_seq=-1), ("invalid_field", "sync")),
    ("visitor", frame(type="sync", conversation_id=CONVERSATION), ("invalid_field", "sync")),
    ("visitor", frame(type="sync", conversation_id=CONVERSATION, after_seq=0), ("ok", "sync")),
    ("visitor", frame(type="sync", conversation_id=CONVERSATION.upper(), after_seq=0), ("ok", "sync")),
    ("visitor", frame(type="sync", conversation_id=HEX, after_seq=0), ("ok", "sync")),
    ("visitor", frame(type="sync", conversation_id="{" + HEX + "}", after_seq=0), ("ok", "sync")),
    ("visitor", frame(type="sync", conversation_id="urn:" + HEX, after_seq=0), ("ok", "sync")),
    (
        "visitor",
        frame(type="sync", conversation_id="{" + CONVERSATION + "}", after_seq=0),
        ("invalid_field", "sync"),
    ),
    ("visitor", frame(type="sync", conversation_id=1, after_seq=0), ("invalid_field", "sync")),
    ("visitor", frame(type="sync", conversation_id="nope", after_seq=-1), ("invalid_field", "sync")),
    ("agent", frame(type="conversation.open", conversation_id=CONVERSATION), ("ok", "conversation.open")),
    (
        "agent",
        frame(type="conversation.open", conversation_id=CONVERSATION, after_seq=None),
        ("ok", "conversation.open"),
    ),
    ("agent", frame(type="conversation.open", conversation_id=None), ("invalid_field", "conversation.open")),
    ("agent", frame(type="conversation.leave", conversation_id=CONVERSATION), ("ok", "conversation.leave")),
    (
        "agent",
        frame(type="conversation.read", conversation_id=CONVERSATION, seq=3),
        ("ok", "conversation.read"),
    ),
    (
        "agent",
        frame(type="conversation.read", conversation_id=CONVERSATION, seq=-3),
        ("invalid_field", "conversation.read"),
    ),
    (
        "agent",
        frame(type="message.send", conversation_id=CONVERSATION, client_id="c-9", body="x"),
        ("ok", "message.send"),
    ),
    (
        "agent",
        frame(type="message.send", conversation_id="x", client_id="bad id", body=1),
        ("invalid_field", "message.send"),
    ),
    (
        "agent",
        frame(type="message.send", conversation_id="x", client_id="c-9", body="x"),
        ("invalid_field", "c-9"),
    ),
    ("agent", frame(type="message.send", client_id="c-9", body="x"), ("invalid_field", "c-9")),
    ("agent", frame(type="ping"), ("ok", "ping")),
    # Over PARLEY_FRAME_MAX_BYTES (16 KiB), and still read to be named, up to eight times that.
    (
        "visitor",
        frame(type="message.send", client_id="c-3", body="\u0001" * 4000),
        ("frame_too_large", "c-3"),
    ),
    ("visitor", frame(type="message.send", client_id="c-4", body="x" * 140_000), ("frame_too_large", None)),
    ("visitor", frame(type=[], client_id="c-5", body="x" * 20_000), ("frame_too_large", None)),
    ("visitor", frame(type="nope", client_id="c-5", body="x" * 20_000), ("frame_too_large", None)),
    ("visitor", frame(type="ping", client_id="bad id", x="x" * 20_000), ("frame_too_large", "ping")),
    (
        "visitor",
        json.dumps({"type": "ping", "x": "\u00e9" * 9000}, ensure_ascii=False),
        ("frame_too_large", "ping"),
    ),
]


@pytest.mark.parametrize(("socket", "text", "expected"), CASES)
def test_each_frame_gets_the_answer_it_gets_today(socket, text, expected):
    """Code, message and ref of every refusal, and the fields of every accepted frame, are today's."""
    today, new = both(socket, text)
    assert new == today
    if expected[0] == "ok":
        assert new[:2] == expected
    else:
        assert (new[1], new[3]) == expected


def test_the_refused_field_is_named_with_what_it_must_be():
    """The message names the first refused field, in the order the fields are checked."""
    _, new = both("agent", frame(type="message.send", conversation_id="x", client_id="bad id", body=1))
    assert new[2] == "Field 'conversation_id' must be a UUID string."
    _, new = both("visitor", frame(type="hello", token="t", page_url="\ud800"))
    assert new[2] == "Field 'page_url' must be an http(s) URL."
    _, new = both("visitor", frame(type="message.send", client_id="c", body="\ud800"))
    assert new[2] == "Field 'body' must be text without NUL characters or unpaired surrogates."


def test_a_long_page_url_is_cut_to_what_is_stored():
    """page_url is accepted past 2000 characters and cut there, as today."""
    _, new = both("visitor", frame(type="hello", token="t", page_url="https://a/" + "p" * 3000))
    assert len(new[2]["page_url"]) == 2000


def test_a_client_id_with_a_trailing_newline_is_refused():
    """Unlike today's `^...$` regex, which lets "c-1\\n" through and names a frame by it."""
    text = frame(type="message.send", client_id="c-1\n", body="x")
    today, new = both("visitor", text)
    assert today[0] == "ok"
    assert new == ("error", "invalid_field", _client_id_message(), "message.send")
    assert frame_ref(frame_type="message.send", client_id="c-1\n") == "message.send"


def _client_id_message() -> str:
    return "Field 'client_id' must be 1-64 characters of A-Z, a-z, 0-9, '_' or '-'."


def test_the_frame_limit_counts_utf8_bytes():
    """A frame within the limit in characters but over it in UTF-8 bytes is too large."""
    text = json.dumps({"type": "ping", "x": "\u00e9" * 60}, ensure_ascii=False)
    today, new = both("visitor", text, max_bytes=100)
    assert new == today == ("error", "frame_too_large", "Frames are limited to 100 bytes.", "ping")


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


# --- Fuzzing: both agree on arbitrary JSON objects ---------------------------------------------------------

FRAME_TYPES = [*sorted(set(VISITOR_FRAMES) | set(AGENT_FRAMES)), "", "message.new", "Ping"]
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


def _today_accepts_a_trailing_newline(fields: dict[str, Any]) -> bool:
    client_id = fields.get("client_id")
    return isinstance(client_id, str) and client_id.endswith("\n")


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
def test_both_agree_on_arbitrary_json_objects(socket, fields, ensure_ascii, max_bytes):
    """Any JSON object gets the same answer from both: accepted with the same fields, or the same error."""
    assume(not _today_accepts_a_trailing_newline(fields))
    text = json.dumps(fields, ensure_ascii=ensure_ascii)
    # A WebSocket text frame is UTF-8: a lone surrogate can arrive escaped, never raw.
    assume(ensure_ascii or all(not 0xD800 <= ord(char) <= 0xDFFF for char in text))
    today, new = both(socket, text, max_bytes=max_bytes)
    assert new == today
