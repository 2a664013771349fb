"""Site services called directly: validation of site settings, and the admin's use of the same checks."""

import pytest

from server.errors import ParleyError
from server.sites.admin import SiteForm
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
        "widget_position": "right",
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
            "widget_position": "left",
        }
    )
    assert form.is_valid(), form.errors
    assert form.cleaned_data["allowed_origins"] == "https://shop.test"
    assert form.cleaned_data["widget_color"] == "#abcdef"
