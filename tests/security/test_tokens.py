"""Door: visitor tokens. Tampering, expiry, salts, other sites, and keys rotated through their fallbacks."""

import time
import uuid

import pytest
from django.core import signing
from django.test import Client

from server.conversations.tokens import (
    VISITOR_TOKEN_SALT,
    VISITOR_TOKEN_SEPARATOR,
    read_visitor_token,
    sign_visitor_token,
)
from server.errors import ParleyError
from tests.conftest import ACME_ORIGIN, VisitorIdentity, connect_visitor, visitor_socket

pytestmark = pytest.mark.django_db

MAX_AGE = 3600
OLD_KEY = "parley-old-secret-for-rotation-tests"
NEW_KEY = "parley-new-secret-for-rotation-tests"
VISITOR_KEY = "parley-visitor-token-key-for-tests"


def claim_of(visitor: VisitorIdentity) -> tuple[int, uuid.UUID]:
    """The (site id, visitor id) a visitor's token should assert."""
    return visitor.site.pk, uuid.UUID(visitor.visitor_id)


def signed_with(key: str, *, site_id: int, visitor_id: uuid.UUID, salt: str = VISITOR_TOKEN_SALT) -> str:
    """A token like Parley's, signed with a given key and salt."""
    signer = signing.TimestampSigner(key=key, salt=salt, sep=VISITOR_TOKEN_SEPARATOR)
    return signer.sign_object({"s": site_id, "v": visitor_id.hex})


def refused(token: object) -> str:
    """The message of the token_invalid a token gets."""
    with pytest.raises(ParleyError) as raised:
        read_visitor_token(token=token, max_age=MAX_AGE)
    assert raised.value.code == "token_invalid"
    return raised.value.message


def resume(client: Client, visitor: VisitorIdentity, token: str) -> str:
    """POST a session with a token and return the visitor id it answers."""
    response = client.post(
        f"/api/widget/sites/{visitor.site.public_key}/session",
        {"visitor_token": token},
        content_type="application/json",
        headers={"origin": ACME_ORIGIN},
    )
    assert response.status_code == 200
    return str(response.json()["visitor_id"])


def test_a_valid_token_is_read(visitor_alice):
    """A token as issued → its site and visitor."""
    claim = read_visitor_token(token=visitor_alice.token, max_age=MAX_AGE)
    assert (claim.site_id, claim.visitor_id) == claim_of(visitor_alice)


@pytest.mark.parametrize("from_end", [1, 5, 20])
def test_a_flipped_signature_byte_is_refused(visitor_alice, from_end):
    """One character of the signature changed → token_invalid."""
    token = visitor_alice.token
    at = len(token) - from_end
    flipped = token[:at] + ("B" if token[at] == "A" else "A") + token[at + 1 :]
    assert len(flipped) == len(token)
    assert flipped != token
    assert "not valid" in refused(flipped)


def test_a_changed_payload_is_refused(visitor_alice, visitor_gina):
    """Another visitor's payload under this token's timestamp and signature → token_invalid."""
    _, _, signed_part = visitor_alice.token.partition(VISITOR_TOKEN_SEPARATOR)
    other_payload = visitor_gina.token.partition(VISITOR_TOKEN_SEPARATOR)[0]
    refused(f"{other_payload}{VISITOR_TOKEN_SEPARATOR}{signed_part}")


def test_an_expired_token_is_refused(visitor_alice, monkeypatch):
    """A token older than the max age → token_invalid "expired"."""
    real_time = time.time
    monkeypatch.setattr("django.core.signing.time.time", lambda: real_time() + MAX_AGE + 1)
    assert "expired" in refused(visitor_alice.token)


def test_a_token_signed_with_another_salt_is_refused(visitor_alice, settings):
    """The same claim signed with this server's key under another purpose's salt → token_invalid."""
    site_id, visitor_id = claim_of(visitor_alice)
    for salt in ("django.contrib.sessions.SessionStore", "parley.other", ""):
        refused(signed_with(settings.SECRET_KEY, site_id=site_id, visitor_id=visitor_id, salt=salt))


