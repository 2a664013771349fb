"""Access that ends when it should: Django's signals about agents become AgentAccessChanged events, and
the current access of an open agent socket is read again.

Logging out, deactivation, deletion and a password change close the agent's sockets with 4401 (logout:
only the sockets of that session); a site membership removed (or its site deleted) closes them with 4003,
and the console reconnects at once for an inbox without that site. The events leave after commit through
PARLEY_EVENT_PUBLISHER, like every other domain event (the gateway sends them to the agent's group).
"""

import hashlib
import threading
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, load_backend
from django.contrib.auth.signals import user_logged_out
from django.db.models.signals import post_delete, post_save, pre_delete, pre_save
from django.dispatch import receiver
from django.http import HttpRequest
from django.utils.crypto import constant_time_compare
from django.utils.module_loading import import_string

from server.conversations import events, rules
from server.errors import CLOSE_ACCESS_CHANGED, CLOSE_NOT_AUTHENTICATED
from server.sites.models import SiteMembership

# An attribute pre_save leaves on an instance for post_save: the change to announce once it is saved.
_PENDING = "_parley_access_change"


class _Deleting(threading.local):
    """Per thread: the users being deleted, whose memberships go first in the same cascade."""

    user_ids: set[int]

    def __init__(self) -> None:
        self.user_ids = set()


_deleting = _Deleting()


def access_close_code(reason: events.AccessChange) -> int:
    """The close code an access change ends an agent's sockets with."""
    return CLOSE_ACCESS_CHANGED if reason == "site_removed" else CLOSE_NOT_AUTHENTICATED


def session_fingerprint(session_key: str) -> str:
    """A stand-in for a session key that may travel through the channel layer (it cannot log anyone in)."""
    return hashlib.sha256(f"parley.session:{session_key}".encode()).hexdigest()


def announce(*, user_id: int, reason: events.AccessChange, session_key: str | None = None) -> None:
    """Publish that an agent's access changed, once the current transaction commits."""
    events.publish([events.AgentAccessChanged(user_id=user_id, reason=reason, session_key=session_key)])


@receiver(user_logged_out)
def _signed_out(*, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    """Logging out ends the sockets opened with that session (the agent's other browsers stay)."""
    # Sent before logout() flushes the session, so the key is still the one the sockets were opened with.
    session_key = getattr(getattr(request, "session", None), "session_key", None)
    if user is not None and user.pk is not None and session_key:
        announce(user_id=int(user.pk), reason="signed_out", session_key=session_key)


@receiver(pre_save, sender=settings.AUTH_USER_MODEL)
def _user_saving(*, sender: Any, instance: Any, raw: bool, update_fields: Any, **kwargs: Any) -> None:
    """Notice a deactivation or a new password before the row is written (announced by _user_saved)."""
    if raw or instance.pk is None:
        return
    if update_fields is not None and not {"is_active", "password"} & set(update_fields):
        return  # e.g. last_login on every login: no read
    before = sender._default_manager.filter(pk=instance.pk).values_list("is_active", "password").first()
    if before is None:
        return
    was_active, password = before
    if was_active and not instance.is_active:
        setattr(instance, _PENDING, ("deactivated", instance.pk))
    elif password != instance.password:
        setattr(instance, _PENDING, ("password_changed", instance.pk))


@receiver(post_save, sender=settings.AUTH_USER_MODEL)
def _user_saved(*, instance: Any, **kwargs: Any) -> None:
    """Announce what _user_saving noticed, now that it is written (and sent only if it commits)."""
    _announce_pending(instance)


@receiver(pre_delete, sender=settings.AUTH_USER_MODEL)
def _user_deleting(*, instance: Any, **kwargs: Any) -> None:
    """Remember the user: a cascade sends every pre_delete before the memberships' post_delete."""
    _deleting.user_ids.add(int(instance.pk))


@receiver(post_delete, sender=settings.AUTH_USER_MODEL)
def _user_deleted(*, instance: Any, **kwargs: Any) -> None:
    """A deleted agent's sockets all close."""
    _deleting.user_ids.discard(int(instance.pk))
    announce(user_id=int(instance.pk), reason="deleted")


@receiver(pre_save, sender=SiteMembership)
def _membership_saving(*, instance: SiteMembership, raw: bool, **kwargs: Any) -> None:
    """A membership moved to another user or site is a site removed for its former user."""
    if raw or instance.pk is None:
        return
    before = SiteMembership.objects.filter(pk=instance.pk).values_list("user_id", "site_id").first()
    if before is not None and before != (instance.user_id, instance.site_id):
        setattr(instance, _PENDING, ("site_removed", before[0]))


@receiver(post_save, sender=SiteMembership)
def _membership_saved(*, instance: SiteMembership, **kwargs: Any) -> None:
    """Announce what _membership_saving noticed."""
    _announce_pending(instance)


@receiver(post_delete, sender=SiteMembership)
def _membership_deleted(*, instance: SiteMembership, **kwargs: Any) -> None:
    """A membership removed, alone or with its site, closes that agent's sockets with 4003."""
    # Removed with its user: the user's deletion is what the sockets must hear (4401, not reconnect).
    deleting = instance.user_id in _deleting.user_ids
    announce(user_id=int(instance.user_id), reason="deleted" if deleting else "site_removed")


def _announce_pending(instance: Any) -> None:
    pending = instance.__dict__.pop(_PENDING, None)
    if pending is not None:
        reason, user_id = pending
        announce(user_id=int(user_id), reason=reason)


@dataclass(frozen=True)
class AgentAccess:
    """What an open agent socket may still do: whether its session still signs in its user, and the sites."""

    signed_in: bool
    site_ids: frozenset[int]


def current_access(*, user_id: int, session_key: str | None) -> AgentAccess:
    """Read again whether a session still belongs to an active user_id, and that user's sites."""
    site_ids = frozenset(rules.agent_site_ids(user_id=user_id).values_list("site", flat=True))
    signed_in = _session_signs_in(user_id=user_id, session_key=session_key)
    return AgentAccess(signed_in=signed_in, site_ids=site_ids)


def _session_signs_in(*, user_id: int, session_key: str | None) -> bool:
    """Whether the session is still there, for this user, and its password hash still matches (as login)."""
    if not session_key:
        return False
    store = import_string(f"{settings.SESSION_ENGINE}.SessionStore")(session_key=session_key)
    data = store.load()
    backend_path = data.get(BACKEND_SESSION_KEY)
    if str(data.get(SESSION_KEY)) != str(user_id) or backend_path not in settings.AUTHENTICATION_BACKENDS:
        return False
    user = load_backend(backend_path).get_user(user_id)  # None when deleted or inactive
    if user is None:
        return False
    session_hash = data.get(HASH_SESSION_KEY) or ""
    hashes = [user.get_session_auth_hash(), *user.get_session_auth_fallback_hash()]
    return any(constant_time_compare(session_hash, candidate) for candidate in hashes)
