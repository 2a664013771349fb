"""The visitor socket attacked: each hostile input → the documented refusal, nothing stored or leaked."""

import asyncio
import json
import sqlite3
import time
import uuid
from collections.abc import AsyncIterator
from typing import Any

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.core import signing

from server.conversations.models import Activity, AgentReadMark, Conversation, Message
from server.conversations.store import loop_db
from server.conversations.tokens import VISITOR_TOKEN_SALT, VISITOR_TOKEN_SEPARATOR, sign_visitor_token
from server.sites.services import do_create_site
from tests.conftest import GLOBEX_ORIGIN, VisitorIdentity, connect_visitor, start_visitor, visitor_socket
from tests.integration.clients import AgentClient, VisitorClient, console_session_cookie
from tests.processes import DemoDeployment
from tests.services import RedisServer

pytestmark = pytest.mark.django_db(transaction=True)

SOME_UUID = "6f1c2b1e-0000-4000-8000-000000000000"


@pytest.fixture(autouse=True)
async def loop_pool_closed() -> AsyncIterator[None]:
    """On PostgreSQL, close the event loop's connection pool, or the test database cannot be dropped."""
    yield
    await loop_db.close()


def member_count(layer: Any) -> int:
    """How many socket memberships the in-memory layer holds, over all groups."""
    return sum(len(members) for members in layer.groups.values())


async def message_count() -> int:
    """How many messages are stored."""
    count: int = await database_sync_to_async(Message.objects.count)()
    return count


async def ack_of(communicator: WebsocketCommunicator, frame: dict[str, Any]) -> dict[str, Any]:
    """Send a frame and return the message.ack that answers it (failing on an error frame)."""
    await communicator.send_json_to(frame)
    while True:
        reply = await communicator.receive_json_from()
        assert reply["type"] != "error", reply
        if reply["type"] == "message.ack":
            return reply  # type: ignore[no-any-return]


async def refused_with(communicator: WebsocketCommunicator, raw: str | bytes) -> dict[str, Any]:
    """Send raw text (or bytes) and return the error frame it gets; the socket must then still answer."""
    # send_input, not send_to: the test client refuses to send an empty frame, a browser does not.
    key = "bytes" if isinstance(raw, bytes) else "text"
    await communicator.send_input({"type": "websocket.receive", key: raw})
    error = await communicator.receive_json_from()
    assert error["type"] == "error", error
    await communicator.send_json_to({"type": "ping"})
    assert await communicator.receive_json_from() == {"type": "pong"}
    return error  # type: ignore[no-any-return]


async def hello_refused(visitor: VisitorIdentity, token: object, *, origin: str | None = None) -> Any:
    """Say hello with a token on a fresh socket; return (error frame, the close that follows)."""
    communicator = visitor_socket(visitor.site, **({"origin": origin} if origin else {}))
    assert (await communicator.connect())[0]
    await communicator.send_json_to({"type": "hello", "token": token})
    error = await communicator.receive_json_from()
    closed = await communicator.receive_output()
    return error, closed


def signed_token(visitor: VisitorIdentity, *, salt: str = VISITOR_TOKEN_SALT) -> str:
    """The visitor's claim signed with SECRET_KEY as the server signs it, with a chosen salt."""
    signer = signing.TimestampSigner(salt=salt, sep=VISITOR_TOKEN_SEPARATOR)
    return signer.sign_object({"s": visitor.site.pk, "v": visitor.visitor_id.replace("-", "")})


