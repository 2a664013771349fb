"""Signed visitor tokens: who the visitor is and which site issued the token."""

import uuid
from dataclasses import dataclass

from django.conf import settings
from django.core import signing

from server.errors import ParleyError

VISITOR_TOKEN_SALT = "parley.visitor-token"  # noqa: S105 - a salt, not a secret
# Tokens travel in JSON frames and may one day travel as a WebSocket subprotocol, where ':' is refused.
VISITOR_TOKEN_SEPARATOR = "."  # noqa: S105
VISITOR_TOKEN_MAX_CHARS = 512


@dataclass(frozen=True)
class VisitorClaim:
    """What a valid visitor token asserts."""

    site_id: int
    visitor_id: uuid.UUID


def visitor_token_keys() -> tuple[str, list[str | bytes]]:
    """The key that signs visitor tokens and the older keys still accepted (docs/deploy.md, rotating keys).

    PARLEY_VISITOR_TOKEN_KEY, with its own fallbacks, when set: visitor tokens then rotate apart from
    SECRET_KEY, which signs agent sessions. Otherwise SECRET_KEY and SECRET_KEY_FALLBACKS.
    """
    if settings.PARLEY_VISITOR_TOKEN_KEY:
        return settings.PARLEY_VISITOR_TOKEN_KEY, list(settings.PARLEY_VISITOR_TOKEN_KEY_FALLBACKS)
    return settings.SECRET_KEY, list(settings.SECRET_KEY_FALLBACKS)


def _signer() -> signing.TimestampSigner:
    key, fallback_keys = visitor_token_keys()
    return signing.TimestampSigner(
        key=key, fallback_keys=fallback_keys, salt=VISITOR_TOKEN_SALT, sep=VISITOR_TOKEN_SEPARATOR
    )


def sign_visitor_token(*, site_id: int, visitor_id: uuid.UUID) -> str:
    """Return a token binding a visitor to a site (signed, not encrypted: ids only, no personal data).

    Always with the current key: a session request resuming a visitor re-signs a token a fallback key
    accepted, so tokens move to a new key as visitors come back.
    """
    return _signer().sign_object({"s": site_id, "v": visitor_id.hex})


def read_visitor_token(*, token: object, max_age: int) -> VisitorClaim:
    """Verify a visitor token and return its claim, or raise `token_invalid`."""
    if not isinstance(token, str) or not token or len(token) > VISITOR_TOKEN_MAX_CHARS:
        raise ParleyError("token_invalid", "The visitor token is missing or malformed.")
    try:
        payload = _signer().unsign_object(token, max_age=max_age)
    except signing.SignatureExpired as error:
        raise ParleyError("token_invalid", "The visitor token has expired.") from error
    except (signing.BadSignature, ValueError, UnicodeDecodeError) as error:
        raise ParleyError("token_invalid", "The visitor token is not valid.") from error
    try:
        site_id = payload["s"]
        visitor_id = uuid.UUID(hex=payload["v"])
    except (KeyError, TypeError, ValueError) as error:
        raise ParleyError("token_invalid", "The visitor token is not valid.") from error
    if not isinstance(site_id, int):
        raise ParleyError("token_invalid", "The visitor token is not valid.")
    return VisitorClaim(site_id=site_id, visitor_id=visitor_id)
