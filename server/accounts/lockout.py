"""django-axes' view of a login: which account a failed attempt counts against."""

from typing import Any

from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.http import HttpRequest


def typed_login(request: HttpRequest | None, credentials: dict[str, Any] | None) -> str:
    """What the person typed as their login: from allauth's credentials, else the posted form."""
    credentials = credentials or {}
    typed = credentials.get("username") or credentials.get("email")
    if not typed and request is not None:
        typed = request.POST.get("login") or request.POST.get("username")
    return str(typed or "").strip()


def login_username(request: HttpRequest | None, credentials: dict[str, Any] | None) -> str:
    """The username of the account a login names, by username or by email, so that both ways of typing it
    count against one lockout; what was typed (lowercased) when it names no account."""
    typed = typed_login(request, credentials)
    if not typed:
        return ""
    users = get_user_model()._default_manager
    user = users.filter(**{get_user_model().USERNAME_FIELD: typed}).first()
    if user is None and "@" in typed:
        address = EmailAddress.objects.filter(email__iexact=typed).select_related("user").first()
        user = address.user if address else users.filter(email__iexact=typed).first()
    return user.get_username() if user is not None else typed.lower()
