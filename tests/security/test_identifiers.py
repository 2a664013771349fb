"""Identifiers from clients (client_id, conversation ids, site keys) are matched in full, on any database."""

import uuid

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from pydantic import TypeAdapter, ValidationError

from server.asgi import application
from server.conversations.models import Message
from server.protocol.fields import ClientId
from server.protocol.validation import frame_ref
from tests.conftest import ACME_ORIGIN, connect_agent, connect_visitor

pytestmark = pytest.mark.django_db(transaction=True)

BAD_CLIENT_IDS = [
    pytest.param("abc\n", id="trailing newline"),
    pytest.param("a" * 64 + "\n", id="64 characters and a newline"),
    pytest.param("a" * 65, id="65 characters"),
    pytest.param("\nabc", id="leading newline"),
    pytest.param("abc\x00", id="NUL"),
    pytest.param("abc\r\n", id="CRLF"),
    pytest.param("é", id="non-ASCII"),
    pytest.param("", id="empty"),
]


@pytest.mark.parametrize("client_id", BAD_CLIENT_IDS)
def test_the_client_id_model_refuses_anything_but_a_full_match(client_id):
    """pydantic's pattern ($ is the end of text in its Rust engine) → refused from Python and from JSON."""
    adapter = TypeAdapter(ClientId)
    with pytest.raises(ValidationError):
        adapter.validate_python(client_id)
    with pytest.raises(ValidationError):
        adapter.validate_json(f'"{client_id.encode("unicode_escape").decode()}"')


@pytest.mark.parametrize("client_id", BAD_CLIENT_IDS)
def test_an_error_never_names_a_bad_client_id_as_its_ref(client_id):
    """frame_ref of a client_id that is not a full match → the frame type."""
    assert frame_ref(frame_type="message.send", client_id=client_id) == "message.send"


@pytest.mark.parametrize("client_id", BAD_CLIENT_IDS)
async def test_a_visitor_send_with_a_bad_client_id_is_invalid_field(visitor_alice, client_id):
    """message.send with client_id "abc\\n", 64 chars + "\\n", NUL… → invalid_field, nothing stored."""
    communicator, _ = await connect_visitor(visitor_alice)
    await communicator.send_json_to({"type": "message.send", "client_id": client_id, "body": "hi"})
    error = await communicator.receive_json_from(timeout=5)
    assert (error["type"], error["code"], error["ref"]) == ("error", "invalid_field", "message.send")
    assert await database_sync_to_async(Message.objects.count)() == 0
    await communicator.disconnect()


async def test_a_64_character_client_id_is_stored(visitor_alice):
    """client_id of exactly 64 characters → acked (the bound itself is allowed)."""
    communicator, _ = await connect_visitor(visitor_alice)
    await communicator.send_json_to({"type": "message.send", "client_id": "a" * 64, "body": "hi"})
    frames = [await communicator.receive_json_from(timeout=5) for _ in range(2)]
    assert "message.ack" in {frame["type"] for frame in frames}
    await communicator.disconnect()


@pytest.mark.parametrize("client_id", ["abc\n", "a" * 64 + "\n"])
async def test_an_agent_reply_with_a_bad_client_id_is_invalid_field(agent_bob, client_id):
    """An agent's message.send with a client_id that only matches up to a newline → invalid_field."""
    communicator, _ = await connect_agent(agent_bob)
    await communicator.send_json_to(
        {"type": "message.send", "conversation_id": str(uuid.uuid4()), "client_id": client_id, "body": "hi"}
    )
    error = await communicator.receive_json_from(timeout=5)
    assert (error["type"], error["code"]) == ("error", "invalid_field")
    await communicator.disconnect()


@pytest.mark.parametrize(
    "conversation_id",
    [f"{uuid.uuid4()}\n", f"{uuid.uuid4()}\x00", f"{uuid.uuid4()}__gt", "1", {"pk__gt": 0}],
    ids=["trailing newline", "NUL", "lookup suffix", "an integer id", "a lookup object"],
)
async def test_a_conversation_id_that_is_not_a_uuid_is_invalid_field(visitor_alice, conversation_id):
    """sync with a conversation_id + "\\n", NUL, "__gt", an integer or an object → invalid_field."""
    communicator, _ = await connect_visitor(visitor_alice)
    await communicator.send_json_to({"type": "sync", "conversation_id": conversation_id, "after_seq": 0})
    error = await communicator.receive_json_from(timeout=5)
    assert (error["type"], error["code"]) == ("error", "invalid_field")
    await communicator.disconnect()


# Percent-encoded, as on the wire: the scope's path is decoded (and urlparse drops a raw newline).
@pytest.mark.parametrize("suffix", ["%00", "%0A", "__gt", "%C3%A9"])
async def test_a_visitor_socket_with_a_malformed_site_key_is_refused(site_acme, suffix):
    """/ws/visitor/<key + NUL, newline, "__gt" or "é">/ → handshake refused (never a database error)."""
    communicator = WebsocketCommunicator(
        application,
        f"/ws/visitor/{site_acme.public_key}{suffix}/",
        headers=[(b"origin", ACME_ORIGIN.encode())],
        subprotocols=["parley.v1"],
    )
    connected, _ = await communicator.connect()
    assert not connected
