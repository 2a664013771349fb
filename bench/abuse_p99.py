"""Other visitors' latency while 40 sockets of one IP send as fast as they are allowed, against quiet.

Victims are visitors each from an address of its own (X-Forwarded-For, the server trusting one proxy),
sending at a modest aggregate rate, each well within a visitor's own limits, to a console reading in a
process of its own: bench.latency's rooms and windows. Attackers are visitors of one address, a token
each (gathered beforehand, as a botnet would), pushing from a process of their own (`bench.pushers`):
each sends the moment its last message is acknowledged, waits out `rate_limited` answers and reconnects
after refusals, for as long as the window lasts. Quiet and attacked windows alternate (quiet, attacked,
attacked, quiet, ...) so the machine's drift falls on both, and each kind's windows are pooled.
"""

import asyncio
import contextlib
import json
import math
import sys
from dataclasses import asdict, dataclass, field
from typing import Any

from bench.common import log
from bench.latency_windows import Measurement, Window, describe, send_window, summarise
from bench.pushers import PushStats
from bench.rooms import ParleyRooms
from tests.processes import REPO

# Documentation address blocks (RFC 5737): the victims', one each, and the attackers' one.
ATTACKER_ADDRESS = "203.0.113.66"
# What one console socket may follow at the default PARLEY_AGENT_OPEN_CONVERSATIONS_MAX.
CONVERSATIONS_PER_AGENT_SOCKET = 20
ATTACK_BODY = "Buy cheap watches now, visit our shop"
# Starting the attackers' process and letting their sockets connect, before a window's warm-up.
ATTACK_RAMP_SECONDS = 1.5
# After an attacked window, for what the server still holds of the attack, before the next window.
AFTER_ATTACK_SECONDS = 2.0
ATTACK_STOP_TIMEOUT = 15.0


def victim_address(room: int) -> str:
    """A victim's own client address (198.51.100.0/24 and up)."""
    return f"198.51.{100 + room // 250}.{room % 250 + 1}"


@dataclass
class P99Settings:
    """bench.abuse's command line, as the latency scenario reads it."""

    victims: int
    rate: int
    attackers: int
    warmup: float
    duration: float
    rounds: int
    straggle: float
    settle: float
    pause: float
    in_flight: int
    attack_max_frames: int
    target_ratio: float

    @property
    def window_seconds(self) -> float:
        """The longest one window can take, its settling included."""
        return self.warmup + self.duration + self.straggle + self.settle + 1


@dataclass
class P99Result:
    """Quiet and attacked windows pooled, and what the attackers met in each attacked window."""

    quiet: Measurement
    abuse: Measurement
    attacks: list[dict[str, Any]] = field(default_factory=list)

    @property
    def ratio(self) -> float | None:
        """Attacked p99 over quiet p99."""
        if self.quiet.p99_ms is None or self.abuse.p99_ms is None or self.quiet.p99_ms <= 0:
            return None
        return self.abuse.p99_ms / self.quiet.p99_ms

    def verdict(self, target_ratio: float) -> str:
        """PASS when the victims lost nothing and their attacked p99 is within the target of quiet."""
        ratio = self.ratio
        lost = self.quiet.lost + self.abuse.lost
        return "PASS" if lost == 0 and ratio is not None and ratio <= target_ratio else "MISS"

    def attack_total(self) -> dict[str, Any]:
        """The attacked windows' counts summed, and the rate the attackers had stored."""
        total = PushStats()
        seconds = 0.0
        for attack in self.attacks:
            stats = PushStats()
            for key in ("sent", "acked", "rate_limited", "connected", "no_answer"):
                setattr(stats, key, attack.get(key, 0))
            for key in ("refused", "closed", "errors"):
                getattr(stats, key).update(attack.get(key, {}))
            stats.retry_after_max = attack.get("retry_after_max")
            total.add(stats)
            seconds += attack.get("seconds", 0.0)
        return {
            **total.as_json(),
            "seconds": round(seconds, 1),
            "acked_per_second": round(total.acked / seconds, 1) if seconds else 0.0,
        }

    def as_json(self, target_ratio: float) -> dict[str, Any]:
        """What abuse.json holds of this scenario."""
        ratio = self.ratio
        return {
            "quiet": asdict(self.quiet),
            "abuse": asdict(self.abuse),
            "ratio": None if ratio is None else round(ratio, 2),
            "target_ratio": target_ratio,
            "verdict": self.verdict(target_ratio),
            "attack": self.attack_total(),
            "attacks": self.attacks,
        }


class VictimRooms(ParleyRooms):
    """bench.latency's Parley rooms, each visitor from a client address of its own."""

    def visitor_headers(self, room: int) -> dict[str, str] | None:
        """The room's own address, as the trusted proxy would forward it."""
        return {"X-Forwarded-For": victim_address(room)}


