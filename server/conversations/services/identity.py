"""Identity verification: who the host page says its visitor is, checked against the site's secret.

A verified identity (an HMAC-SHA256 `user_hash` of the user id, or an HS256 JWT with `sub` and `exp`)
makes the session that contact's visitor, on any browser or device, with the same conversations. An
unverified one only names the visitor it has, and never attaches to a contact or its history; when the
site requires verification, it is refused and the session stays anonymous (docs/identity.md).
"""

import hmac
import logging
from dataclasses import dataclass

import jwt
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils import timezone

from server.conversations.models import Contact, Visitor
from server.errors import ParleyError
from server.sites.identity import identity_secrets, sign_user_id
from server.sites.models import Site

logger = logging.getLogger(__name__)

MAX_USER_ID_CHARS = 255
MAX_NAME_CHARS = 120


@dataclass(frozen=True)
class Identity:
    """An identity as checked: `verified`, or why not (`error` only when the site requires verification)."""

    user_id: str
    email: str
    name: str
    verified: bool
    error: ParleyError | None = None


def check_identity(
    *,
    site: Site,
    user_id: str | None,
    email: str | None = None,
    name: str | None = None,
    user_hash: str | None = None,
    token: str | None = None,
) -> Identity:
    """Verify an identity with the site's secrets (a token, else user_hash); a bad one is not an error."""
    user_id = (user_id or "").strip()
    email, name = _clean_email(email), (name or "").strip()[:MAX_NAME_CHARS]
    failure: str | None = None
    if token:
        claims, failure = _verified_claims(token=token, secrets=identity_secrets(site=site))
        subject = str(claims.get("sub", ""))
        if claims and user_id and user_id != subject:
            failure = "the token's sub is not the user_id given"
        user_id = subject or user_id
        email = email or _clean_email(claims.get("email"))
        name = name or str(claims.get("name") or "").strip()[:MAX_NAME_CHARS]
    elif not user_id:
        failure = "it has no user_id"
    elif not user_hash:
        failure = "it has neither a user_hash nor a token"
    elif not _hash_matches(user_id=user_id, user_hash=user_hash, secrets=identity_secrets(site=site)):
        failure = "the user_hash is not the HMAC-SHA256 of the user_id with the site's secret"
    if failure is None and not 0 < len(user_id) <= MAX_USER_ID_CHARS:
        failure = f"the user id must have 1 to {MAX_USER_ID_CHARS} characters"
    if failure is None:
        return Identity(user_id=user_id, email=email, name=name, verified=True)
    # The reason only: ids, hashes and tokens stay out of the log.
    logger.info("identity on site %s not verified: %s", site.pk, failure)
    error = None
    if site.identity_required:
        error = ParleyError("identity_unverified", f"This site requires a verified identity, and {failure}.")
    return Identity(user_id=user_id[:MAX_USER_ID_CHARS], email=email, name=name, verified=False, error=error)


def visitor_for_identity(
    *, site: Site, identity: Identity, visitor: Visitor | None
) -> tuple[Visitor | None, Contact | None]:
    """The visitor a session with this identity is (None: a new one), given the one its token named, and
    the verified identity's contact (None when not verified).

    Verified: the contact's visitor, else the token's when it is nobody's contact yet. Not verified: the
    token's visitor, unless it is a contact's and the identity does not name that contact, or the site
    refused the identity; then a new, anonymous one.
    """
    if identity.verified:
        contact, created = Contact.objects.get_or_create(
            site=site,
            external_id=identity.user_id,
            defaults={"email": identity.email, "name": identity.name, "verified_at": timezone.now()},
        )
        # Serialises two first sessions of one contact, so only one visitor is linked to it.
        contact = Contact.objects.select_for_update().get(pk=contact.pk)
        # A logged-in page identifies on every load: the row is written only when the details changed.
        details = (identity.email or contact.email, identity.name or contact.name)
        if not created and details != (contact.email, contact.name):
            contact.email, contact.name = details
            contact.save(update_fields=["email", "name"])
        linked = Visitor.objects.filter(contact=contact).first()
        if linked is None and visitor is not None and visitor.contact_id is None:
            linked = visitor
        return linked, contact
    if visitor is None or visitor.contact_id is None:
        return visitor, None
    if (
        identity.error is None
        and Contact.objects.filter(pk=visitor.contact_id, external_id=identity.user_id).exists()
    ):
        return visitor, None
    return None, None


def apply_identity(*, visitor: Visitor, identity: Identity, contact: Contact | None) -> list[str]:
    """Link a verified identity's `contact` (from visitor_for_identity) and copy its name and email; an
    unverified identity (not refused) only names an anonymous visitor. Changes the visitor in memory and
    returns the fields changed, for the session's one write."""
    if contact is not None:
        visitor.contact = contact
        visitor.name, visitor.email = contact.name, contact.email
        return ["contact", "name", "email"]
    if identity.error is None and visitor.contact_id is None and identity.name:
        visitor.name = identity.name
        return ["name"]
    return []


def _verified_claims(*, token: str, secrets: list[str]) -> tuple[dict[str, object], str | None]:
    for secret in secrets:
        try:
            claims: dict[str, object] = jwt.decode(
                token,
                secret,
                algorithms=["HS256"],
                options={"require": ["exp", "sub"]},
                leeway=settings.PARLEY_IDENTITY_JWT_LEEWAY_SECONDS,
            )
        except jwt.InvalidSignatureError:
            continue
        except jwt.ExpiredSignatureError:
            return {}, "the token has expired"
        except jwt.InvalidTokenError:
            return {}, "the token is not an HS256 JWT with sub and exp"
        return claims, None
    return {}, "the token is not signed with the site's secret"


def _hash_matches(*, user_id: str, user_hash: str, secrets: list[str]) -> bool:
    given = user_hash.strip().lower().encode()
    return any(
        hmac.compare_digest(sign_user_id(secret=secret, user_id=user_id).encode(), given)
        for secret in secrets
    )


def _clean_email(value: object) -> str:
    if not isinstance(value, str) or len(value) > 254:
        return ""
    try:
        validate_email(value.strip())
    except ValidationError:
        return ""
    return value.strip()
