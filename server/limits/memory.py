"""Moving windows in this process's memory: the limits' storage of a one-process deployment (no REDIS_URL).

The `limits` library's memory storages sweep every key for expired hits after each hit: the asyncio one
hops to a thread per key, the blocking one starts a timer thread every 10 ms. With a key per visitor that
sweep costs more than the hits it guards (docs/decisions/0047), so this store trims a key's hits when the
key is hit and drops idle keys in one pass every SWEEP_SECONDS. One store serves the event loop and the
views' threads, so both count the same hits.
"""

import threading
import time
from collections import deque

from limits import RateLimitItem, WindowStats

SWEEP_SECONDS = 10.0


class ProcessWindows:
    """One moving window per key: the times of its hits within the period, at most the limit's amount."""

    def __init__(self) -> None:
        self._windows: dict[str, tuple[int, deque[float]]] = {}
        self._lock = threading.Lock()
        self._next_sweep = time.monotonic() + SWEEP_SECONDS

    def hit(self, item: RateLimitItem, *identifiers: str) -> WindowStats | None:
        """Count one hit; None when allowed, else the full window (its reset time is the oldest hit's end)."""
        key = item.key_for(*identifiers)
        period = item.get_expiry()
        now = time.time()
        with self._lock:
            if time.monotonic() >= self._next_sweep:
                self._sweep(now)
            window = self._windows.get(key)
            if window is None:
                window = self._windows[key] = (period, deque())
            hits = window[1]
            while hits and hits[0] <= now - period:
                hits.popleft()
            if len(hits) >= item.amount:
                return WindowStats(reset_time=hits[0] + period, remaining=0)
            hits.append(now)
            return None

    def __len__(self) -> int:
        return len(self._windows)

    def _sweep(self, now: float) -> None:
        """Drop the keys with no hit left in their window (called with the lock held)."""
        self._next_sweep = time.monotonic() + SWEEP_SECONDS
        idle = [key for key, (period, hits) in self._windows.items() if not hits or hits[-1] <= now - period]
        for key in idle:
            del self._windows[key]
