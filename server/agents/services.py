"""Changes to agents' own settings: notification preferences and Web Push subscriptions."""

import base64
import binascii
from collections.abc import Mapping
from typing import NamedTuple
from urllib.parse import urlsplit

from cryptography.hazmat.primitives.asymmetric import ec
from django.conf import settings
from django.db import transaction

from server.agents.models import ENDPOINT_MAX_LENGTH, NotificationPreferences, PushSubscription
from server.agents.selectors import PREFERENCE_NAMES, Preferences, preferences_of
from server.conversations import events
from server.errors import ParleyError

# Loopback hosts a push service may be reached on over plain http, when PARLEY_PUSH_ALLOW_LOOPBACK_HTTP is on.
LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})
P256_POINT_BYTES = 65  # an uncompressed P-256 point: 0x04, x, y
AUTH_SECRET_BYTES = 16


@transaction.atomic
def do_set_preferences(*, user_id: int, changes: Mapping[str, bool]) -> Preferences:
    """Store the preferences named in `changes` and tell every console of the agent."""
    unknown = set(changes) - set(PREFERENCE_NAMES)
    if unknown:
        raise ValueError(f"unknown preferences {sorted(unknown)}")
    row, _ = NotificationPreferences.objects.select_for_update().get_or_create(user_id=user_id)
    for name, value in changes.items():
        setattr(row, name, value)
    row.save()
    preferences = preferences_of(row)
    events.publish([events.PreferencesChanged(user_id=user_id, preferences=preferences.as_dict())])
    return preferences


class NewSubscription(NamedTuple):
    """A browser's push subscription, checked: the endpoint to post to and its encryption keys."""

    endpoint: str
    p256dh: str
    auth: str


def check_subscription(*, data: object) -> NewSubscription:
    """A PushSubscription's JSON (`{endpoint, keys: {p256dh, auth}}`) checked, else invalid_field."""
    if not isinstance(data, dict):
        raise ParleyError("invalid_json", "The body must be a JSON object.")
    endpoint = check_endpoint(data.get("endpoint"))
    keys = data.get("keys")
    if not isinstance(keys, dict):
        raise ParleyError("invalid_field", "keys: must be an object with p256dh and auth.")
    p256dh = _key(keys.get("p256dh"), name="keys.p256dh", size=P256_POINT_BYTES)
    try:
        ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), _decode(p256dh))
    except ValueError:
        raise ParleyError("invalid_field", "keys.p256dh: not a P-256 public key.") from None
    auth = _key(keys.get("auth"), name="keys.auth", size=AUTH_SECRET_BYTES)
    return NewSubscription(endpoint=endpoint, p256dh=p256dh, auth=auth)


def check_endpoint(value: object) -> str:
    """A push service URL: https (or http on loopback when allowed), no userinfo, within the stored size."""
    if not isinstance(value, str) or not value or len(value) > ENDPOINT_MAX_LENGTH:
        raise ParleyError(
            "invalid_field", f"endpoint: must be a URL of at most {ENDPOINT_MAX_LENGTH} characters."
        )
    if not value.isprintable() or any(char.isspace() for char in value):
        raise ParleyError("invalid_field", "endpoint: must be a URL without spaces or control characters.")
    try:
        parts = urlsplit(value)
        hostname = parts.hostname
        parts.port  # noqa: B018 (a port out of range raises here)
    except ValueError:
        raise ParleyError("invalid_field", "endpoint: not a URL.") from None
    if not hostname or parts.username is not None or parts.password is not None:
        raise ParleyError("invalid_field", "endpoint: must name a host, without user or password.")
    loopback_http = (
        parts.scheme == "http" and hostname in LOOPBACK_HOSTS and settings.PARLEY_PUSH_ALLOW_LOOPBACK_HTTP
    )
    if parts.scheme != "https" and not loopback_http:
        raise ParleyError("invalid_field", "endpoint: must be an https URL.")
    if not loopback_http and not _known_push_service(hostname):
        raise ParleyError("invalid_field", "endpoint: not a push service this server posts to.")
    return value


def _known_push_service(hostname: str) -> bool:
    hosts = [host.lower().strip(".") for host in settings.PARLEY_PUSH_SERVICE_HOSTS if host.strip(".")]
    return not hosts or any(hostname == host or hostname.endswith("." + host) for host in hosts)


def _key(value: object, *, name: str, size: int) -> str:
    if not isinstance(value, str) or len(value) > 200:
        raise ParleyError("invalid_field", f"{name}: must be a base64url string.")
    try:
        raw = _decode(value)
    except (binascii.Error, ValueError):
        raise ParleyError("invalid_field", f"{name}: must be a base64url string.") from None
    if len(raw) != size:
        raise ParleyError("invalid_field", f"{name}: must hold {size} bytes.")
    return value.rstrip("=")


def _decode(value: str) -> bytes:
    if not value.isascii():
        raise ValueError("not base64url")
    stripped = value.rstrip("=")
    return base64.urlsafe_b64decode(stripped + "=" * (-len(stripped) % 4))


@transaction.atomic
def do_subscribe(*, user_id: int, subscription: NewSubscription) -> None:
    """Store a browser's subscription for the agent, keeping its newest PARLEY_PUSH_SUBSCRIPTIONS_PER_AGENT.

    An endpoint stored for another agent moves to this one: it is the same browser, now signed in as them.
    """
    PushSubscription.objects.update_or_create(
        endpoint=subscription.endpoint,
        defaults={"user_id": user_id, "p256dh": subscription.p256dh, "auth": subscription.auth},
    )
    kept = PushSubscription.objects.filter(user_id=user_id).order_by("-created_at", "-id")
    stale = list(kept.values_list("id", flat=True)[settings.PARLEY_PUSH_SUBSCRIPTIONS_PER_AGENT :])
    if stale:
        PushSubscription.objects.filter(id__in=stale).delete()


def do_unsubscribe(*, user_id: int, endpoint: str) -> bool:
    """Forget the agent's subscription at that endpoint; whether there was one."""
    deleted, _ = PushSubscription.objects.filter(user_id=user_id, endpoint=endpoint).delete()
    return deleted > 0


def do_drop_subscription(*, subscription_id: int) -> None:
    """Forget a subscription the push service says is gone (404 or 410)."""
    PushSubscription.objects.filter(id=subscription_id).delete()
