"""Helpers of the accounts tests: links out of sent emails, TOTP codes."""

import re

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value, yield_hotp_counters_from_time
from django.contrib.auth.models import User
from django.core import mail


def emailed_link(pattern: str) -> str:
    """The path of the last email's link that matches `pattern` (a path prefix)."""
    found = re.search(rf"http://testserver({pattern}\S+)", str(mail.outbox[-1].body))
    assert found, mail.outbox[-1].body
    return found[1]


def totp_code(secret: str) -> str:
    """The code an authenticator app shows now for `secret`."""
    return str(format_hotp_value(hotp_value(secret, next(yield_hotp_counters_from_time()))))


@pytest.fixture
def owner_olga(db: None) -> User:
    """An owner who signed up and verified olga@shop.example."""
    user = User.objects.create_user(username="olga", email="olga@shop.example", password="olga-password-1")
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    return user
