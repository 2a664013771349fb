"""The agent socket's Origin lock: configured origins serialised as browsers send them, compared whole."""

import pytest

from server.realtime.origins import console_origins, origin_allowed


def test_console_origins_come_from_csrf_trusted_origins(settings):
    """CSRF_TRUSTED_ORIGINS, serialised; an entry that is no bare origin is left out."""
    settings.CSRF_TRUSTED_ORIGINS = ["https://Chat.Example.com:443", "https://*.example.com"]
    assert console_origins() == frozenset({"https://chat.example.com"})


@pytest.mark.parametrize(
    ("headers", "allowed"),
    [
        ([(b"origin", b"https://chat.example.com")], True),
        ([(b"origin", b"https://chat.example.com/")], False),
        ([(b"origin", b"https://evil.com@chat.example.com")], False),
        ([(b"origin", b"https://CHAT.example.com")], False),
        ([(b"origin", b"https://chat.example.com\xff")], False),
        ([(b"origin", b"https://chat.example.com"), (b"origin", b"https://chat.example.com")], False),
        ([], False),
    ],
)
def test_only_one_origin_equal_as_a_whole_string_is_allowed(headers, allowed):
    """One Origin header equal to an allowed origin; a second header, any other spelling or none → no."""
    assert origin_allowed(headers=headers, allowed=frozenset({"https://chat.example.com"})) is allowed