# --- Bytes that are not a frame ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        pytest.param("hello there", "bad_frame", id="not-json"),
        pytest.param("", "bad_frame", id="empty-text"),
        pytest.param('{"type": "ping"', "bad_frame", id="truncated-json"),
        pytest.param("[]", "bad_frame", id="json-array"),
        pytest.param('[{"type": "ping"}]', "bad_frame", id="array-of-a-valid-frame"),
        pytest.param("42", "bad_frame", id="json-number"),
        pytest.param("null", "bad_frame", id="json-null"),
        pytest.param('"ping"', "bad_frame", id="json-string"),
        pytest.param('{"type": 7}', "bad_frame", id="type-not-a-string"),
        pytest.param('{"type": null}', "bad_frame", id="type-null"),
        pytest.param("[" * 5000 + "]" * 5000, "bad_frame", id="nested-5000-deep"),
        pytest.param(
            '{"type": "conversation.open", "conversation_id": "@ID@"}',
            "unknown_type",
            id="agent-only-conversation.open",
        ),
        # A visitor frame since read receipts (issue 18): a conversation not the visitor's is not_found.
        pytest.param(
            '{"type": "conversation.read", "conversation_id": "@ID@", "seq": 1}',
            "not_found",
            id="conversation.read-of-no-conversation",
        ),
        pytest.param(
            '{"type": "conversation.leave", "conversation_id": "@ID@"}',
            "unknown_type",
            id="agent-only-conversation.leave",
        ),
        pytest.param(
            '{"type": "conversation.assign", "conversation_id": "@ID@", "assignee_id": null}',
            "unknown_type",
            id="agent-only-conversation.assign",
        ),
        pytest.param(
            '{"type": "conversation.resolve", "conversation_id": "@ID@"}',
            "unknown_type",
            id="agent-only-conversation.resolve",
        ),
        pytest.param(
            '{"type": "conversation.reopen", "conversation_id": "@ID@"}',
            "unknown_type",
            id="agent-only-conversation.reopen",
        ),
        pytest.param('{"type": "__class__"}', "unknown_type", id="dunder-type"),
        pytest.param('{"type": "\\ud800"}', "unknown_type", id="lone-surrogate-type-echoed-escaped"),
        pytest.param('{"type": "on_ping"}', "unknown_type", id="handler-name-as-type"),
        pytest.param(
            '{"type": "message.send", "client_id": ["c"], "body": "x"}', "invalid_field", id="client_id-array"
        ),
        pytest.param(
            '{"type": "message.send", "client_id": "c", "body": {"text": "x"}}',
            "invalid_field",
            id="body-object",
        ),
        pytest.param(
            '{"type": "message.send", "client_id": "c", "body": true}', "invalid_field", id="body-bool"
        ),
        pytest.param(
            '{"type": "sync", "conversation_id": "@ID@", "after_seq": "0"}',
            "invalid_field",
            id="after_seq-string",
        ),
        pytest.param(
            '{"type": "sync", "conversation_id": "@ID@", "after_seq": 1.5}',
            "invalid_field",
            id="after_seq-float",
        ),
        pytest.param(
            '{"type": "sync", "conversation_id": "@ID@", "after_seq": 1e400}',
            "invalid_field",
            id="after_seq-infinite",
        ),
        pytest.param(
            '{"type": "sync", "conversation_id": "@ID@", "after_seq": 2147483648}',
            "invalid_field",
            id="after_seq-past-int32",
        ),
        pytest.param(
            '{"type": "message.send", "client_id": "c\\n", "body": "x"}',
            "invalid_field",
            id="client_id-trailing-newline",
        ),
        pytest.param(
            json.dumps({"type": "message.send", "client_id": "c" * 65, "body": "x"}),
            "invalid_field",
            id="client_id-65-chars",
        ),
        pytest.param(
            '{"type": "message.send", "client_id": "", "body": "x"}', "invalid_field", id="client_id-empty"
        ),
        pytest.param('{"type": "message.send", "client_id": "c", "body": ""}', "empty_body", id="body-empty"),
        pytest.param(
            '{"type": "message.send", "client_id": "c", "body": "\\n\\t "}',
            "empty_body",
            id="body-whitespace",
        ),
        pytest.param(
            '{"type": "sync", "conversation_id": {"__gt": "0"}, "after_seq": 0}',
            "invalid_field",
            id="orm-lookup-as-conversation_id",
        ),
        pytest.param(
            '{"type": "sync", "conversation_id": ["@ID@"], "after_seq": 0}',
            "invalid_field",
            id="list-as-conversation_id",
        ),
        pytest.param(
            '{"type": "sync", "conversation_id": "@ID@", "after_seq": {"gte": 0}}',
            "invalid_field",
            id="orm-lookup-as-after_seq",
        ),
        pytest.param(b'{"type": "ping"}', "bad_frame", id="binary-frame-of-a-valid-frame"),
        pytest.param(b"\xff\xfe\x00", "bad_frame", id="binary-garbage"),
        pytest.param('{"type": "hello", "token": "x"}', "invalid_field", id="second-hello"),
    ],
)
async def test_a_frame_that_is_not_one_gets_its_error_and_the_socket_stays_usable(visitor_alice, raw, code):
    """Garbage, wrong shapes, agent-only or unknown types, wrong field types → the error code named, the
    socket still answers ping, nothing stored."""
    communicator, _ = await connect_visitor(visitor_alice)
    error = await refused_with(communicator, raw.replace("@ID@", SOME_UUID) if isinstance(raw, str) else raw)
    assert error["code"] == code
    assert await message_count() == 0
    await communicator.disconnect()


