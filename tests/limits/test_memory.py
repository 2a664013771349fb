"""The process's moving windows: exact counts, reset times, trimming and idle keys dropped."""

import threading

import pytest
from limits import parse

from server.limits import memory
from server.limits.memory import ProcessWindows


class Clock:
    """Both clocks the store reads, moved by hand."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.now = 1_000_000.0
        monkeypatch.setattr("server.limits.memory.time.time", lambda: self.now)
        monkeypatch.setattr("server.limits.memory.time.monotonic", lambda: self.now)


@pytest.fixture
def clock(monkeypatch):
    return Clock(monkeypatch)


def test_the_amount_is_allowed_then_refused_until_the_oldest_hit_leaves(clock):
    """3/minute: three hits pass, the fourth is refused with the first hit's end as reset; later, one more."""
    windows = ProcessWindows()
    item = parse("3/minute")
    for _ in range(3):
        clock.now += 1
        assert windows.hit(item, "visitor", "a") is None
    refused = windows.hit(item, "visitor", "a")
    assert refused is not None
    assert refused.reset_time == 1_000_001.0 + 60
    assert refused.remaining == 0
    clock.now = 1_000_001.0 + 60
    assert windows.hit(item, "visitor", "a") is None
    assert windows.hit(item, "visitor", "a") is not None


def test_keys_and_limits_count_apart(clock):
    """Another identifier, or another limit on the same identifier, has a window of its own."""
    windows = ProcessWindows()
    one = parse("1/minute")
    assert windows.hit(one, "ip", "10.0.0.1") is None
    assert windows.hit(one, "ip", "10.0.0.2") is None
    assert windows.hit(parse("1/hour"), "ip", "10.0.0.1") is None
    assert windows.hit(one, "ip", "10.0.0.1") is not None


def test_idle_keys_are_dropped_by_the_sweep(clock):
    """A key with no hit left in its window is gone after the next sweep; a live one stays."""
    windows = ProcessWindows()
    for visitor in range(100):
        windows.hit(parse("5/minute"), "visitor", str(visitor))
    windows.hit(parse("5/hour"), "visitor", "long")
    clock.now += 61 + memory.SWEEP_SECONDS
    windows.hit(parse("5/minute"), "visitor", "fresh")
    assert len(windows) == 2


def test_threads_share_one_count(clock):
    """Hits from several threads at once: exactly the amount is allowed."""
    windows = ProcessWindows()
    item = parse("100/minute")
    allowed: list[bool] = []

    def hammer() -> None:
        for _ in range(50):
            allowed.append(windows.hit(item, "ip", "x") is None)

    threads = [threading.Thread(target=hammer) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert allowed.count(True) == 100