@pytest.mark.parametrize(
    "token",
    [None, 12, "", "x" * 513, "a.b.c", "\x00", "eyJzIjoxfQ.AAAAAA.BBBB", ["a"]],
    ids=["null", "number", "empty", "513 characters", "three parts", "NUL", "made up", "a list"],
)
def test_a_malformed_token_is_refused(token):
    """Not a string, empty, overlong or not Parley's shape → token_invalid, no exception."""
    refused(token)


def test_a_token_of_another_site_opens_nothing_there(client, visitor_alice, visitor_gina):
    """Globex's token on Acme's session endpoint → a new Acme visitor, never Gina."""
    answered = resume(client, visitor_alice, visitor_gina.token)
    assert answered not in {visitor_alice.visitor_id, visitor_gina.visitor_id}


@pytest.mark.django_db(transaction=True)
async def test_a_token_of_another_site_closes_the_socket_4403(visitor_gina, site_acme):
    """Globex's token in a hello on Acme's socket → token_wrong_site, close 4403."""
    communicator = visitor_socket(site_acme)
    assert (await communicator.connect())[0]
    await communicator.send_json_to({"type": "hello", "token": visitor_gina.token})
    assert (await communicator.receive_json_from(timeout=5))["code"] == "token_wrong_site"
    assert await communicator.receive_output(timeout=5) == {"type": "websocket.close", "code": 4403}


# --- Rotation --------------------------------------------------------------------------------------------


def test_a_fallback_key_is_accepted_then_refused_once_removed(visitor_alice, settings):
    """Signed with the old SECRET_KEY: accepted while it is a fallback, token_invalid once it is gone."""
    site_id, visitor_id = claim_of(visitor_alice)
    token = signed_with(OLD_KEY, site_id=site_id, visitor_id=visitor_id)
    settings.SECRET_KEY, settings.SECRET_KEY_FALLBACKS = NEW_KEY, [OLD_KEY]
    assert read_visitor_token(token=token, max_age=MAX_AGE).visitor_id == visitor_id
    settings.SECRET_KEY_FALLBACKS = []
    refused(token)


def test_a_refresh_re_signs_a_fallback_token_with_the_current_key(client, visitor_alice, settings):
    """A session with a fallback-signed token → the same visitor, and a token the new key alone reads."""
    site_id, visitor_id = claim_of(visitor_alice)
    old_token = signed_with(OLD_KEY, site_id=site_id, visitor_id=visitor_id)
    settings.SECRET_KEY, settings.SECRET_KEY_FALLBACKS = NEW_KEY, [OLD_KEY]
    response = client.post(
        f"/api/widget/sites/{visitor_alice.site.public_key}/session",
        {"visitor_token": old_token},
        content_type="application/json",
        headers={"origin": ACME_ORIGIN},
    )
    assert response.json()["visitor_id"] == visitor_alice.visitor_id
    settings.SECRET_KEY_FALLBACKS = []
    fresh = read_visitor_token(token=response.json()["visitor_token"], max_age=MAX_AGE)
    assert fresh.visitor_id == visitor_id
    assert resume(client, visitor_alice, old_token) != visitor_alice.visitor_id


@pytest.mark.django_db(transaction=True)
async def test_a_fallback_signed_token_opens_the_socket_until_removed(visitor_alice, settings):
    """hello with an old-key token: ready while the key is a fallback, close 4401 once removed."""
    site_id, visitor_id = claim_of(visitor_alice)
    token = signed_with(OLD_KEY, site_id=site_id, visitor_id=visitor_id)
    settings.SECRET_KEY, settings.SECRET_KEY_FALLBACKS = NEW_KEY, [OLD_KEY]
    communicator, ready = await connect_visitor(
        VisitorIdentity(site=visitor_alice.site, token=token, visitor_id=visitor_alice.visitor_id)
    )
    assert ready["type"] == "ready"
    await communicator.disconnect()
    settings.SECRET_KEY_FALLBACKS = []
    communicator = visitor_socket(visitor_alice.site)
    assert (await communicator.connect())[0]
    await communicator.send_json_to({"type": "hello", "token": token})
    assert (await communicator.receive_json_from(timeout=5))["code"] == "token_invalid"
    assert await communicator.receive_output(timeout=5) == {"type": "websocket.close", "code": 4401}