async def test_a_body_over_the_length_limit_is_refused_and_not_stored(visitor_alice, settings):
    """A body of PARLEY_MESSAGE_MAX_LENGTH + 1 characters → body_too_long naming its client_id; one at the
    limit is stored."""
    settings.PARLEY_MESSAGE_MAX_LENGTH = 50
    communicator, _ = await connect_visitor(visitor_alice)
    error = await refused_with(
        communicator, json.dumps({"type": "message.send", "client_id": "long", "body": "y" * 51})
    )
    assert (error["code"], error["ref"]) == ("body_too_long", "long")
    assert await message_count() == 0
    ack = await ack_of(communicator, {"type": "message.send", "client_id": "fits", "body": "y" * 50})
    assert len(ack["message"]["body"]) == 50
    await communicator.disconnect()


@pytest.mark.parametrize(
    "body",
    [
        '<img src=x onerror="window.__pwned=1">',
        "<script>alert(1)</script>",
        '<a href="javascript:alert(1)">click</a>',
        "javascript:alert(1)",
        "'; DROP TABLE chat_message; --",
        "{{ 7*7 }} ${7*7} %s %(x)s",
    ],
)
async def test_markup_and_injection_text_in_a_body_is_stored_verbatim(visitor_alice, body):
    """Markup, SQL and template syntax in a body → stored and echoed exactly as typed (escaping is the
    renderer's job, never the store's)."""
    communicator, _ = await connect_visitor(visitor_alice)
    ack = await ack_of(communicator, {"type": "message.send", "client_id": "m-1", "body": body})
    assert ack["message"]["body"] == body
    stored = await database_sync_to_async(lambda: list(Message.objects.values_list("body", flat=True)))()
    assert stored == [body]
    await communicator.disconnect()


# --- Other people's things -------------------------------------------------------------------------------


async def test_another_visitors_conversation_id_in_sync_is_not_found_and_leaks_nothing(
    visitor_alice, visitor_carol
):
    """Alice syncs Carol's conversation by its real id → not_found, the same answer as for an id nobody
    has; none of Carol's messages reach Alice."""
    carol, _ = await connect_visitor(visitor_carol)
    carol_ack = await ack_of(carol, {"type": "message.send", "client_id": "c-1", "body": "carol's secret"})
    carol_conversation = carol_ack["message"]["conversation_id"]
    alice, _ = await connect_visitor(visitor_alice)
    real = await refused_with(
        alice, json.dumps({"type": "sync", "conversation_id": carol_conversation, "after_seq": 0})
    )
    made_up = await refused_with(
        alice, json.dumps({"type": "sync", "conversation_id": SOME_UUID, "after_seq": 0})
    )
    assert real["code"] == made_up["code"] == "not_found"
    assert real["message"] == made_up["message"]
    assert "carol's secret" not in json.dumps(real)
    await carol.send_json_to({"type": "message.send", "client_id": "c-2", "body": "carol again"})
    assert await alice.receive_nothing(timeout=0.3)
    await alice.disconnect()
    await carol.disconnect()