class Attack:
    """The attackers' process (`python -m bench.pushers`, or another load such as `bench.typists` that
    speaks the same: orders on stdin, a "started" line, a summary line once stdin closes)."""

    def __init__(self, process: asyncio.subprocess.Process) -> None:
        self.process = process

    @classmethod
    async def start(
        cls,
        orders: dict[str, Any],
        *,
        module: str = "bench.pushers",
        start_within: float = ATTACK_STOP_TIMEOUT,
    ) -> "Attack":
        """Start the process, give it its orders and wait (at most `start_within` s) until its load runs."""
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            module,
            cwd=REPO,
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
        )
        self = cls(process)
        assert process.stdin is not None
        assert process.stdout is not None
        process.stdin.write(json.dumps(orders).encode() + b"\n")
        await process.stdin.drain()
        try:
            async with asyncio.timeout(start_within):
                started = json.loads(await process.stdout.readline())
        except BaseException:
            await self.kill()
            raise
        if not started.get("started"):
            await self.kill()
            raise RuntimeError(f"the attackers did not start: {started}")
        return self

    async def stop(self) -> dict[str, Any]:
        """Close its stdin (its signal to stop); return what its pushers met."""
        assert self.process.stdin is not None
        assert self.process.stdout is not None
        self.process.stdin.close()
        try:
            async with asyncio.timeout(ATTACK_STOP_TIMEOUT):
                summary: dict[str, Any] = json.loads(await self.process.stdout.readline())
                await self.process.wait()
        except BaseException:
            await self.kill()
            raise
        return summary

    async def resume(self) -> None:
        """Tell a load that stays between windows (`load_stays`) to send again, once it has."""
        await self._say(b"on\n")

    async def pause(self) -> dict[str, Any]:
        """Tell a load that stays to stop sending, its sockets left open; return what it met meanwhile."""
        return await self._say(b"off\n")

    async def _say(self, order: bytes) -> dict[str, Any]:
        assert self.process.stdin is not None
        assert self.process.stdout is not None
        self.process.stdin.write(order)
        await self.process.stdin.drain()
        async with asyncio.timeout(ATTACK_STOP_TIMEOUT):
            answer: dict[str, Any] = json.loads(await self.process.stdout.readline())
        return answer

    async def kill(self) -> None:
        """End the process at once."""
        with contextlib.suppress(ProcessLookupError):
            self.process.kill()
        await self.process.wait()


async def measure_p99(
    *,
    url: str,
    site_key: str,
    shop_origin: str,
    cookie: str,
    victim_tokens: list[str],
    attacker_tokens: list[str],
    settings: P99Settings,
    load_module: str = "bench.pushers",
    load_orders: dict[str, Any] | None = None,
    load_start_timeout: float = ATTACK_STOP_TIMEOUT,
    load_stays: bool = False,
) -> P99Result:
    """Open the victims' rooms, alternate quiet and attacked windows, pool each kind's.

    The attack is `load_module` run with `load_orders` (by default bench.pushers with the attackers'),
    given `load_start_timeout` seconds to open its sockets. A load that stays (`load_stays`) is started
    once, before the first window, and keeps its sockets open through quiet windows too: only its
    sending is switched on and off, so the quiet figure is taken with the same sockets connected.
    """
    rooms = await VictimRooms.open(
        visitor_url=url,
        agent_url=url,
        site_key=site_key,
        shop_origin=shop_origin,
        agent_origin=url,
        cookie=cookie,
        rooms=len(victim_tokens),
        agent_sockets=math.ceil(len(victim_tokens) / CONVERSATIONS_PER_AGENT_SOCKET),
        tokens=victim_tokens,
    )
    log(f"  {len(victim_tokens)} victims' conversations open, followed by the console")
    windows: dict[str, list[Window]] = {"quiet": [], "abuse": []}
    attacks: list[dict[str, Any]] = []
    orders = {
        "url": url,
        "site_key": site_key,
        "origin": shop_origin,
        "tokens": attacker_tokens,
        "forwarded_for": ATTACKER_ADDRESS,
        "body": ATTACK_BODY,
        "pause": settings.pause,
        "in_flight": settings.in_flight,
        "max_frames": settings.attack_max_frames,
        "seconds": ATTACK_RAMP_SECONDS + settings.window_seconds + 5,
    }
    if load_orders is not None:
        orders = {**load_orders, "seconds": orders["seconds"]}
    staying = None
    if load_stays:
        staying = await Attack.start(orders, module=load_module, start_within=load_start_timeout)
    try:
        for round_ in range(settings.rounds):
            for kind in ("quiet", "abuse") if round_ % 2 == 0 else ("abuse", "quiet"):
                warmup = settings.warmup if not windows[kind] else min(settings.warmup, 0.5)
                attack = None
                if kind == "abuse" and staying is not None:
                    await staying.resume()
                elif kind == "abuse":
                    attack = await Attack.start(orders, module=load_module, start_within=load_start_timeout)
                try:
                    if kind == "abuse":
                        await asyncio.sleep(ATTACK_RAMP_SECONDS)
                    async with asyncio.timeout(settings.window_seconds + 30):
                        window = await send_window(
                            rooms,
                            rate=settings.rate,
                            warmup=warmup,
                            duration=settings.duration,
                            straggle=settings.straggle,
                            settle=settings.settle,
                            run=f"{kind[0]}{len(windows[kind])}",
                        )
                finally:
                    if attack is not None:
                        attacks.append(await attack.stop())
                    elif kind == "abuse" and staying is not None:
                        attacks.append(await staying.pause())
                windows[kind].append(window)
                if kind == "abuse":
                    log(f"  attacked window {len(windows[kind])}: attackers {attacks[-1]}")
                    await asyncio.sleep(AFTER_ATTACK_SECONDS)
    finally:
        if staying is not None:
            await staying.stop()
        await rooms.close()
    result = P99Result(
        quiet=summarise(
            windows["quiet"], system="quiet", layer="redis-pubsub", rate=settings.rate, processes=1
        ),
        abuse=summarise(
            windows["abuse"], system="abuse", layer="redis-pubsub", rate=settings.rate, processes=1
        ),
        attacks=attacks,
    )
    log(describe(result.quiet))
    log(describe(result.abuse))
    return result