def test_an_own_visitor_key_signs_tokens_and_ignores_secret_key(visitor_alice, settings):
    """With PARLEY_VISITOR_TOKEN_KEY set, tokens are signed with it; SECRET_KEY alone cannot make one."""
    site_id, visitor_id = claim_of(visitor_alice)
    settings.PARLEY_VISITOR_TOKEN_KEY = VISITOR_KEY
    token = sign_visitor_token(site_id=site_id, visitor_id=visitor_id)
    assert signing.TimestampSigner(key=VISITOR_KEY, salt=VISITOR_TOKEN_SALT, sep=".").unsign_object(token)
    # A leaked SECRET_KEY (or a token issued before the switch, without a fallback) does not pass.
    refused(signed_with(settings.SECRET_KEY, site_id=site_id, visitor_id=visitor_id))
    refused(visitor_alice.token)


def test_visitor_tokens_survive_a_secret_key_rotation_with_their_own_key(visitor_alice, settings):
    """Own visitor key: SECRET_KEY rotated with no fallback → visitor tokens still read."""
    site_id, visitor_id = claim_of(visitor_alice)
    settings.PARLEY_VISITOR_TOKEN_KEY = VISITOR_KEY
    token = sign_visitor_token(site_id=site_id, visitor_id=visitor_id)
    settings.SECRET_KEY, settings.SECRET_KEY_FALLBACKS = NEW_KEY, []
    assert read_visitor_token(token=token, max_age=MAX_AGE).visitor_id == visitor_id


def test_an_own_visitor_key_rotates_apart_from_agent_sessions(client, agent_bob, visitor_alice, settings):
    """Visitor key rotated with no fallback: its tokens are refused, the agent's console session stays."""
    site_id, visitor_id = claim_of(visitor_alice)
    settings.PARLEY_VISITOR_TOKEN_KEY = VISITOR_KEY
    token = sign_visitor_token(site_id=site_id, visitor_id=visitor_id)
    client.force_login(agent_bob)
    assert client.get("/console/").status_code == 200
    settings.PARLEY_VISITOR_TOKEN_KEY = "parley-visitor-token-key-rotated"
    refused(token)
    assert client.get("/console/").status_code == 200


def test_an_own_visitor_key_has_its_own_fallbacks(visitor_alice, settings):
    """A token of the previous visitor key: read while in PARLEY_VISITOR_TOKEN_KEY_FALLBACKS, not after."""
    site_id, visitor_id = claim_of(visitor_alice)
    token = signed_with(VISITOR_KEY, site_id=site_id, visitor_id=visitor_id)
    settings.PARLEY_VISITOR_TOKEN_KEY = "parley-visitor-token-key-rotated"
    settings.PARLEY_VISITOR_TOKEN_KEY_FALLBACKS = [VISITOR_KEY]
    # SECRET_KEY_FALLBACKS no longer apply to visitor tokens once they have a key of their own.
    settings.SECRET_KEY_FALLBACKS = [VISITOR_KEY]
    assert read_visitor_token(token=token, max_age=MAX_AGE).visitor_id == visitor_id
    settings.PARLEY_VISITOR_TOKEN_KEY_FALLBACKS = []
    refused(token)


def test_switching_to_an_own_key_keeps_visitors_with_secret_key_as_its_fallback(visitor_alice, settings):
    """The documented first switch (old SECRET_KEY as the visitor key's fallback) → earlier tokens read."""
    settings.PARLEY_VISITOR_TOKEN_KEY = VISITOR_KEY
    settings.PARLEY_VISITOR_TOKEN_KEY_FALLBACKS = [settings.SECRET_KEY]
    assert (
        read_visitor_token(token=visitor_alice.token, max_age=MAX_AGE).visitor_id
        == claim_of(visitor_alice)[1]
    )
