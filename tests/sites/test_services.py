"""Site services called directly: validation of site settings, and the admin's use of the same checks."""

import pytest

from server.errors import ParleyError
from server.sites.forms import SiteForm
from server.sites.services import check_widget_color, do_create_site

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.parametrize("color", ["red", "#fff", "#12345g", "#123456;}", "#123456\n", "\n#123456"])
def test_widget_colour_must_be_hex(color):
    """The colour ends up in CSS, so only #rrggbb passes."""
    with pytest.raises(ParleyError):
        check_widget_color(color=color)


def test_create_site_refuses_a_bad_position(db):
    """The widget position is right or left."""
    with pytest.raises(ParleyError):
        do_create_site(name="X", allowed_origins=[], position="top")


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("allowed_origins", "shop.example.com"),
        ("allowed_origins", "https://x.test/path"),
        ("widget_color", "red;}"),
    ],
)
def test_the_admin_refuses_bad_site_settings(field, value):
    """The admin's site form runs the same checks: no path in an origin, no CSS in a colour."""
    data = {
        "name": "X",
        "allowed_origins": "https://ok.test",
        "widget_color": "#123456",
        "widget_greeting": "Hi",
        "widget_away_message": "Away",
        "widget_position": "right",
        "business_timezone": "UTC",
        field: value,
    }
    form = SiteForm(data=data)
    assert not form.is_valid()
    assert field in form.errors


def test_the_admin_normalises_origins():
    """Origins entered in the admin are stored normalised, one per line."""
    form = SiteForm(
        data={
            "name": "X",
            "allowed_origins": "https://Shop.Test/\n\nhttps://shop.test",
            "widget_color": "#ABCDEF",
            "widget_greeting": "Hi",
            "widget_away_message": "Away",
            "widget_position": "left",
            "business_timezone": "UTC",
        }
    )
    assert form.is_valid(), form.errors
    assert form.cleaned_data["allowed_origins"] == "https://shop.test"
    assert form.cleaned_data["widget_color"] == "#abcdef"


def test_the_site_form_reads_business_hours_per_day():
    """Each day's field takes comma-separated spans; the site stores them as its business hours."""
    form = SiteForm(
        data={
            "name": "X",
            "allowed_origins": "https://ok.test",
            "widget_color": "#123456",
            "widget_greeting": "Hi",
            "widget_away_message": "Away",
            "widget_position": "right",
            "business_timezone": "Europe/Paris",
            "hours_0": "09:00-12:00, 13:30-18:00",
            "hours_5": " 10:00 - 14:00 ",
        }
    )
    assert form.is_valid(), form.errors
    assert form.instance.business_hours == [
        {"day": 0, "start": "09:00", "end": "12:00"},
        {"day": 0, "start": "13:30", "end": "18:00"},
        {"day": 5, "start": "10:00", "end": "14:00"},
    ]
    assert SiteForm(instance=form.save()).initial["hours_0"] == "09:00-12:00, 13:30-18:00"


@pytest.mark.parametrize("hours", ["9-5", "18:00-09:00", "09:00-12:00, 11:00-13:00"])
def test_the_site_form_names_the_day_with_bad_hours(hours):
    """A day's unreadable or impossible hours are an error on that day's field."""
    form = SiteForm(
        data={
            "name": "X",
            "widget_color": "#123456",
            "widget_greeting": "Hi",
            "widget_away_message": "Away",
            "widget_position": "right",
            "business_timezone": "UTC",
            "hours_2": hours,
        }
    )
    assert not form.is_valid()
    assert list(form.errors) == ["hours_2"]