async def test_orm_lookup_keys_as_extra_fields_never_reach_a_filter(visitor_alice, visitor_carol):
    """Extra fields shaped like ORM lookups (site__id, visitor_id, conversation__visitor) on hello and
    message.send → ignored: the message lands in Alice's own conversation, no query names them."""
    carol, _ = await connect_visitor(visitor_carol)
    carol_ack = await ack_of(carol, {"type": "message.send", "client_id": "c-1", "body": "carol"})
    communicator = visitor_socket(visitor_alice.site)
    assert (await communicator.connect())[0]
    await communicator.send_json_to(
        {
            "type": "hello",
            "token": visitor_alice.token,
            "site__id": 999,
            "visitor_id": visitor_carol.visitor_id,
        }
    )
    ready = await communicator.receive_json_from()
    assert ready["visitor"] == {"id": visitor_alice.visitor_id}
    ack = await ack_of(
        communicator,
        {
            "type": "message.send",
            "client_id": "a-1",
            "body": "alice",
            "conversation_id": carol_ack["message"]["conversation_id"],
            "conversation__visitor__id": visitor_carol.visitor_id,
            "site__id": {"__gt": 0},
        },
    )
    assert ack["message"]["conversation_id"] != carol_ack["message"]["conversation_id"]
    owners = await database_sync_to_async(
        lambda: {
            str(pk): str(visitor) for pk, visitor in Conversation.objects.values_list("id", "visitor_id")
        }
    )()
    assert owners[ack["message"]["conversation_id"]] == visitor_alice.visitor_id
    assert owners[carol_ack["message"]["conversation_id"]] == visitor_carol.visitor_id
    carol_bodies = await database_sync_to_async(
        lambda: list(
            Message.objects.filter(conversation__visitor_id=visitor_carol.visitor_id).values_list(
                "body", flat=True
            )
        )
    )()
    assert carol_bodies == ["carol"]
    await communicator.disconnect()
    await carol.disconnect()


# --- The handshake and the hello -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "origin",
    [
        "https://evil.test",
        "null",
        "https://shop.acme.test.evil.test",
        "https://evil.test@shop.acme.test",
        "http://shop.acme.test",
        "https://shop.acme.test:8443",
        "https://SHOP.ACME.TEST/path",
        " https://shop.acme.test",
    ],
)
async def test_a_foreign_or_null_origin_is_refused_at_the_handshake(visitor_alice, layer_groups, origin):
    """An Origin that is not exactly one the site allows (other host, `null` from a sandboxed frame,
    userinfo, other scheme or port, a path) → handshake refused, no group joined."""
    connected, _ = await visitor_socket(visitor_alice.site, origin=origin).connect()
    assert not connected
    assert member_count(layer_groups) == 0


@pytest.mark.parametrize(
    ("origin", "admitted"),
    [
        ("https://eu.shop.initech.test", True),
        ("https://initech.test", False),
        ("http://eu.initech.test", False),
        ("https://eu.initech.test.evil.test", False),
    ],
)
async def test_a_wildcard_origin_admits_its_subdomains_only(db, origin, admitted):
    """A site allowing https://*.initech.test → a page on any subdomain is let in; the domain itself, another
    scheme or a look-alike host is refused at the handshake."""
    site = await database_sync_to_async(do_create_site)(
        name="Initech", allowed_origins=["https://*.initech.test"]
    )
    visitor = await database_sync_to_async(start_visitor)(site)
    socket = visitor_socket(visitor.site, origin=origin)
    connected, _ = await socket.connect()
    assert connected is admitted
    if connected:
        await socket.disconnect()


async def test_a_missing_origin_is_refused_at_the_handshake(visitor_alice, layer_groups):
    """No Origin header (a script outside a browser) → handshake refused."""
    connected, _ = await visitor_socket(visitor_alice.site, origin=None).connect()
    assert not connected
    assert member_count(layer_groups) == 0


async def test_the_right_origin_on_another_sites_socket_is_refused(visitor_alice, site_globex):
    """Acme's origin on Globex's socket → handshake refused (origins are per site)."""
    connected, _ = await visitor_socket(site_globex, origin="https://shop.acme.test").connect()
    assert not connected


async def test_a_flipped_signature_byte_is_refused_with_4401(visitor_alice, layer_groups):
    """The token with one signature character changed → token_invalid, close 4401, no group joined."""
    token = visitor_alice.token
    flipped = token[:-5] + ("A" if token[-5] != "A" else "B") + token[-4:]
    error, closed = await hello_refused(visitor_alice, flipped)
    assert error["code"] == "token_invalid"
    assert closed == {"type": "websocket.close", "code": 4401}
    assert member_count(layer_groups) == 0


async def test_a_flipped_payload_byte_is_refused_with_4401(visitor_alice):
    """The token's payload changed to name another visitor, signature kept → token_invalid, 4401."""
    payload, rest = visitor_alice.token.split(VISITOR_TOKEN_SEPARATOR, 1)
    forged = payload[:-1] + ("A" if payload[-1] != "A" else "B") + VISITOR_TOKEN_SEPARATOR + rest
    error, closed = await hello_refused(visitor_alice, forged)
    assert error["code"] == "token_invalid"
    assert closed["code"] == 4401


