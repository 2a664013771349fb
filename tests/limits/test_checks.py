"""The named limits: moving windows, retry_after from the window, each key apart, a limit turned off."""

import time
import uuid

import pytest

from server.errors import ParleyError
from server.limits import checks


def test_a_window_allows_its_amount_then_refuses_with_retry_after(settings):
    """3/minute, a 4th request → rate_limited, retry_after between 1 and 60 whole seconds."""
    settings.PARLEY_LIMIT_WIDGET_REQUESTS_PER_IP = "3/minute"
    for _ in range(3):
        checks.check_widget_request(ip="198.51.100.1")
    with pytest.raises(ParleyError) as refused:
        checks.check_widget_request(ip="198.51.100.1")
    assert refused.value.code == "rate_limited"
    assert refused.value.retry_after is not None
    assert 1 <= refused.value.retry_after <= 60


def test_each_ip_has_its_own_window(settings):
    """One IP over its limit → another IP is still allowed."""
    settings.PARLEY_LIMIT_WIDGET_REQUESTS_PER_IP = "1/minute"
    checks.check_widget_request(ip="198.51.100.1")
    with pytest.raises(ParleyError):
        checks.check_widget_request(ip="198.51.100.1")
    checks.check_widget_request(ip="198.51.100.2")


def test_the_window_moves_on(settings):
    """1/second, refused, then after the second has passed → allowed again."""
    settings.PARLEY_LIMIT_WIDGET_REQUESTS_PER_IP = "1/second"
    checks.check_widget_request(ip="198.51.100.1")
    with pytest.raises(ParleyError) as refused:
        checks.check_widget_request(ip="198.51.100.1")
    assert refused.value.retry_after == 1
    time.sleep(1.05)
    checks.check_widget_request(ip="198.51.100.1")


def test_an_empty_setting_turns_a_limit_off(settings):
    """PARLEY_LIMIT_WIDGET_REQUESTS_PER_IP="" → any number of requests is allowed."""
    settings.PARLEY_LIMIT_WIDGET_REQUESTS_PER_IP = ""
    for _ in range(500):
        checks.check_widget_request(ip="198.51.100.1")


def test_new_visitors_are_limited_per_ip_and_per_site(settings):
    """Per IP: a 3rd from one IP refused; per site: a 5th over several IPs refused."""
    settings.PARLEY_LIMIT_NEW_VISITORS_PER_IP = "2/minute"
    settings.PARLEY_LIMIT_NEW_VISITORS_PER_SITE = "4/minute"
    checks.check_new_visitor(ip="198.51.100.1", site_id=1)
    checks.check_new_visitor(ip="198.51.100.1", site_id=1)
    with pytest.raises(ParleyError):
        checks.check_new_visitor(ip="198.51.100.1", site_id=1)
    checks.check_new_visitor(ip="198.51.100.2", site_id=1)
    checks.check_new_visitor(ip="198.51.100.3", site_id=1)
    with pytest.raises(ParleyError) as refused:
        checks.check_new_visitor(ip="198.51.100.4", site_id=1)
    assert refused.value.code == "rate_limited"
    checks.check_new_visitor(ip="198.51.100.4", site_id=2)


async def test_socket_checks_count_on_the_event_loop(settings):
    """Messages: the visitor and its IP are counted together; either one full refuses the message."""
    settings.PARLEY_LIMIT_MESSAGES_PER_VISITOR = "2/minute"
    settings.PARLEY_LIMIT_MESSAGES_PER_IP = "4/minute"
    noisy, quiet = uuid.uuid4(), uuid.uuid4()
    for _ in range(2):
        await checks.check_visitor_message(visitor_id=noisy, ip="198.51.100.1")
    with pytest.raises(ParleyError) as over_its_own:
        await checks.check_visitor_message(visitor_id=noisy, ip="198.51.100.1")
    assert over_its_own.value.retry_after is not None
    await checks.check_visitor_message(visitor_id=quiet, ip="198.51.100.1")
    with pytest.raises(ParleyError) as refused:
        await checks.check_visitor_message(visitor_id=quiet, ip="198.51.100.1")
    assert (refused.value.code, refused.value.close_code) == ("rate_limited", None)


async def test_connection_limits_close_with_4429(settings):
    """Handshakes per IP and hellos per visitor over their limits → connection_limited, close code 4429."""
    settings.PARLEY_LIMIT_HANDSHAKES_PER_IP = "1/minute"
    settings.PARLEY_LIMIT_HELLOS_PER_VISITOR = "1/minute"
    visitor_id = uuid.uuid4()
    await checks.check_handshake(ip="198.51.100.1")
    await checks.check_hello(visitor_id=visitor_id)
    for refused_check in (
        checks.check_handshake(ip="198.51.100.1"),
        checks.check_hello(visitor_id=visitor_id),
    ):
        with pytest.raises(ParleyError) as refused:
            await refused_check
        assert (refused.value.code, refused.value.close_code) == ("connection_limited", 4429)
        assert refused.value.retry_after is not None


def test_every_limit_setting_parses():
    """Every named limit's default is a valid "N/period"."""
    for limit in checks.ALL:
        assert limit.item() is not None, limit.setting
