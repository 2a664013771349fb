"""A site's business hours: when its team answers, in the site's own timezone.

Stored on the site as a list of spans, `{"day": 0..6 (Monday first), "start": "09:00", "end": "17:30"}`,
in `business_timezone`. No span at all means always open. A span ends the same day (at most "24:00");
hours past midnight are a second span on the next day.
"""

import datetime
import itertools
import re
import zoneinfo
from dataclasses import dataclass
from functools import cache

from server.errors import ParleyError
from server.sites.models import Site

DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
SPANS_PER_DAY_MAX = 3
_CLOCK = re.compile(r"([01][0-9]|2[0-3]):([0-5][0-9])|24:00")


@dataclass(frozen=True)
class Span:
    """Open from `start` to `end` (minutes since midnight) on `day` (0 is Monday)."""

    day: int
    start: int
    end: int

    def as_json(self) -> dict[str, object]:
        return {"day": self.day, "start": _clock(self.start), "end": _clock(self.end)}


def _minutes(value: object) -> int:
    if not isinstance(value, str) or not _CLOCK.fullmatch(value):
        raise ParleyError("invalid_field", "Business hours are written as HH:MM, from 00:00 to 24:00.")
    hours, minutes = value.split(":")
    return int(hours) * 60 + int(minutes)


def _clock(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


@cache
def timezone_names() -> frozenset[str]:
    """The IANA timezone names this machine knows."""
    return frozenset(zoneinfo.available_timezones())


@cache
def timezone_choices() -> list[tuple[str, str]]:
    """The timezone names as a form's choices, sorted."""
    return [(name, name) for name in sorted(timezone_names())]


def check_timezone(*, name: str) -> str:
    """An IANA timezone name such as Europe/Paris, or raise `invalid_field`."""
    name = name.strip()
    if name not in timezone_names():
        raise ParleyError("invalid_field", "Choose a timezone such as Europe/Paris or America/New_York.")
    return name


def check_business_hours(*, spans: object) -> list[dict[str, object]]:
    """Validated spans, sorted by day and start, in their stored form, or raise `invalid_field`."""
    if not isinstance(spans, list):
        raise ParleyError("invalid_field", "Business hours are a list of opening spans.")
    checked: list[Span] = []
    for span in spans:
        if not isinstance(span, dict) or set(span) != {"day", "start", "end"}:
            raise ParleyError("invalid_field", "Each opening span has a day, a start and an end.")
        day = span["day"]
        if not isinstance(day, int) or isinstance(day, bool) or not 0 <= day <= 6:
            raise ParleyError("invalid_field", "An opening span's day is 0 (Monday) to 6 (Sunday).")
        start, end = _minutes(span["start"]), _minutes(span["end"])
        if start >= end:
            raise ParleyError(
                "invalid_field", f"On {DAYS[day]}, the opening time must come before the closing time."
            )
        checked.append(Span(day=day, start=start, end=end))
    checked.sort(key=lambda span: (span.day, span.start))
    for earlier, later in itertools.pairwise(checked):
        if earlier.day == later.day and later.start < earlier.end:
            raise ParleyError("invalid_field", f"On {DAYS[later.day]}, two opening spans overlap.")
    for day in range(7):
        if sum(1 for span in checked if span.day == day) > SPANS_PER_DAY_MAX:
            raise ParleyError(
                "invalid_field", f"On {DAYS[day]}, give at most {SPANS_PER_DAY_MAX} opening spans."
            )
    return [span.as_json() for span in checked]


def spans_of(*, site: Site) -> list[Span]:
    """The site's stored spans (validated when they were saved)."""
    return [
        Span(day=int(span["day"]), start=_minutes(span["start"]), end=_minutes(span["end"]))
        for span in site.business_hours
    ]


def is_within_hours(*, site: Site, at: datetime.datetime) -> bool:
    """Whether `at` (aware) falls in the site's business hours; always true for a site with none."""
    spans = spans_of(site=site)
    if not spans:
        return True
    try:
        zone = zoneinfo.ZoneInfo(site.business_timezone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        zone = zoneinfo.ZoneInfo("UTC")
    local = at.astimezone(zone)
    minute = local.hour * 60 + local.minute
    weekday = local.weekday()
    return any(span.day == weekday and span.start <= minute < span.end for span in spans)