async def test_an_expired_token_is_refused_with_4401(visitor_alice, monkeypatch):
    """A token signed PARLEY_VISITOR_TOKEN_MAX_AGE + 1 day ago → token_invalid ("expired"), close 4401."""
    real_time = time.time
    monkeypatch.setattr("django.core.signing.time.time", lambda: real_time() - 31 * 24 * 3600)
    old = sign_visitor_token(site_id=visitor_alice.site.pk, visitor_id=uuid.UUID(visitor_alice.visitor_id))
    monkeypatch.setattr("django.core.signing.time.time", real_time)
    error, closed = await hello_refused(visitor_alice, old)
    assert error["code"] == "token_invalid"
    assert "expired" in error["message"]
    assert closed["code"] == 4401


async def test_a_token_signed_with_another_salt_is_refused_with_4401(visitor_alice):
    """The same claim signed with the same key but another salt (e.g. a session's) → token_invalid, 4401;
    with the visitor salt the same signer's token is accepted, so the salt alone made the difference."""
    error, closed = await hello_refused(
        visitor_alice, signed_token(visitor_alice, salt="django.core.signing")
    )
    assert error["code"] == "token_invalid"
    assert closed["code"] == 4401
    communicator = visitor_socket(visitor_alice.site)
    assert (await communicator.connect())[0]
    await communicator.send_json_to({"type": "hello", "token": signed_token(visitor_alice)})
    assert (await communicator.receive_json_from())["type"] == "ready"
    await communicator.disconnect()


async def test_a_token_signed_with_another_key_is_refused_with_4401(visitor_alice, settings):
    """A well-formed token signed with a key the server does not hold → token_invalid, 4401."""
    real_key = settings.SECRET_KEY
    settings.SECRET_KEY = "another-" + real_key
    foreign = signed_token(visitor_alice)
    settings.SECRET_KEY = real_key
    error, closed = await hello_refused(visitor_alice, foreign)
    assert error["code"] == "token_invalid"
    assert closed["code"] == 4401


async def test_a_token_of_another_site_is_refused_with_4403(visitor_gina, visitor_alice, layer_groups):
    """Globex's valid visitor token on Acme's socket → token_wrong_site, close 4403, no group joined."""
    error, closed = await hello_refused(visitor_alice, visitor_gina.token)
    assert error["code"] == "token_wrong_site"
    assert closed["code"] == 4403
    assert member_count(layer_groups) == 0


async def test_a_valid_token_naming_another_site_for_this_visitor_is_refused(visitor_alice, site_globex):
    """Alice's visitor id signed for Globex's site id, used on Globex's socket → 4401 (no such visitor)
    or 4403: never a ready frame."""
    communicator = visitor_socket(site_globex, origin=GLOBEX_ORIGIN)
    assert (await communicator.connect())[0]
    await communicator.send_json_to(
        {
            "type": "hello",
            "token": sign_visitor_token(
                site_id=site_globex.pk, visitor_id=uuid.UUID(visitor_alice.visitor_id)
            ),
        }
    )
    error = await communicator.receive_json_from()
    assert error["type"] == "error"
    assert error["code"] in {"token_invalid", "token_wrong_site"}
    assert (await communicator.receive_output())["code"] in {4401, 4403}


@pytest.mark.parametrize(
    "token", ["", "a" * 10_000, "...", "e30.AAAA.bogus", "e30..", "\u00e9.\u00e9.\u00e9"]
)
async def test_a_string_that_is_not_a_token_is_refused_with_4401(visitor_alice, token):
    """Empty, huge or dotted garbage as token → token_invalid and close 4401."""
    error, closed = await hello_refused(visitor_alice, token)
    assert error["code"] == "token_invalid"
    assert closed == {"type": "websocket.close", "code": 4401}


@pytest.mark.parametrize("token", [None, 12345, ["a", "b"], {"s": 1, "v": "x"}])
async def test_a_token_of_the_wrong_type_is_invalid_field_and_hello_is_still_required(visitor_alice, token):
    """null, a number, a list or an object as token → invalid_field; the socket is still unauthenticated,
    so the next other frame gets hello_required and close 4401."""
    communicator = visitor_socket(visitor_alice.site)
    assert (await communicator.connect())[0]
    await communicator.send_json_to({"type": "hello", "token": token})
    assert (await communicator.receive_json_from())["code"] == "invalid_field"
    await communicator.send_json_to({"type": "ping"})
    assert (await communicator.receive_json_from())["code"] == "hello_required"
    assert await communicator.receive_output() == {"type": "websocket.close", "code": 4401}


