"""Signed resume links: an emailed link that reopens the same visitor and conversation (docs/offline.md)."""

import uuid
from dataclasses import dataclass

from django.conf import settings
from django.core import signing

from server.conversations.tokens import VISITOR_TOKEN_MAX_CHARS, VISITOR_TOKEN_SEPARATOR, visitor_token_keys
from server.errors import ParleyError

# Its own salt: a resume token is never a visitor token, nor the other way round.
RESUME_TOKEN_SALT = "parley.resume-link"  # noqa: S105 - a salt, not a secret
# In the fragment of the page's address: `#parley-resume=<token>`. The widget's session request sends the
# address as its page_url (the fragment with it), the server reads the token there and never stores it.
RESUME_FRAGMENT = "parley-resume"
_MARK = f"#{RESUME_FRAGMENT}="


@dataclass(frozen=True)
class ResumeClaim:
    """What a valid resume token asserts."""

    site_id: int
    visitor_id: uuid.UUID
    conversation_id: uuid.UUID


def _signer() -> signing.TimestampSigner:
    key, fallback_keys = visitor_token_keys()
    return signing.TimestampSigner(
        key=key, fallback_keys=fallback_keys, salt=RESUME_TOKEN_SALT, sep=VISITOR_TOKEN_SEPARATOR
    )


def sign_resume_token(*, site_id: int, visitor_id: uuid.UUID, conversation_id: uuid.UUID) -> str:
    """A token naming a visitor's conversation, valid PARLEY_RESUME_LINK_MAX_AGE seconds."""
    return _signer().sign_object({"s": site_id, "v": visitor_id.hex, "c": conversation_id.hex})


def read_resume_token(*, token: object) -> ResumeClaim:
    """Verify a resume token and return its claim, or raise `token_invalid`."""
    if not isinstance(token, str) or not token or len(token) > VISITOR_TOKEN_MAX_CHARS:
        raise ParleyError("token_invalid", "The resume link is missing or malformed.")
    try:
        payload = _signer().unsign_object(token, max_age=settings.PARLEY_RESUME_LINK_MAX_AGE)
        site_id = payload["s"]
        claim = ResumeClaim(
            site_id=site_id,
            visitor_id=uuid.UUID(hex=payload["v"]),
            conversation_id=uuid.UUID(hex=payload["c"]),
        )
    except signing.SignatureExpired as error:
        raise ParleyError("token_invalid", "The resume link has expired.") from error
    except (signing.BadSignature, KeyError, TypeError, ValueError, UnicodeDecodeError) as error:
        raise ParleyError("token_invalid", "The resume link is not valid.") from error
    if not isinstance(site_id, int):
        raise ParleyError("token_invalid", "The resume link is not valid.")
    return claim


def resume_url(*, page_url: str, token: str) -> str:
    """The visitor's page with the token in its fragment (never sent to the host's server)."""
    return f"{page_url.split('#', 1)[0]}#{RESUME_FRAGMENT}={token}"


def resume_token_in(url: object) -> str | None:
    """The resume token in a page address's fragment, or None."""
    if not isinstance(url, str) or _MARK not in url:
        return None
    return url.split(_MARK, 1)[1].split("&", 1)[0] or None


def without_resume_token(url: str) -> str:
    """The page address without a resume link's fragment (the token must never be stored or shown)."""
    return url.split(_MARK, 1)[0]
