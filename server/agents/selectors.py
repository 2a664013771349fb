"""Reads of agents' own settings: their notification preferences and where to push to them."""

from collections.abc import Collection
from dataclasses import asdict, dataclass
from typing import NamedTuple

from django.conf import settings

from server.agents.models import NotificationPreferences, PushSubscription
from server.sites.models import SiteMembership


@dataclass(frozen=True)
class Preferences:
    """An agent's notification preferences (the model's defaults when it never changed them)."""

    desktop: bool
    push: bool
    sound: bool
    title_count: bool

    def as_dict(self) -> dict[str, bool]:
        """The preferences by name."""
        return asdict(self)


PREFERENCE_NAMES = tuple(Preferences.__dataclass_fields__)


def preferences_of(row: NotificationPreferences) -> Preferences:
    """A stored row's preferences."""
    return Preferences(**{name: bool(getattr(row, name)) for name in PREFERENCE_NAMES})


def default_preferences() -> Preferences:
    """What an agent who never changed a preference has."""
    return preferences_of(NotificationPreferences())


def agent_preferences(*, user_id: int) -> Preferences:
    """One agent's notification preferences."""
    row = NotificationPreferences.objects.filter(user_id=user_id).first()
    return default_preferences() if row is None else preferences_of(row)


class PushTarget(NamedTuple):
    """One browser to push to: its subscription row's id, the agent, and what pywebpush needs."""

    id: int
    user_id: int
    endpoint: str
    p256dh: str
    auth: str


def site_member_ids(*, site_id: int) -> list[int]:
    """The active agents of a site."""
    return list(
        SiteMembership.objects.filter(site_id=site_id, user__is_active=True).values_list("user_id", flat=True)
    )


def push_targets(*, user_ids: Collection[int]) -> list[PushTarget]:
    """The subscriptions of those agents (active, with Web Push on), newest first."""
    wanted = NotificationPreferences.objects.filter(
        push=True, user__is_active=True, user_id__in=list(user_ids)
    )
    rows = (
        PushSubscription.objects.filter(user_id__in=wanted.values("user_id"))
        .order_by("-created_at", "-id")
        .values_list("id", "user_id", "endpoint", "p256dh", "auth")
    )
    return [PushTarget(*row) for row in rows]


def web_push_configured() -> bool:
    """Whether Web Push is on: both VAPID keys are set."""
    return bool(settings.PARLEY_VAPID_PRIVATE_KEY and settings.PARLEY_VAPID_PUBLIC_KEY)
