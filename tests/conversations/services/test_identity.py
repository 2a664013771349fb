"""Identity verification: a hash or a JWT signed with the site's secret makes a session its contact's."""

import datetime
import hashlib
import hmac
import time
from typing import Any

import jwt
import pytest
from django.utils import timezone

from server.conversations.models import Contact, Visitor
from server.conversations.services.identity import Identity, check_identity
from server.conversations.services.messages import do_post_visitor_message
from server.conversations.services.visitors import VisitorSession, do_start_visitor_session
from server.sites.identity import do_rotate_identity_secret
from server.sites.models import Site

pytestmark = [
    pytest.mark.django_db,
    # A site's 43-character secret is short for HS512, which only the test of a refused algorithm signs with.
    pytest.mark.filterwarnings("ignore::jwt.warnings.InsecureKeyLengthWarning"),
]


def user_hash(site: Site, user_id: str, *, secret: str | None = None) -> str:
    """What the site's server computes: hex HMAC-SHA256 of the user id with the site's secret."""
    key = (secret or site.identity_secret).encode()
    return hmac.new(key, user_id.encode(), hashlib.sha256).hexdigest()


def user_token(
    site: Site, claims: dict[str, Any], *, secret: str | None = None, algorithm: str = "HS256"
) -> str:
    """A JWT as the site's server would sign it."""
    return jwt.encode(claims, secret or site.identity_secret, algorithm=algorithm)


def session(site: Site, *, token: str | None = None, identity: Identity | None = None) -> VisitorSession:
    """A widget's session request on a browser that holds `token` (None: a new browser)."""
    return do_start_visitor_session(
        site=site, visitor_token=token, page_url="https://shop.acme.test/", user_agent="t", identity=identity
    )


def verified(site: Site, user_id: str = "u-42", **fields: str) -> Identity:
    """A verified identity of `user_id`."""
    identity = check_identity(site=site, user_id=user_id, user_hash=user_hash(site, user_id), **fields)
    assert identity.verified
    return identity


def test_a_matching_user_hash_is_verified(site_acme):
    """HMAC-SHA256 of the user id with the site's secret, in either case of hex → verified."""
    identity = check_identity(
        site=site_acme,
        user_id="u-42",
        user_hash=user_hash(site_acme, "u-42").upper(),
        email="ann@example.com",
    )
    assert identity == Identity(user_id="u-42", email="ann@example.com", name="", verified=True)


@pytest.mark.parametrize(
    "hash_of",
    [
        lambda site: None,
        lambda site: "",
        lambda site: "00" * 32,
        lambda site: user_hash(site, "u-43"),
        lambda site: user_hash(site, "u-42", secret="not the site's secret"),
    ],
)
def test_a_missing_or_wrong_hash_is_not_verified(site_acme, hash_of):
    """No hash, a hash of another user or with another secret → not verified, no error (not required)."""
    identity = check_identity(site=site_acme, user_id="u-42", user_hash=hash_of(site_acme), name="Ann")
    assert not identity.verified
    assert identity.error is None
    assert identity.name == "Ann"


def test_a_site_that_requires_verification_refuses_an_unverified_identity(site_acme):
    """identity_required → the unverified identity carries identity_unverified, saying why."""
    site_acme.identity_required = True
    identity = check_identity(site=site_acme, user_id="u-42", user_hash="00" * 32)
    assert identity.error is not None
    assert identity.error.code == "identity_unverified"
    assert "user_hash" in identity.error.message


def test_a_jwt_signed_with_the_secret_is_verified_with_its_claims(site_acme):
    """HS256, `sub` and `exp`: verified as `sub`, its email and name taken when the call gives none."""
    token = user_token(
        site_acme, {"sub": "u-42", "exp": int(time.time()) + 300, "email": "ann@example.com", "name": "Ann"}
    )
    identity = check_identity(site=site_acme, user_id=None, token=token)
    assert identity == Identity(user_id="u-42", email="ann@example.com", name="Ann", verified=True)


@pytest.mark.parametrize(
    ("claims", "secret", "algorithm", "user_id", "reason"),
    [
        ({"sub": "u-42", "exp": int(time.time()) - 3600}, None, "HS256", None, "expired"),
        ({"sub": "u-42"}, None, "HS256", None, "sub and exp"),
        ({"exp": int(time.time()) + 300}, None, "HS256", None, "sub and exp"),
        ({"sub": "u-42", "exp": int(time.time()) + 300}, "another secret", "HS256", None, "not signed"),
        ({"sub": "u-42", "exp": int(time.time()) + 300}, None, "HS512", None, "sub and exp"),
        ({"sub": "u-42", "exp": int(time.time()) + 300}, None, "HS256", "u-43", "sub is not the user_id"),
    ],
)
def test_a_bad_jwt_is_not_verified(site_acme, claims, secret, algorithm, user_id, reason):
    """Expired, without sub or exp, another secret, another algorithm, or another user id → not verified."""
    site_acme.identity_required = True
    token = user_token(site_acme, claims, secret=secret, algorithm=algorithm)
    identity = check_identity(site=site_acme, user_id=user_id, token=token)
    assert not identity.verified
    assert identity.error is not None
    assert reason in identity.error.message