async def test_a_socket_that_never_says_hello_is_closed_4408(visitor_alice, settings, layer_groups):
    """A socket that sends nothing → closed 4408 after PARLEY_HELLO_TIMEOUT, having joined nothing."""
    settings.PARLEY_HELLO_TIMEOUT = 0.2
    communicator = visitor_socket(visitor_alice.site)
    assert (await communicator.connect())[0]
    assert await communicator.receive_output(timeout=2) == {"type": "websocket.close", "code": 4408}
    assert member_count(layer_groups) == 0


async def test_pings_do_not_stand_in_for_hello(visitor_alice, settings):
    """A socket that only pings → hello_required and close 4401 (keepalives do not postpone the deadline)."""
    communicator = visitor_socket(visitor_alice.site)
    assert (await communicator.connect())[0]
    await communicator.send_json_to({"type": "ping"})
    error = await communicator.receive_json_from()
    assert error["code"] == "hello_required"
    assert await communicator.receive_output() == {"type": "websocket.close", "code": 4401}


@pytest.mark.parametrize(
    "frame",
    [
        {"type": "message.send", "client_id": "c-1", "body": "before hello"},
        {"type": "sync", "conversation_id": SOME_UUID, "after_seq": 0},
    ],
)
async def test_a_frame_before_hello_is_hello_required_and_stores_nothing(visitor_alice, layer_groups, frame):
    """message.send or sync before hello → hello_required, close 4401, nothing stored, nothing joined."""
    communicator = visitor_socket(visitor_alice.site)
    assert (await communicator.connect())[0]
    await communicator.send_json_to(frame)
    error = await communicator.receive_json_from()
    assert error["code"] == "hello_required"
    assert await communicator.receive_output() == {"type": "websocket.close", "code": 4401}
    assert await message_count() == 0
    assert member_count(layer_groups) == 0


async def test_a_second_hello_with_another_visitors_token_changes_nothing(visitor_alice, visitor_carol):
    """After Alice's hello, a hello with Carol's token → refused; the socket stays Alice's."""
    communicator, _ = await connect_visitor(visitor_alice)
    error = await refused_with(communicator, json.dumps({"type": "hello", "token": visitor_carol.token}))
    assert error["code"] == "invalid_field"
    ack = await ack_of(communicator, {"type": "message.send", "client_id": "a-1", "body": "still alice"})
    owner = await database_sync_to_async(
        lambda: str(Conversation.objects.get(pk=ack["message"]["conversation_id"]).visitor_id)
    )()
    assert owner == visitor_alice.visitor_id
    await communicator.disconnect()


# --- Redis down while a visitor sends --------------------------------------------------------------------


def stored_bodies(deployment: DemoDeployment) -> list[str]:
    """Every message body in the deployment's SQLite database, in storage order."""
    with sqlite3.connect(deployment.workdir / "parley.sqlite3") as database:
        return [body for (body,) in database.execute("SELECT body FROM chat_message ORDER BY id")]


