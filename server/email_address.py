"""Email addresses typed by people (a visitor's, an invitee's): one check for every door."""

from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator

from server.errors import ParleyError

EMAIL_MAX_CHARS = 254
# No "localhost" (EmailValidator allows it by default): mail goes to addresses on the public internet.
_VALIDATOR = EmailValidator(allowlist=[])


def check_email_address(*, email: str, code: str = "invalid_field") -> str:
    """The address trimmed, its domain lower-cased (the local part is the mailbox's own); else `code`."""
    value = email.strip()
    if not value or len(value) > EMAIL_MAX_CHARS:
        raise ParleyError(code, f"An email address has 1..{EMAIL_MAX_CHARS} characters.")
    try:
        _VALIDATOR(value)
    except ValidationError as error:
        raise ParleyError(code, "This is not an email address.") from error
    local, _, domain = value.rpartition("@")
    return f"{local}@{domain.lower()}"
