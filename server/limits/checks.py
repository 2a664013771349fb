"""The named limits, each a setting of "N/period" (server/settings.py), and the checks that enforce them.

A check counts one hit on each of its limits and raises ParleyError with `retry_after` (whole seconds
until the window has room again) when one is full. Connection and HTTP checks count in turn and stop at
the first full limit. A message counts its visitor and its IP at once (with Redis, one round trip's wait
instead of two on every message); a visitor over its own limit therefore uses one hit of its IP's room
per refusal, and its socket then refuses by itself until retry_after (consumers/visitor.py), so a noisy
visitor cannot use up the room a whole office behind one NAT address shares.

An empty setting turns its limit off (the benchmarks' many sockets from one loopback address).
"""

import asyncio
import math
import time
import uuid
from dataclasses import dataclass
from functools import cache

from django.conf import settings
from limits import RateLimitItem, parse

from server.errors import ParleyError
from server.limits import storage


@dataclass(frozen=True)
class Limit:
    """A named limit: the setting holding its "N/period", and the name its counters are kept under."""

    name: str
    setting: str

    def item(self) -> RateLimitItem | None:
        """The limit's rate as configured now, or None when it is turned off."""
        return _parsed(str(getattr(settings, self.setting)))


HANDSHAKES_PER_IP = Limit("handshakes-ip", "PARLEY_LIMIT_HANDSHAKES_PER_IP")
HELLOS_PER_VISITOR = Limit("hellos-visitor", "PARLEY_LIMIT_HELLOS_PER_VISITOR")
MESSAGES_PER_VISITOR = Limit("messages-visitor", "PARLEY_LIMIT_MESSAGES_PER_VISITOR")
MESSAGES_PER_IP = Limit("messages-ip", "PARLEY_LIMIT_MESSAGES_PER_IP")
NEW_VISITORS_PER_IP = Limit("new-visitors-ip", "PARLEY_LIMIT_NEW_VISITORS_PER_IP")
NEW_VISITORS_PER_SITE = Limit("new-visitors-site", "PARLEY_LIMIT_NEW_VISITORS_PER_SITE")
NEW_CONVERSATIONS_PER_IP = Limit("new-conversations-ip", "PARLEY_LIMIT_NEW_CONVERSATIONS_PER_IP")
NEW_CONVERSATIONS_PER_SITE = Limit("new-conversations-site", "PARLEY_LIMIT_NEW_CONVERSATIONS_PER_SITE")
WIDGET_REQUESTS_PER_IP = Limit("widget-requests-ip", "PARLEY_LIMIT_WIDGET_REQUESTS_PER_IP")
PUSH_PER_AGENT = Limit("push-agent", "PARLEY_PUSH_PER_AGENT")
INVITATIONS_PER_SITE = Limit("invitations-site", "PARLEY_LIMIT_INVITATIONS_PER_SITE")
EMAIL_REQUESTS_PER_VISITOR = Limit("email-requests-visitor", "PARLEY_LIMIT_EMAIL_REQUESTS_PER_VISITOR")

MESSAGES_REFUSED = "Too many messages; this one was not stored."

ALL = (
    HANDSHAKES_PER_IP,
    HELLOS_PER_VISITOR,
    MESSAGES_PER_VISITOR,
    MESSAGES_PER_IP,
    NEW_VISITORS_PER_IP,
    NEW_VISITORS_PER_SITE,
    NEW_CONVERSATIONS_PER_IP,
    NEW_CONVERSATIONS_PER_SITE,
    WIDGET_REQUESTS_PER_IP,
    PUSH_PER_AGENT,
    INVITATIONS_PER_SITE,
    EMAIL_REQUESTS_PER_VISITOR,
)


@cache
def _parsed(value: str) -> RateLimitItem | None:
    return parse(value) if value.strip() else None


def refusal(*, reset_time: float, code: str, message: str) -> ParleyError:
    """The error for a window full until reset_time: retry_after in whole seconds, at least 1."""
    retry_after = max(1, math.ceil(reset_time - time.time()))
    return ParleyError(code, f"{message} Retry in {retry_after} s.", retry_after=retry_after)


