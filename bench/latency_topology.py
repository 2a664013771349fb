"""One topology measured: both systems at the fixed rate in alternating windows, then each stepped up.

The machine's speed drifts over a run (other tenants, turbo, the page cache): measured one after the
other, one system could get the fast minute and the other the slow one. At the fixed rate the two
systems take turns, window by window, so both meet the same drift; each then climbs the rate steps until
one fails twice, Parley no higher than the relay went (its share of the relay's rate is the figure).
"""

import asyncio
import time
from dataclasses import dataclass
from pathlib import Path

from bench.common import log
from bench.latency_windows import Measurement, Row, Window, describe, send_window, summarise, topology_name
from bench.rooms import ParleyRooms, RelayRooms, Rooms
from tests.integration.clients import console_session_cookie
from tests.processes import DemoDeployment
from tests.services import PostgresCluster, RedisServer


@dataclass
class Settings:
    """The command line, resolved."""

    topologies: list[str]
    rooms: int
    rate: int
    steps: list[int]
    warmup: float
    duration: float
    rounds: int
    straggle: float
    settle: float
    p99_limit_ms: float
    budget_ratio: float
    agent_sockets: int
    time_limit: float
    output: Path
    server: str = "daphne"
    cpus_awake: bool = False
    # Whether the agents' sockets are read by a process of their own (the default) or by the load generator.
    agents_own_process: bool = True
    # PostgreSQL waits for the disk at each commit, as in production (off by default, as in the tests).
    postgres_fsync: bool = False

    @property
    def compression(self) -> str | None:
        """What the load generator's sockets offer: permessage-deflate only for uvicorn-deflate."""
        return "deflate" if self.server == "uvicorn-deflate" else None

    @property
    def measurement_seconds(self) -> float:
        """The longest one measurement can take."""
        return self.warmup + self.duration + self.straggle + 0.5


@dataclass
class Deployment:
    """Redis, PostgreSQL, the Parley site and the ports every topology reuses."""

    workdir: Path
    redis: RedisServer
    postgres: PostgresCluster
    parley: DemoDeployment
    site_key: str
    parley_ports: tuple[int, int]

    @property
    def shop_origin(self) -> str:
        """The origin the demo site allows (no shop process is needed: only the Origin header)."""
        return f"http://localhost:{self.parley.shop_port}"

    def parley_url(self, which: int) -> str:
        """Parley process 1 or 2."""
        return f"http://localhost:{self.parley_ports[which - 1]}"