def test_an_unsigned_jwt_is_not_verified(site_acme):
    """alg "none" is never accepted."""
    token = jwt.encode({"sub": "u-42", "exp": int(time.time()) + 300}, key="", algorithm="none")
    assert not check_identity(site=site_acme, user_id=None, token=token).verified


def test_the_previous_secret_holds_for_the_overlap_after_a_rotation(site_acme, settings):
    """After a rotation both secrets verify; after PARLEY_IDENTITY_SECRET_OVERLAP_SECONDS only the new."""
    old = site_acme.identity_secret
    site = do_rotate_identity_secret(site=site_acme)
    assert site.identity_secret != old
    assert check_identity(site=site, user_id="u-42", user_hash=user_hash(site, "u-42", secret=old)).verified
    assert check_identity(site=site, user_id="u-42", user_hash=user_hash(site, "u-42")).verified
    site.identity_secret_rotated_at = timezone.now() - datetime.timedelta(
        seconds=settings.PARLEY_IDENTITY_SECRET_OVERLAP_SECONDS + 1
    )
    assert not check_identity(
        site=site, user_id="u-42", user_hash=user_hash(site, "u-42", secret=old)
    ).verified
    assert check_identity(site=site, user_id="u-42", user_hash=user_hash(site, "u-42")).verified


def test_a_verified_contact_is_the_same_visitor_on_every_device(site_acme):
    """A visitor who wrote, then identified, is the contact's; a second browser identifying gets that
    visitor, with its conversation."""
    first = session(site_acme)
    do_post_visitor_message(visitor_id=first.visitor_id, client_id="c1", body="Where is my order?")
    identified = session(site_acme, token=first.visitor_token, identity=verified(site_acme, name="Ann"))
    assert identified.visitor_id == first.visitor_id
    other_device = session(site_acme, identity=verified(site_acme))
    assert other_device.visitor_id == first.visitor_id
    visitor = Visitor.objects.get(pk=first.visitor_id)
    assert visitor.contact == Contact.objects.get(site=site_acme, external_id="u-42")
    assert visitor.name == "Ann"
    assert visitor.conversations.count() == 1


def test_an_unverified_identity_never_attaches_to_the_contact(site_acme):
    """The same user id without a valid hash on another browser → a visitor of its own, named only."""
    contact_session = session(site_acme, identity=verified(site_acme))
    claim = check_identity(site=site_acme, user_id="u-42", user_hash="00" * 32, name="Mallory")
    other = session(site_acme, identity=claim)
    assert other.visitor_id != contact_session.visitor_id
    visitor = Visitor.objects.get(pk=other.visitor_id)
    assert (visitor.contact, visitor.name) == (None, "Mallory")


def test_on_a_contacts_browser_another_unverified_user_gets_a_fresh_visitor(site_acme):
    """The contact's token with an unverified identity of someone else → a new anonymous visitor; the same
    user without a hash keeps the session the token already grants."""
    contact_session = session(site_acme, identity=verified(site_acme))
    same_user = check_identity(site=site_acme, user_id="u-42", name="Ann")
    kept = session(site_acme, token=contact_session.visitor_token, identity=same_user)
    assert kept.visitor_id == contact_session.visitor_id
    someone_else = check_identity(site=site_acme, user_id="u-7", name="Eve")
    fresh = session(site_acme, token=contact_session.visitor_token, identity=someone_else)
    assert fresh.visitor_id != contact_session.visitor_id
    assert Visitor.objects.get(pk=fresh.visitor_id).contact is None


def test_a_refused_identity_leaves_the_session_anonymous(site_acme):
    """Verification required and failed → the contact's browser gets a fresh anonymous visitor, unnamed."""
    contact_session = session(site_acme, identity=verified(site_acme))
    site_acme.identity_required = True
    refused = check_identity(site=site_acme, user_id="u-42", user_hash="00" * 32, name="Ann")
    fresh = session(site_acme, token=contact_session.visitor_token, identity=refused)
    assert fresh.visitor_id != contact_session.visitor_id
    assert Visitor.objects.get(pk=fresh.visitor_id).name == ""


def test_another_verified_user_on_a_contacts_browser_switches_contact(site_acme):
    """A verified second user on the first one's browser is their own contact's visitor, never the first's."""
    first = session(site_acme, identity=verified(site_acme, "u-42"))
    second = session(site_acme, token=first.visitor_token, identity=verified(site_acme, "u-7"))
    assert second.visitor_id != first.visitor_id
    assert Visitor.objects.get(pk=second.visitor_id).contact.external_id == "u-7"  # type: ignore[union-attr]
    assert session(site_acme, identity=verified(site_acme, "u-42")).visitor_id == first.visitor_id


def test_contacts_are_per_site(site_acme, site_globex):
    """The same user id on two sites is two contacts, each verified with its own site's secret."""
    acme = session(site_acme, identity=verified(site_acme))
    globex = session(site_globex, identity=verified(site_globex))
    assert acme.visitor_id != globex.visitor_id
    assert not check_identity(
        site=site_globex, user_id="u-42", user_hash=user_hash(site_acme, "u-42")
    ).verified