@pytest.mark.timeout(120)
async def test_redis_down_while_a_visitor_sends_stores_acks_and_delivers_on_resume(tmp_path):
    """One real daphne process on Redis; Redis is killed; the visitor sends → the message is stored and
    acked; once Redis is back (sockets closed 4012) the agent and another tab that resume with their last
    seq get it, once."""
    redis = RedisServer(tmp_path)
    redis.start()
    deployment = DemoDeployment(
        workdir=tmp_path, extra_env={"REDIS_URL": redis.url, "PARLEY_LAYER_PROBE_INTERVAL": "0.3"}
    )
    try:
        site_key = deployment.set_up()
        deployment.start_server()
        origin = f"http://localhost:{deployment.shop_port}"
        visitor = VisitorClient(site_key=site_key, origin=origin)
        await visitor.connect(deployment.server_url)
        await visitor.send("before the outage")
        await visitor.wait_until(lambda: visitor.holds(1))
        cookie = await asyncio.to_thread(
            console_session_cookie, deployment.server_url, deployment.username, deployment.password
        )
        agent = AgentClient(cookie=cookie, origin=deployment.server_url)
        await agent.connect(deployment.server_url)
        assert visitor.conversation_id is not None
        await agent.open(visitor.conversation_id)
        await agent.wait_until(lambda: agent.holds(1))

        redis.kill()
        await visitor.send("sent while redis is down")
        await visitor.wait_until(lambda: visitor.holds(2))  # acknowledged: the ack carries seq 2
        assert visitor.errors == []
        assert stored_bodies(deployment) == ["before the outage", "sent while redis is down"]

        redis.start()
        await visitor.wait_until(lambda: visitor.socket is None, within=20)
        await agent.wait_until(lambda: agent.socket is None, within=20)
        assert visitor.close_codes[-1] == agent.close_codes[-1] == 4012
        await agent.connect(deployment.server_url)  # reopens the conversation after seq 1
        await agent.wait_until(lambda: agent.holds(2))
        assert agent.bodies() == ["before the outage", "sent while redis is down"]
        other_tab = VisitorClient(site_key=site_key, origin=origin)
        other_tab.token = visitor.token
        other_tab.messages = {1: visitor.messages[1]}
        ready = await other_tab.connect(deployment.server_url)
        assert [message["body"] for message in ready["messages"]] == ["sent while redis is down"]
        assert stored_bodies(deployment) == ["before the outage", "sent while redis is down"]
        await other_tab.close()
        await agent.close()
    finally:
        deployment.stop_all()
        redis.kill()


async def test_agent_frames_naming_another_visitors_real_conversation_change_nothing(
    visitor_alice, visitor_carol
):
    """conversation.open / .leave / .assign / .resolve / .reopen naming Carol's real conversation, sent by
    Alice → unknown_type, and conversation.read (a visitor frame too) → not_found; no read mark stored, no
    status or assignee changed, no group joined beyond Alice's own, nothing of Carol's sent."""
    carol, _ = await connect_visitor(visitor_carol)
    conversation_id = (await ack_of(carol, {"type": "message.send", "client_id": "c-1", "body": "private"}))[
        "message"
    ]["conversation_id"]
    alice, _ = await connect_visitor(visitor_alice)
    for frame, code in (
        ({"type": "conversation.open", "conversation_id": conversation_id, "after_seq": 0}, "unknown_type"),
        ({"type": "conversation.read", "conversation_id": conversation_id, "seq": 1}, "not_found"),
        ({"type": "conversation.leave", "conversation_id": conversation_id}, "unknown_type"),
        (
            {"type": "conversation.assign", "conversation_id": conversation_id, "assignee_id": None},
            "unknown_type",
        ),
        ({"type": "conversation.resolve", "conversation_id": conversation_id}, "unknown_type"),
        ({"type": "conversation.reopen", "conversation_id": conversation_id}, "unknown_type"),
    ):
        error = await refused_with(alice, json.dumps(frame))
        assert error["code"] == code
        assert "private" not in json.dumps(error)
    assert await database_sync_to_async(AgentReadMark.objects.count)() == 0
    assert await database_sync_to_async(Activity.objects.count)() == 0
    assert await database_sync_to_async(Message.objects.filter(author="system").count)() == 0
    marks = await database_sync_to_async(
        lambda: list(Conversation.objects.values_list("visitor_last_read_seq", "agent_last_read_seq"))
    )()
    assert marks == [(0, 0)]
    await carol.send_json_to({"type": "message.send", "client_id": "c-2", "body": "still private"})
    assert await alice.receive_nothing(timeout=0.3)
    await alice.disconnect()
    await carol.disconnect()


async def test_garbage_before_hello_does_not_postpone_the_deadline(visitor_alice, settings):
    """A socket that keeps sending unreadable frames but never hello → bad_frame each time, then closed
    4408 at PARLEY_HELLO_TIMEOUT all the same."""
    settings.PARLEY_HELLO_TIMEOUT = 0.5
    communicator = visitor_socket(visitor_alice.site)
    assert (await communicator.connect())[0]
    started = time.monotonic()
    output: dict[str, Any] = {}
    while time.monotonic() - started < 3:
        await communicator.send_to(text_data="not a frame")
        output = await communicator.receive_output(timeout=2)
        if output["type"] == "websocket.close":
            break
        assert json.loads(output["text"])["code"] == "bad_frame"
        await asyncio.sleep(0.05)
    assert output == {"type": "websocket.close", "code": 4408}