async def _acheck(counted: list[tuple[Limit, str]], *, code: str, message: str) -> None:
    for limit, key in counted:
        item = limit.item()
        stats = None if item is None else await storage.ahit(item, limit.name, key)
        if stats is not None:
            raise refusal(reset_time=stats.reset_time, code=code, message=message)


async def _acheck_together(counted: list[tuple[Limit, str]], *, code: str, message: str) -> None:
    active = [(item, limit, key) for limit, key in counted if (item := limit.item()) is not None]
    windows = await asyncio.gather(*(storage.ahit(item, limit.name, key) for item, limit, key in active))
    full = [stats for stats in windows if stats is not None]
    if full:
        raise refusal(reset_time=max(stats.reset_time for stats in full), code=code, message=message)


def _check(counted: list[tuple[Limit, str]], *, code: str, message: str) -> None:
    for limit, key in counted:
        item = limit.item()
        stats = None if item is None else storage.hit(item, limit.name, key)
        if stats is not None:
            raise refusal(reset_time=stats.reset_time, code=code, message=message)


async def check_handshake(*, ip: str) -> None:
    """Count a visitor socket's handshake from an IP; connection_limited when it opens too many."""
    await _acheck([(HANDSHAKES_PER_IP, ip)], code="connection_limited", message="Too many connections.")


async def check_hello(*, visitor_id: uuid.UUID) -> None:
    """Count a visitor's accepted hello; connection_limited when it reconnects too often."""
    await _acheck(
        [(HELLOS_PER_VISITOR, str(visitor_id))], code="connection_limited", message="Reconnecting too often."
    )


async def check_visitor_message(*, visitor_id: uuid.UUID, ip: str) -> None:
    """Count a visitor's message, across all its sockets, and its IP, at once; rate_limited when too many."""
    await _acheck_together(
        [(MESSAGES_PER_VISITOR, str(visitor_id)), (MESSAGES_PER_IP, ip)],
        code="rate_limited",
        message=MESSAGES_REFUSED,
    )


def message_refusal(*, reset_time: float) -> ParleyError:
    """The error of a visitor's message refused by its limits until reset_time (a socket's own memo)."""
    return refusal(reset_time=reset_time, code="rate_limited", message=MESSAGES_REFUSED)


async def check_new_conversation(*, ip: str, site_id: int) -> None:
    """Count a conversation a visitor's message would start; rate_limited when too many start."""
    await _acheck(
        [(NEW_CONVERSATIONS_PER_IP, ip), (NEW_CONVERSATIONS_PER_SITE, str(site_id))],
        code="rate_limited",
        message="Too many new conversations; this message was not stored.",
    )


def check_new_visitor(*, ip: str, site_id: int) -> None:
    """Count a visitor about to be created; rate_limited when too many start."""
    _check(
        [(NEW_VISITORS_PER_IP, ip), (NEW_VISITORS_PER_SITE, str(site_id))],
        code="rate_limited",
        message="Too many new visitors.",
    )


def check_widget_request(*, ip: str) -> None:
    """Count a widget API request from an IP; rate_limited when it sends too many."""
    _check([(WIDGET_REQUESTS_PER_IP, ip)], code="rate_limited", message="Too many requests.")


def check_invitation(*, site_id: int) -> None:
    """Count an invitation sent for a site; rate_limited when its owners send too many."""
    _check(
        [(INVITATIONS_PER_SITE, str(site_id))],
        code="rate_limited",
        message="Too many invitations for this site; try again later.",
    )


def push_allowed(*, user_id: int) -> bool:
    """Count a Web Push to an agent (from a thread); False once it had PARLEY_PUSH_PER_AGENT of them."""
    item = PUSH_PER_AGENT.item()
    return item is None or storage.hit(item, PUSH_PER_AGENT.name, str(user_id)) is None


async def check_email_request(*, visitor_id: uuid.UUID) -> None:
    """Count a visitor's email address or transcript request (each may send mail); rate_limited past it."""
    await _acheck(
        [(EMAIL_REQUESTS_PER_VISITOR, str(visitor_id))],
        code="rate_limited",
        message="Too many email requests.",
    )
