"""Browser and OS from a User-Agent."""

from server.conversations.user_agents import browser_and_os

CHROME_WINDOWS = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/120.0.0.0 Safari/537.36"
)
SAFARI_IPHONE = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1"
)


def test_common_browsers_are_named_with_their_major_version():
    """Chrome on Windows and Safari on an iPhone are told apart."""
    assert browser_and_os(CHROME_WINDOWS) == ("Chrome 120", "Windows 10")
    assert browser_and_os(SAFARI_IPHONE) == ("Mobile Safari 17", "iOS 17")


def test_unknown_or_missing_agents_give_empty_strings():
    """Nothing is made up for an empty or unrecognised header."""
    assert browser_and_os("") == ("", "")
    assert browser_and_os("t") == ("", "")
