"""Hypothesis against the frame decoder and each consumer's receive: any input → a valid frame or a
documented error frame (and only a documented close), never an unhandled exception or internal_error."""

import asyncio
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from channels.db import database_sync_to_async
from channels.layers import get_channel_layer
from django.contrib.sessions.backends.db import SessionStore
from django.db import connections
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import BaseModel

from server.conversations.store import loop_db
from server.errors import ERROR_CODES, ParleyError
from server.limits import checks as limits
from server.protocol.errors import error_frame
from server.protocol.frames import ErrorFrame
from server.protocol.validation import AGENT, VISITOR, ClientFrames, parse
from server.realtime.consumers.agent import AgentConsumer
from server.realtime.consumers.base import SUBPROTOCOL, ParleyConsumer
from server.realtime.consumers.visitor import VisitorConsumer
from tests.conftest import ACME_ORIGIN, CONSOLE_ORIGIN, VisitorIdentity

pytestmark = pytest.mark.timeout(120)

FUZZ = settings(
    max_examples=250, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large]
)
DECODER_FUZZ = settings(FUZZ, max_examples=500)
# What parse may raise: each a documented code that keeps the socket open.
DECODER_ERRORS = {"bad_frame", "frame_too_large", "unknown_type", "invalid_field"}
FRAME_TYPES = [
    "hello",
    "message.send",
    "sync",
    "ping",
    "conversation.open",
    "conversation.leave",
    "conversation.read",
]
SOME_UUID = "6f1c2b1e-0000-4000-8000-000000000000"

# --- Inputs ----------------------------------------------------------------------------------------------

json_scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=30)
    | st.sampled_from(["", SOME_UUID, "c-1", "x" * 65, "c\n", "\ud800", "a\x00b", "__gt", "https://x.test/"])
)
json_values = st.recursive(
    json_scalars,
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=4)
    ),
    max_leaves=12,
)
field_names = st.sampled_from(
    ["type", "token", "client_id", "body", "conversation_id", "after_seq", "seq", "last_seq", "page_url"]
) | st.text(max_size=12)


def valid_frames(*, token: str, conversation_id: str) -> list[dict[str, Any]]:
    """One valid frame of each type either socket takes, for mutation."""
    return [
        {"type": "hello", "token": token, "last_seq": 0, "page_url": "https://shop.acme.test/"},
        {"type": "message.send", "client_id": "fuzz-1", "body": "hello"},
        {"type": "message.send", "conversation_id": conversation_id, "client_id": "fuzz-2", "body": "hi"},
        {"type": "sync", "conversation_id": conversation_id, "after_seq": 0},
        {"type": "ping"},
        {"type": "conversation.open", "conversation_id": conversation_id, "after_seq": 0},
        {"type": "conversation.read", "conversation_id": conversation_id, "seq": 1},
        {"type": "conversation.leave", "conversation_id": conversation_id},
    ]


@st.composite
def mutated_frame(draw: st.DrawFn, bases: list[dict[str, Any]]) -> dict[str, Any]:
    """A valid frame with up to three fields replaced, dropped or added (none: the frame itself)."""
    frame = dict(draw(st.sampled_from(bases)))
    for _ in range(draw(st.integers(min_value=0, max_value=3))):
        action = draw(st.sampled_from(["replace", "drop", "add"]))
        if action == "drop" and frame:
            frame.pop(draw(st.sampled_from(sorted(frame))))
        elif action == "replace" and frame:
            frame[draw(st.sampled_from(sorted(frame)))] = draw(json_values)
        else:
            frame[draw(field_names)] = draw(json_values)
    return frame


