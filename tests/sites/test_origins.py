"""Allowed origins: how they are written, and which browser Origins they let in."""

import pytest

from server.errors import ParleyError
from server.sites.origins import check_allowed_origin, check_allowed_origins, origin_rules, serialized_origin


@pytest.mark.parametrize(
    ("configured", "serialized"),
    [
        ("https://chat.example.com", "https://chat.example.com"),
        ("HTTPS://Chat.Example.COM", "https://chat.example.com"),
        ("https://chat.example.com:443", "https://chat.example.com"),
        ("http://localhost:80/", "http://localhost"),
        ("http://localhost:8000", "http://localhost:8000"),
        ("http://[::1]:8000", "http://[::1]:8000"),
        ("https://bücher.example", "https://xn--bcher-kva.example"),
        ("https://*.example.com", None),
        ("https://user@chat.example.com", None),
        ("https://chat.example.com/console", None),
        ("https://chat.example.com?x=1", None),
        ("ftp://chat.example.com", None),
        ("chat.example.com", None),
        ("http://localhost:99999", None),
    ],
)
def test_an_origin_is_serialised_as_browsers_send_it_or_dropped(configured, serialized):
    """Case, default ports and punycode as browsers write them; wildcards, userinfo, paths → None."""
    assert serialized_origin(configured) == serialized


@pytest.mark.parametrize(
    ("written", "stored"),
    [
        ("https://Shop.Example.com/", "https://shop.example.com"),
        ("https://shop.example.com:443", "https://shop.example.com"),
        ("  http://localhost:8000 ", "http://localhost:8000"),
        ("https://*.Example.com", "https://*.example.com"),
        ("https://*.example.com:8443", "https://*.example.com:8443"),
        ("https://*.shop.example.co.uk", "https://*.shop.example.co.uk"),
    ],
)
def test_an_allowed_origin_is_normalised(written, stored):
    """An exact origin or a subdomain wildcard is stored as browsers would send it."""
    assert check_allowed_origin(origin=written) == stored


@pytest.mark.parametrize(
    "written",
    [
        "shop.example.com",
        "ftp://x.test",
        "https://x.test/path",
        "https://u:p@x.test",
        "https://*",
        "https://*.com",
        "https://*.localhost",
        "https://*.127.0.0.1",
        "https://*example.com",
        "https://shop.*.example.com",
        "https://*.*.example.com",
        "*.example.com",
        "null",
    ],
)
def test_a_malformed_or_too_wide_origin_is_refused(written):
    """Anything but an origin or `scheme://*.domain[:port]` with a domain of two labels or more is refused."""
    with pytest.raises(ParleyError) as raised:
        check_allowed_origin(origin=written)
    assert raised.value.code == "invalid_field"


def test_a_list_of_origins_drops_blanks_and_duplicates():
    """Blank lines go, and two spellings of one origin are stored once."""
    written = ["https://A.test/", "", "https://a.test:443", "https://*.a.test"]
    assert check_allowed_origins(origins=written) == ["https://a.test", "https://*.a.test"]


@pytest.mark.parametrize(
    ("origin", "allowed"),
    [
        ("https://shop.example.com", True),
        ("https://a.example.com", True),
        ("https://a.b.example.com", True),
        ("https://example.com", False),
        ("http://a.example.com", False),
        ("https://a.example.com:8443", False),
        ("https://a.example.com.evil.test", False),
        ("https://evilexample.com", False),
        ("https://a.example.com/", False),
        ("https://user@a.example.com", False),
        ("https://-a.example.com", False),
        ("https://..example.com", False),
        ("https://Shop.Example.com", False),
        ("https://app.other.test:8443", True),
        ("https://app.other.test", False),
        ("null", False),
        ("", False),
        (None, False),
    ],
)
def test_a_browser_origin_is_matched_as_sent(origin, allowed):
    """Exact origins match whole; a wildcard matches subdomains at any depth, on its scheme and port."""
    rules = origin_rules("https://shop.example.com\nhttps://*.example.com\nhttps://*.other.test:8443")
    assert rules.allows(origin) is allowed


def test_lines_stored_before_these_rules_still_match():
    """A line stored earlier is normalised when read (port, case, slash); a bad line allows nothing."""
    rules = origin_rules("HTTPS://Shop.Example.com:443/\nnot an origin\n\nhttps://*.com")
    assert rules.allows("https://shop.example.com")
    assert rules.exact == frozenset({"https://shop.example.com"})
    assert rules.wildcards == ()