async def run_topology(
    deployment: Deployment,
    settings: Settings,
    *,
    processes: int,
    layer: str,
    relay_ports: tuple[int, int],
    deadline: float,
) -> tuple[list[Row], list[Measurement]]:
    """Both systems on one topology: the fixed rate, then each stepped up until a rate fails."""
    cookie = await asyncio.to_thread(
        console_session_cookie,
        deployment.parley_url(1),
        deployment.parley.username,
        deployment.parley.password,
    )
    # Visitors on process 1, agents on process 2; or both on the one process.
    agent_process = 2 if processes == 2 else 1
    relay_urls = [f"http://127.0.0.1:{port}" for port in relay_ports[:processes]]
    # Parley first: the relay, measured first, then starts at once (an idle RedisChannelLayer consumer
    # can crash: redis-py's 5 s socket timeout races channels-redis's 5 s BZPOPMIN).
    parley = await ParleyRooms.open(
        visitor_url=deployment.parley_url(1),
        agent_url=deployment.parley_url(agent_process),
        site_key=deployment.site_key,
        shop_origin=deployment.shop_origin,
        agent_origin=deployment.parley_url(1),
        cookie=cookie,
        rooms=settings.rooms,
        agent_sockets=settings.agent_sockets,
        compression=settings.compression,
        agents_own_process=settings.agents_own_process,
    )
    try:
        relay = await RelayRooms.open(
            visitor_url=relay_urls[0],
            agent_url=relay_urls[-1],
            rooms=settings.rooms,
            prefix=layer,
            compression=settings.compression,
            agents_own_process=settings.agents_own_process,
        )
    except BaseException:
        await parley.close()
        raise
    name = topology_name(processes, layer)
    log(f"{name}: {settings.rooms} rooms open on both systems")
    runs = 0
    measurements: list[Measurement] = []

    async def windows(rooms: Rooms, rate: int, *, warmup: float) -> Window:
        nonlocal runs
        runs += 1
        async with asyncio.timeout(settings.measurement_seconds + settings.settle + 30):
            return await send_window(
                rooms,
                rate=rate,
                warmup=warmup,
                duration=settings.duration,
                straggle=settings.straggle,
                settle=settings.settle,
                run=f"r{runs}",
            )

    def measured(rooms: Rooms, rate: int, taken: list[Window]) -> Measurement:
        result = summarise(taken, system=rooms.name, layer=layer, rate=rate, processes=processes)
        log(describe(result))
        measurements.append(result)
        return result

    async def one(rooms: Rooms, rate: int) -> Measurement:
        return measured(rooms, rate, [await windows(rooms, rate, warmup=settings.warmup)])

    async def alternating(rate: int) -> tuple[Measurement, Measurement]:
        """Relay and Parley at the same rate, in alternating windows (relay, Parley, Parley, relay, ...).

        The machine's speed drifts over a run (other tenants, turbo, the page cache): measured one after
        the other, a system could get the fast minute and the other the slow one (docs/decisions/0001).
        Alternating in this order exposes both to the same drift.
        """
        taken: dict[str, list[Window]] = {relay.name: [], parley.name: []}
        for round_ in range(settings.rounds):
            order = (relay, parley) if round_ % 2 == 0 else (parley, relay)
            for rooms in order:
                # The first window of each system warms it up; later ones only re-prime the pipes.
                warmup = settings.warmup if not taken[rooms.name] else min(settings.warmup, 0.5)
                taken[rooms.name].append(await windows(rooms, rate, warmup=warmup))
        return measured(relay, rate, taken[relay.name]), measured(parley, rate, taken[parley.name])

    async def step(rooms: Rooms, rate: int) -> Measurement:
        # On a shared 2-core machine one stray spike can fail a step: a step fails only twice over.
        result = await one(rooms, rate)
        if not result.sustained(settings.p99_limit_ms):
            log(f"  {rooms.name} failed {rate} msg/s; measuring it once more")
            result = await one(rooms, rate)
        return result

    async def climb(rooms: Rooms, first: Measurement, ceiling: int | None) -> Measurement | None:
        """The highest step (up to `ceiling`) sustained after `first`, stopping at the first that fails."""
        best = first if first.sustained(settings.p99_limit_ms) else None
        if best is None:
            return None
        for rate in [rate for rate in settings.steps if rate > first.rate]:
            if ceiling is not None and rate > ceiling:
                break
            # Room for this step (twice) and one more measurement, within this topology's time.
            if time.monotonic() + 3 * settings.measurement_seconds + settings.settle > deadline:
                log(f"{name}: {rooms.name} stepping stopped at {rate} msg/s by the time limit")
                break
            result = await step(rooms, rate)
            if not result.sustained(settings.p99_limit_ms):
                break
            best = result
        return best

    try:
        relay_fixed, parley_fixed = await alternating(settings.rate)
        if not relay_fixed.sustained(settings.p99_limit_ms):
            log(f"  relay failed {settings.rate} msg/s; measuring it once more")
            relay_fixed = await one(relay, settings.rate)
        # The relay climbs first, so a backlog Parley leaves behind cannot slow the relay's steps.
        relay_best = await climb(relay, relay_fixed, None)
        # Parley climbs only as high as the relay went: its share of the relay's rate is the figure.
        parley_best = await climb(parley, parley_fixed, relay_best.rate if relay_best else settings.rate)
        rows = [Row(processes, layer, settings.rate, "fixed", relay_fixed, parley_fixed)]
        if relay_best is not None and relay_best.rate == settings.rate:
            if any(rate > settings.rate for rate in settings.steps):
                rows[0].kind = "fixed, relay max"
        elif relay_best is not None and parley_best is not None and parley_best.rate == relay_best.rate:
            rows.append(Row(processes, layer, relay_best.rate, "relay max", relay_best, parley_best))
        return rows, measurements
    finally:
        await asyncio.gather(relay.close(), parley.close())


def highest_sustained(measurements: list[Measurement], p99_limit_ms: float) -> int | None:
    """The highest rate among the measurements that was sustained (its last measurement, if retried)."""
    last_by_rate = {measurement.rate: measurement for measurement in measurements}
    return max(
        (rate for rate, measurement in last_by_rate.items() if measurement.sustained(p99_limit_ms)),
        default=None,
    )