@st.composite
def mutated_text(draw: st.DrawFn, bases: list[dict[str, Any]]) -> str:
    """A valid frame's JSON text with characters cut, inserted or the whole truncated."""
    text = json.dumps(draw(st.sampled_from(bases)))
    position = draw(st.integers(min_value=0, max_value=len(text)))
    action = draw(st.sampled_from(["truncate", "insert", "delete"]))
    if action == "truncate":
        return text[:position]
    if action == "insert":
        return text[:position] + draw(st.text(min_size=1, max_size=4)) + text[position:]
    return text[:position] + text[position + 1 :]


def client_inputs(bases: list[dict[str, Any]]) -> st.SearchStrategy[str | bytes]:
    """What a client may put in a frame: any text or bytes, any JSON, any frame-shaped object, mutations."""
    frame_shaped = st.fixed_dictionaries(
        {"type": st.sampled_from(FRAME_TYPES) | st.text(max_size=15)},
        optional={
            name: json_values for name in ["token", "client_id", "body", "conversation_id", "after_seq"]
        },
    )
    # Mutations of valid frames weigh most: they reach the handlers, where garbage stops at the decoder.
    mutated = mutated_frame(bases).map(json.dumps)
    return st.one_of(
        st.text(max_size=200),
        st.binary(max_size=64),
        (json_values | frame_shaped).map(json.dumps),
        mutated_text(bases),
        mutated,
        mutated,
        mutated,
    )


# --- The decoder -----------------------------------------------------------------------------------------


def decode(raw: str | bytes, frames: ClientFrames[Any]) -> BaseModel | ParleyError:
    """parse's result for one input, or the ParleyError it raised (anything else propagates)."""
    try:
        result: BaseModel = parse(
            text_data=raw if isinstance(raw, str) else None,
            bytes_data=raw if isinstance(raw, bytes) else None,
            frames=frames,
            max_bytes=16384,
        )
    except ParleyError as error:
        return error
    return result


def assert_documented(outcome: BaseModel | ParleyError, frames: ClientFrames[Any]) -> None:
    """A frame model of the socket's union, or a decoder error whose error frame fits the schema."""
    if isinstance(outcome, ParleyError):
        assert outcome.code in DECODER_ERRORS
        ErrorFrame.model_validate_json(error_frame(outcome, ref=outcome.ref))
    else:
        assert type(outcome) in frames.models.values()


@pytest.mark.parametrize("frames", [VISITOR, AGENT], ids=["visitor", "agent"])
def test_the_decoder_turns_any_input_into_a_frame_or_a_documented_error(frames):
    """Arbitrary text, bytes, JSON and mutated valid frames → a frame of the socket's union or bad_frame /
    frame_too_large / unknown_type / invalid_field with a schema-valid error frame; nothing else raised."""
    bases = valid_frames(token="x.y.z", conversation_id=SOME_UUID)

    @DECODER_FUZZ
    @given(raw=client_inputs(bases))
    def check(raw: str | bytes) -> None:
        assert_documented(decode(raw, frames), frames)

    check()


def test_the_decoder_survives_deep_nesting_and_huge_numbers():
    """Nesting 100,000 deep, a 5,000-digit number and an oversized frame → documented errors."""
    for raw in ["[" * 100_000, '{"type": "ping", "x": ' + "[" * 50_000 + "]" * 50_000 + "}"]:
        assert_documented(decode(raw, VISITOR), VISITOR)
    assert_documented(
        decode('{"type": "sync", "conversation_id": "x", "after_seq": ' + "9" * 5000 + "}", VISITOR), VISITOR
    )
    assert_documented(decode('{"type": "ping", "pad": "' + "x" * 20_000 + '"}', VISITOR), VISITOR)


# --- The consumers ---------------------------------------------------------------------------------------


@dataclass
class Socket:
    """A consumer driven directly (its receive and close path as daphne drives them), recording its output."""

    consumer: ParleyConsumer
    output: list[dict[str, Any]] = field(default_factory=list)

    @property
    def closed(self) -> bool:
        """Whether the consumer closed the socket."""
        return any(message["type"] == "websocket.close" for message in self.output)


