"""Business hours: validated spans, and whether a moment falls in them in the site's timezone."""

import datetime

import pytest

from server.errors import ParleyError
from server.sites.hours import check_business_hours, check_timezone, is_within_hours
from server.sites.models import Site

UTC = datetime.UTC


def _site(spans: object, zone: str = "UTC") -> Site:
    return Site(name="S", business_hours=check_business_hours(spans=spans), business_timezone=zone)


@pytest.mark.parametrize(
    "spans",
    [
        "mon",
        [{"day": 7, "start": "09:00", "end": "17:00"}],
        [{"day": True, "start": "09:00", "end": "17:00"}],
        [{"day": 0, "start": "9:00", "end": "17:00"}],
        [{"day": 0, "start": "17:00", "end": "09:00"}],
        [{"day": 0, "start": "09:00", "end": "24:01"}],
        [{"day": 0, "start": "09:00", "end": "17:00", "extra": 1}],
        [{"day": 0, "start": "09:00", "end": "12:00"}, {"day": 0, "start": "11:00", "end": "13:00"}],
        [{"day": 0, "start": f"{h:02d}:00", "end": f"{h:02d}:30"} for h in range(4)],
    ],
)
def test_bad_business_hours_are_refused(spans):
    """Only whole, ordered, non-overlapping spans within a day pass, at most three a day."""
    with pytest.raises(ParleyError):
        check_business_hours(spans=spans)


def test_business_hours_are_sorted():
    """Spans are stored by day, then by opening time."""
    spans = [{"day": 4, "start": "13:00", "end": "24:00"}, {"day": 4, "start": "08:00", "end": "12:00"}]
    assert check_business_hours(spans=spans) == list(reversed(spans))


def test_a_site_without_hours_is_always_open():
    """No span at all means the team answers at any time."""
    assert is_within_hours(site=_site([]), at=datetime.datetime(2026, 12, 6, 3, 0, tzinfo=UTC))


def test_hours_are_read_in_the_sites_timezone():
    """09:00-17:00 in Tokyo on a Monday is 00:00-08:00 UTC that Monday."""
    site = _site([{"day": 0, "start": "09:00", "end": "17:00"}], zone="Asia/Tokyo")
    monday = datetime.datetime(2026, 12, 7, tzinfo=UTC)
    assert is_within_hours(site=site, at=monday.replace(hour=0))
    assert is_within_hours(site=site, at=monday.replace(hour=7, minute=59))
    assert not is_within_hours(site=site, at=monday.replace(hour=8))
    assert not is_within_hours(site=site, at=monday.replace(day=6, hour=23, minute=59))


def test_unknown_timezones_are_refused():
    """A timezone is an IANA name."""
    assert check_timezone(name=" Europe/Paris ") == "Europe/Paris"
    with pytest.raises(ParleyError):
        check_timezone(name="Mars/Olympus")