class Driver:
    """One event loop for every example: the channel layer, the gateway and the database thread stay bound."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()

    def run(self, awaitable: Any) -> Any:
        """Run a coroutine to its end on the driver's loop."""
        return self.loop.run_until_complete(awaitable)

    async def _open(self, consumer_class: type[ParleyConsumer], scope: dict[str, Any]) -> Socket:
        consumer = consumer_class()
        socket = Socket(consumer=consumer)
        consumer.scope = scope
        consumer.channel_layer = get_channel_layer()
        consumer.channel_name = await consumer.channel_layer.new_channel()

        async def record(message: dict[str, Any]) -> None:
            socket.output.append(message)

        consumer.base_send = record
        await consumer.websocket_connect({"type": "websocket.connect"})
        assert socket.output[0]["type"] == "websocket.accept", socket.output
        return socket

    def open(self, consumer_class: type[ParleyConsumer], scope: dict[str, Any]) -> Socket:
        """A connected consumer."""
        socket: Socket = self.run(self._open(consumer_class, scope))
        return socket

    def send(self, socket: Socket, raw: str | bytes) -> list[dict[str, Any]]:
        """Feed one frame to the consumer's receive; return what it sent back."""
        before = len(socket.output)
        if isinstance(raw, bytes):
            self.run(socket.consumer.receive(bytes_data=raw))
        else:
            self.run(socket.consumer.receive(text_data=raw))
        return socket.output[before:]

    def close(self, socket: Socket) -> None:
        """Leave the consumer's groups and cancel its timers, as a disconnect would."""
        self.run(socket.consumer.disconnect(1000))

    def stop(self) -> None:
        """Cancel what the examples left running and close the loop."""

        async def cancel_the_rest() -> None:
            pending = [task for task in asyncio.all_tasks() if task is not asyncio.current_task()]
            for task in pending:
                task.cancel()
            await asyncio.gather(*pending, return_exceptions=True)

        # The loop's pool and the database thread's connections, or the test database cannot be dropped;
        # the thread's again once the rest is cancelled, since a task left running (an agent socket's
        # background read of its access) may have opened one in between.
        self.run(loop_db.close())
        self.run(database_sync_to_async(connections.close_all)())
        self.run(cancel_the_rest())
        self.run(database_sync_to_async(connections.close_all)())
        self.loop.close()


@pytest.fixture
def driver(transactional_db: None, settings: Any) -> Iterator[Driver]:
    """A driver with frame and connection limits out of the way (the fuzz opens many sockets, sends fast)."""
    settings.PARLEY_FRAME_RATE = 1_000_000
    settings.PARLEY_FRAME_BURST = 1_000_000
    for limit in limits.ALL:
        setattr(settings, limit.setting, "")
    settings.PARLEY_HELLO_TIMEOUT = 3600
    running = Driver()
    yield running
    running.stop()


def visitor_scope(visitor: VisitorIdentity) -> dict[str, Any]:
    """The ASGI scope of a visitor socket from the site's own origin."""
    return {
        "type": "websocket",
        "path": f"/ws/visitor/{visitor.site.public_key}/",
        "headers": [(b"origin", ACME_ORIGIN.encode())],
        "subprotocols": [SUBPROTOCOL],
        "url_route": {"args": (), "kwargs": {"site_key": visitor.site.public_key}},
        "client": ("127.0.0.1", 50000),
    }


def assert_documented_output(output: list[dict[str, Any]]) -> None:
    """Error frames carry a documented code other than internal_error; a close follows only the error
    that calls for it, with that error's close code."""
    last_error: str | None = None
    for message in output:
        if message["type"] == "websocket.close":
            assert last_error is not None, output
            assert message.get("code") == ERROR_CODES[last_error][1], output
            continue
        assert message["type"] == "websocket.send", output
        frame = json.loads(message["text"])
        if frame["type"] == "error":
            assert frame["code"] in ERROR_CODES
            assert frame["code"] != "internal_error", frame
            ErrorFrame.model_validate_json(message["text"])  # strict JSON: no lone surrogate escapes
            last_error = frame["code"]


def hello(driver: Driver, visitor: VisitorIdentity) -> Socket:
    """A visitor socket past its hello."""
    socket = driver.open(VisitorConsumer, visitor_scope(visitor))
    reply = driver.send(socket, json.dumps({"type": "hello", "token": visitor.token}))
    assert json.loads(reply[0]["text"])["type"] == "ready"
    return socket


def conversation_of(driver: Driver, visitor: VisitorIdentity) -> str:
    """Start the visitor's conversation with one message; return its id."""
    socket = hello(driver, visitor)
    replies = [
        json.loads(message["text"])
        for message in driver.send(
            socket, json.dumps({"type": "message.send", "client_id": "seed", "body": "seed"})
        )
    ]
    driver.close(socket)
    return str(
        next(frame for frame in replies if frame["type"] == "message.ack")["message"]["conversation_id"]
    )


def fuzz_socket(
    driver: Driver, bases: list[dict[str, Any]], fresh: Callable[[], Socket], *, per_example: bool
) -> None:
    """Feed arbitrary inputs to a socket (a fresh one per example, or one reused until it closes)."""
    current: list[Socket] = []

    @FUZZ
    @given(raw=client_inputs(bases))
    def check(raw: str | bytes) -> None:
        if not current or per_example or current[0].closed:
            if current:
                driver.close(current.pop())
            current.append(fresh())
        assert_documented_output(driver.send(current[0], raw))

    check()
    if current:
        driver.close(current[0])


def test_a_visitor_socket_before_hello_answers_any_input_as_documented(driver, visitor_alice, visitor_carol):
    """Any input on a fresh visitor socket → ready (a valid hello), or a documented error; a close only as
    that error says (4401 hello_required / token_invalid, 4403 token_wrong_site)."""
    conversation_id = conversation_of(driver, visitor_carol)
    bases = valid_frames(token=visitor_alice.token, conversation_id=conversation_id)
    fuzz_socket(
        driver, bases, lambda: driver.open(VisitorConsumer, visitor_scope(visitor_alice)), per_example=True
    )


def test_a_visitor_socket_after_hello_answers_any_input_as_documented(driver, visitor_alice, visitor_carol):
    """Any input on a visitor socket past hello (one socket for every example) → acks, history, pong or a
    documented error, never internal_error; another visitor's conversation stays not_found."""
    carol_conversation = conversation_of(driver, visitor_carol)
    bases = valid_frames(token=visitor_alice.token, conversation_id=carol_conversation)
    fuzz_socket(driver, bases, lambda: hello(driver, visitor_alice), per_example=False)


def test_an_agent_socket_answers_any_input_as_documented(driver, agent_bob, visitor_alice):
    """Any input on a logged-in agent socket (one for every example) → opened, history, acks, pong or a
    documented error, never internal_error."""
    conversation_id = conversation_of(driver, visitor_alice)
    bases = valid_frames(token="unused", conversation_id=conversation_id)
    # A real console session: the socket reads it again to know its access still holds.
    client = Client()
    client.force_login(agent_bob)
    session = SessionStore(session_key=client.cookies["sessionid"].value)
    scope = {
        "type": "websocket",
        "path": "/ws/agent/",
        "headers": [(b"origin", CONSOLE_ORIGIN.encode())],
        "subprotocols": [SUBPROTOCOL],
        "url_route": {"args": (), "kwargs": {}},
        "client": ("127.0.0.1", 50001),
        "user": agent_bob,
        "session": session,
    }

    def fresh() -> Socket:
        socket: Socket = driver.open(AgentConsumer, scope)
        assert json.loads(socket.output[1]["text"])["type"] == "ready"
        return socket

    fuzz_socket(driver, bases, fresh, per_example=False)
