"""Fan-out: 50 agents of one site online, visitors start conversations; when has the last agent heard?

Run `python -m bench.fanout --help` from the repository root. Parley is measured on one daphne process
with the in-memory layer and on two processes sharing a Redis (agents split across them); the baseline
is the bare relay consumer with the same receivers in one group and one sender.
"""

import argparse
import asyncio
import contextlib
import json
import os
import platform
import shutil
import sys
import time
from collections import Counter
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from websockets.asyncio.client import ClientConnection
from websockets.exceptions import ConnectionClosed

from bench.capacity import (
    CLIENT_CPU,
    SERVER_CPU,
    close_all,
    create_visitor_tokens,
    django_shell,
    error_name,
    fmt,
    load_generator_on_cpu,
    log,
    open_client,
    parley_hello,
    percentile,
    start_parley,
    start_relay,
    ws_url,
)
from tests.processes import REPO, DemoDeployment, free_port, stop_process
from tests.services import RedisServer

OUTPUT = REPO / "build" / "bench" / "fanout.json"
WORKDIR = REPO / "build" / "bench" / "work-fanout"
LAYERS = ("redis-pubsub", "redis")
SETUP_TIMEOUT = 120.0
SETUP_CONCURRENCY = 20
# Roughly the size of Parley's inbox.update frame, so the relay moves as many bytes per receiver.
RELAY_FRAME_BYTES = 800
BODY_TEXT = "Hi, is this available in blue?"


@dataclass
class FanoutRun:
    """One system in one topology: how long until the first and the last receiver had each event."""

    mode: str
    system: str
    processes: int
    receivers: int
    rate: float
    sent: int
    complete: int
    missing_notifications: int
    last_p50_ms: float | None
    last_p99_ms: float | None
    last_max_ms: float | None
    first_p50_ms: float | None
    spread_p50_ms: float | None
    spread_p99_ms: float | None
    ack_p50_ms: float | None
    achieved_rate: float
    frame_bytes: int | None
    errors: dict[str, int] = field(default_factory=dict)


class Receivers:
    """Reader tasks on every receiving socket, noting when each receiver first saw each tag."""

    def __init__(self, count: int, tag_of: Callable[[str], str | None]) -> None:
        self.count = count
        self.tag_of = tag_of
        self.arrivals: dict[str, dict[int, float]] = {}
        self.errors: Counter[str] = Counter()
        self.frame_bytes: int | None = None
        self.readers: list[asyncio.Task[None]] = []
        self.closing = False

    def watch(self, index: int, socket: ClientConnection) -> None:
        """Read one receiver's socket until it closes."""
        self.readers.append(asyncio.ensure_future(self._read(index, socket)))

    async def _read(self, index: int, socket: ClientConnection) -> None:
        try:
            async for raw in socket:
                # Timestamped before parsing, so the reader's own work is not counted against the server.
                now = time.perf_counter()
                text = raw if isinstance(raw, str) else raw.decode()
                tag = self.tag_of(text)
                if tag is not None:
                    self.frame_bytes = len(text.encode())
                    self.arrivals.setdefault(tag, {}).setdefault(index, now)
        except ConnectionClosed:
            pass
        if not self.closing:
            self.errors[f"receiver_closed_{socket.close_code}"] += 1

    def complete(self, tag: str) -> bool:
        """Whether every receiver saw the tag."""
        return len(self.arrivals.get(tag, ())) >= self.count

    async def stop(self) -> None:
        """Stop reading."""
        self.closing = True
        for reader in self.readers:
            reader.cancel()
        await asyncio.gather(*self.readers, return_exceptions=True)


def parley_tag(text: str) -> str | None:
    """The client_id of the message an inbox.update carries (the visitor's tag)."""
    if not text.startswith('{"type":"inbox.update"'):
        return None
    last_message = json.loads(text)["conversation"].get("last_message") or {}
    client_id = last_message.get("client_id")
    return client_id if isinstance(client_id, str) else None


def relay_tag(text: str) -> str | None:
    """The tag of a relayed frame."""
    tag = json.loads(text).get("tag")
    return tag if isinstance(tag, str) else None


async def send_at_rate(
    send: Callable[[int, str], Awaitable[None]], *, rate: float, warm: int, total: int, run: str
) -> tuple[dict[str, float], float]:
    """Send `total` tagged events at `rate`/s on an absolute schedule; the first `warm` are not measured.

    Returns when each measured tag was sent and the rate actually achieved.
    """
    interval = 1.0 / rate
    sent_at: dict[str, float] = {}
    start = time.perf_counter() + 0.05
    for index in range(total):
        due = start + index * interval
        delay = due - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        tag = f"{run}{'w' if index < warm else 'm'}{index}"
        stamp = time.perf_counter()
        if index >= warm:
            sent_at[tag] = stamp
        await send(index, tag)
    times = sorted(sent_at.values())
    span = times[-1] - times[0] if len(times) > 1 else 0.0
    return sent_at, (len(times) - 1) / span if span > 0 else 0.0


async def wait_complete(receivers: Receivers, tags: list[str], *, within: float) -> None:
    """Wait until every receiver saw every tag, at most `within` seconds."""
    deadline = time.perf_counter() + within
    # Polled: a receiver's arrival is a dict write, and a 50 ms tick only bounds the wait, not a latency.
    while time.perf_counter() < deadline and not all(receivers.complete(tag) for tag in tags):  # noqa: ASYNC110
        await asyncio.sleep(0.05)


def summarise(
    *,
    mode: str,
    system: str,
    processes: int,
    receivers: Receivers,
    sent_at: dict[str, float],
    rate: float,
    achieved: float,
    acks: dict[str, float] | None = None,
    errors: Counter[str] | None = None,
) -> FanoutRun:
    """Latencies to the first and the last receiver, per event."""
    last: list[float] = []
    first: list[float] = []
    spread: list[float] = []
    missing = 0
    for tag, sent in sent_at.items():
        seen = receivers.arrivals.get(tag, {})
        missing += receivers.count - len(seen)
        if len(seen) == receivers.count:
            last.append((max(seen.values()) - sent) * 1000)
            spread.append((max(seen.values()) - min(seen.values())) * 1000)
        if seen:
            first.append((min(seen.values()) - sent) * 1000)
    last.sort()
    first.sort()
    spread.sort()
    ack_latencies = sorted((acks[tag] - sent) * 1000 for tag, sent in sent_at.items() if acks and tag in acks)
    return FanoutRun(
        mode=mode,
        system=system,
        processes=processes,
        receivers=receivers.count,
        rate=rate,
        sent=len(sent_at),
        complete=len(last),
        missing_notifications=missing,
        last_p50_ms=percentile(last, 0.5),
        last_p99_ms=percentile(last, 0.99),
        last_max_ms=last[-1] if last else None,
        first_p50_ms=percentile(first, 0.5),
        spread_p50_ms=percentile(spread, 0.5),
        spread_p99_ms=percentile(spread, 0.99),
        ack_p50_ms=percentile(ack_latencies, 0.5) if acks is not None else None,
        achieved_rate=round(achieved, 1),
        frame_bytes=receivers.frame_bytes,
        errors=dict(receivers.errors + (errors or Counter())),
    )


def describe(result: FanoutRun) -> str:
    """One progress line."""
    return (
        f"  {result.system} ({result.mode}): last of {result.receivers} p50 {fmt(result.last_p50_ms)} "
        f"p99 {fmt(result.last_p99_ms)} max {fmt(result.last_max_ms)} ms, "
        f"first p50 {fmt(result.first_p50_ms)} ms, {result.complete}/{result.sent} complete, "
        f"{result.missing_notifications} missing, "
        f"sent at {result.achieved_rate:.1f}/s" + (f", errors {result.errors}" if result.errors else "")
    )


# --- Parley -------------------------------------------------------------------------------------------


@dataclass
class Settings:
    """The command line, resolved."""

    agents: int
    rate: float
    warmup: float
    duration: float
    straggle: float
    layer: str
    redis: bool
    output: Path
    parley_env: dict[str, str] = field(default_factory=dict)

    @property
    def warm(self) -> int:
        """Events sent before measuring."""
        return round(self.rate * self.warmup)

    @property
    def total(self) -> int:
        """Events sent in one run, warm-up included."""
        return self.warm + round(self.rate * self.duration)


def create_agents(deployment: DemoDeployment, *, site_key: str, count: int) -> list[str]:
    """Create `count` agents of the site, each logged in once; return their session cookies."""
    code = f"""
from django.contrib.auth.models import User
from django.test import Client
from server.sites.models import Site
from server.sites.services import do_add_site_member

site = Site.objects.get(public_key={site_key!r})
for index in range({count}):
    user, _ = User.objects.get_or_create(username=f"bench-agent-{{index}}@example.com")
    # No password: the session is created directly, and hashing 50 passwords would take seconds.
    user.set_unusable_password()
    user.save()
    do_add_site_member(site=site, user=user)
    client = Client()
    client.force_login(user)
    print("SESSION", client.cookies["sessionid"].value)
"""
    sessions = [
        line.split(" ", 1)[1] for line in django_shell(deployment, code) if line.startswith("SESSION ")
    ]
    if len(sessions) != count:
        raise RuntimeError(f"asked for {count} agent sessions, got {len(sessions)}")
    return [f"sessionid={session}" for session in sessions]


async def bounded_gather(job: Callable[[int], Awaitable[None]], count: int) -> None:
    """Run job(0..count-1) with at most SETUP_CONCURRENCY at once, within SETUP_TIMEOUT."""
    limit = asyncio.Semaphore(SETUP_CONCURRENCY)

    async def one(index: int) -> None:
        async with limit:
            await job(index)

    async with asyncio.timeout(SETUP_TIMEOUT):
        await asyncio.gather(*(one(index) for index in range(count)))


async def measure_parley(
    *,
    mode: str,
    agent_urls: list[str],
    visitor_url: str,
    agent_origin: str,
    shop_origin: str,
    site_key: str,
    cookies: list[str],
    tokens: list[str],
    settings: Settings,
    run: str,
) -> FanoutRun:
    """Agents online (split over `agent_urls`) and visitors connected; then each starts a conversation."""
    receivers = Receivers(len(cookies), parley_tag)
    sockets: list[ClientConnection] = []
    visitors: dict[int, ClientConnection] = {}
    acks: dict[str, float] = {}
    errors: Counter[str] = Counter()
    visitor_readers: list[asyncio.Task[None]] = []

    async def agent(index: int) -> None:
        url = agent_urls[index % len(agent_urls)]
        socket = await open_client(
            f"{ws_url(url)}/ws/agent/", origin=agent_origin, headers={"Cookie": cookies[index]}, parley=True
        )
        sockets.append(socket)
        ready = json.loads(await socket.recv())
        if ready.get("type") != "ready":
            raise RuntimeError(f"agent socket refused: {ready}")
        receivers.watch(index, socket)

    async def visitor(index: int) -> None:
        socket, _ = await parley_hello(
            visitor_url, site_key=site_key, origin=shop_origin, token=tokens[index]
        )
        sockets.append(socket)
        visitors[index] = socket

    async def read_visitor(socket: ClientConnection) -> None:
        with contextlib.suppress(ConnectionClosed):
            async for raw in socket:
                now = time.perf_counter()
                frame = json.loads(raw)
                if frame["type"] == "message.ack":
                    acks.setdefault(frame["client_id"], now)
                elif frame["type"] == "error":
                    errors[f"visitor_{frame['code']}"] += 1

    async def send(index: int, tag: str) -> None:
        frame = {"type": "message.send", "client_id": tag, "body": f"{tag} {BODY_TEXT}"}
        try:
            await visitors[index].send(json.dumps(frame))
        except ConnectionClosed:
            errors["send_on_closed_socket"] += 1

    try:
        await bounded_gather(agent, len(cookies))
        await bounded_gather(visitor, settings.total)
        visitor_readers = [asyncio.ensure_future(read_visitor(visitors[i])) for i in range(settings.total)]
        log(f"  parley ({mode}): {len(cookies)} agents online, {settings.total} visitors connected")
        sent_at, achieved = await send_at_rate(
            send, rate=settings.rate, warm=settings.warm, total=settings.total, run=run
        )
        await wait_complete(receivers, list(sent_at), within=settings.straggle)
        return summarise(
            mode=mode,
            system="Parley",
            processes=len(agent_urls),
            receivers=receivers,
            sent_at=sent_at,
            rate=settings.rate,
            achieved=achieved,
            acks=acks,
            errors=errors,
        )
    finally:
        await receivers.stop()
        for reader in visitor_readers:
            reader.cancel()
        await asyncio.gather(*visitor_readers, return_exceptions=True)
        await close_all(sockets)


async def measure_relay(
    *,
    mode: str,
    receiver_urls: list[str],
    sender_url: str,
    receivers_count: int,
    frame_bytes: int,
    settings: Settings,
    run: str,
) -> FanoutRun:
    """Receivers in one group (split over `receiver_urls`) and one sender in the same group."""
    room = f"fanout-{run}"
    receivers = Receivers(receivers_count, relay_tag)
    sockets: list[ClientConnection] = []

    async def receiver(index: int) -> None:
        socket = await open_client(f"{ws_url(receiver_urls[index % len(receiver_urls)])}/relay/{room}/")
        sockets.append(socket)
        receivers.watch(index, socket)

    try:
        await bounded_gather(receiver, receivers_count)
        sender = await open_client(f"{ws_url(sender_url)}/relay/{room}/")
        sockets.append(sender)
        # The sender is in the group too (the relay joins on connect): its echo is read and dropped.
        drain = Receivers(1, relay_tag)
        drain.watch(0, sender)
        log(f"  relay ({mode}): {receivers_count} receivers and a sender in one group")

        async def send(index: int, tag: str) -> None:
            bare = json.dumps({"tag": tag, "pad": ""})
            await sender.send(json.dumps({"tag": tag, "pad": "x" * max(0, frame_bytes - len(bare))}))

        sent_at, achieved = await send_at_rate(
            send, rate=settings.rate, warm=settings.warm, total=settings.total, run=run
        )
        await wait_complete(receivers, list(sent_at), within=settings.straggle)
        await drain.stop()
        return summarise(
            mode=mode,
            system="bare relay",
            processes=len(receiver_urls),
            receivers=receivers,
            sent_at=sent_at,
            rate=settings.rate,
            achieved=achieved,
        )
    finally:
        await receivers.stop()
        await close_all(sockets)


# --- The run ------------------------------------------------------------------------------------------


def measured(
    coroutine: Coroutine[Any, Any, FanoutRun], *, mode: str, system: str, processes: int, receivers: int
) -> FanoutRun:
    """Run one measurement; a failure becomes a row that says what failed instead of ending the run."""
    try:
        result = asyncio.run(coroutine)
    except Exception as error:
        log(f"  {system} ({mode}) failed: {error_name(error)}: {error}")
        result = FanoutRun(
            mode=mode,
            system=system,
            processes=processes,
            receivers=receivers,
            rate=0.0,
            sent=0,
            complete=0,
            missing_notifications=0,
            last_p50_ms=None,
            last_p99_ms=None,
            last_max_ms=None,
            first_p50_ms=None,
            spread_p50_ms=None,
            spread_p99_ms=None,
            ack_p50_ms=None,
            achieved_rate=0.0,
            frame_bytes=None,
            errors={f"failed: {error_name(error)}: {str(error)[:160]}": 1},
        )
    else:
        log(describe(result))
    return result


def clear_conversations(deployment: DemoDeployment, *, site_key: str) -> None:
    """Delete the site's conversations, so each topology starts with the same (empty) inboxes."""
    django_shell(
        deployment,
        "from server.conversations.models import Conversation\n"
        f"Conversation.objects.filter(site__public_key={site_key!r}).delete()",
    )


def run_in_memory(
    deployment: DemoDeployment, settings: Settings, *, site_key: str, cookies: list[str], tokens: list[str]
) -> list[FanoutRun]:
    """One process, in-memory layer: Parley, then the relay with as many receivers and bytes."""
    mode = "1 process, in-memory"
    results: list[FanoutRun] = []
    process = start_parley(deployment, port=deployment.server_port, cpu=SERVER_CPU)
    try:
        results.append(
            measured(
                measure_parley(
                    mode=mode,
                    agent_urls=[deployment.server_url],
                    visitor_url=deployment.server_url,
                    agent_origin=deployment.server_url,
                    shop_origin=f"http://localhost:{deployment.shop_port}",
                    site_key=site_key,
                    cookies=cookies,
                    tokens=tokens,
                    settings=settings,
                    run="a",
                ),
                mode=mode,
                system="Parley",
                processes=1,
                receivers=len(cookies),
            )
        )
    finally:
        stop_process(process)
    port = free_port()
    process = start_relay(deployment.workdir, port=port, cpu=SERVER_CPU)
    try:
        url = f"http://127.0.0.1:{port}"
        results.append(
            measured(
                measure_relay(
                    mode=mode,
                    receiver_urls=[url],
                    sender_url=url,
                    receivers_count=len(cookies),
                    frame_bytes=results[0].frame_bytes or RELAY_FRAME_BYTES,
                    settings=settings,
                    run="b",
                ),
                mode=mode,
                system="bare relay",
                processes=1,
                receivers=len(cookies),
            )
        )
    finally:
        stop_process(process)
    return results


def run_redis(
    deployment: DemoDeployment, settings: Settings, *, site_key: str, cookies: list[str], tokens: list[str]
) -> list[FanoutRun]:
    """Two processes sharing a Redis, agents split across them, visitors on the first."""
    mode = f"2 processes, {settings.layer}"
    results: list[FanoutRun] = []
    redis = RedisServer(deployment.workdir)
    redis.start()
    try:
        deployment.extra_env.update({"REDIS_URL": redis.url, "PARLEY_CHANNEL_LAYER": settings.layer})
        ports = [deployment.server_port, free_port()]
        # Unpinned: one daphne process per core, as docs/deploy.md runs them.
        processes = [start_parley(deployment, port=port, cpu=None) for port in ports]
        try:
            results.append(
                measured(
                    measure_parley(
                        mode=mode,
                        agent_urls=[f"http://localhost:{port}" for port in ports],
                        visitor_url=deployment.server_url,
                        agent_origin=deployment.server_url,
                        shop_origin=f"http://localhost:{deployment.shop_port}",
                        site_key=site_key,
                        cookies=cookies,
                        tokens=tokens,
                        settings=settings,
                        run="c",
                    ),
                    mode=mode,
                    system="Parley",
                    processes=2,
                    receivers=len(cookies),
                )
            )
        finally:
            for process in processes:
                stop_process(process)
        relay_ports = [free_port(), free_port()]
        processes = [
            start_relay(deployment.workdir, port=port, cpu=None, layer=settings.layer, redis_url=redis.url)
            for port in relay_ports
        ]
        try:
            urls = [f"http://127.0.0.1:{port}" for port in relay_ports]
            results.append(
                measured(
                    measure_relay(
                        mode=mode,
                        receiver_urls=urls,
                        sender_url=urls[0],
                        receivers_count=len(cookies),
                        frame_bytes=results[0].frame_bytes or RELAY_FRAME_BYTES,
                        settings=settings,
                        run="d",
                    ),
                    mode=mode,
                    system="bare relay",
                    processes=2,
                    receivers=len(cookies),
                )
            )
        finally:
            for process in processes:
                stop_process(process)
    finally:
        redis.kill()
    return results


def table(results: list[FanoutRun], settings: Settings) -> str:
    """The result table."""
    header = (
        f"{'topology':<26}{'system':<12}{'events':>7}{'last p50':>10}{'p99':>8}{'max':>8}"
        f"{'first p50':>11}{'spread p50':>12}{'p99':>7}{'missing':>9}{'p99 ratio':>11}"
    )
    lines = [header, "-" * len(header)]
    relay_p99 = {result.mode: result.last_p99_ms for result in results if result.system == "bare relay"}
    for result in results:
        base = relay_p99.get(result.mode)
        share = (
            f"{result.last_p99_ms / base:.2f}x"
            if result.system == "Parley" and result.last_p99_ms is not None and base
            else ""
        )
        lines.append(
            f"{result.mode:<26}{result.system:<12}{result.sent:>7}{fmt(result.last_p50_ms):>10}"
            f"{fmt(result.last_p99_ms):>8}{fmt(result.last_max_ms):>8}{fmt(result.first_p50_ms):>11}"
            f"{fmt(result.spread_p50_ms):>12}{fmt(result.spread_p99_ms):>7}"
            f"{result.missing_notifications:>9}{share:>11}"
        )
    for result in results:
        if result.errors:
            lines.append(f"  {result.system} ({result.mode}) errors: {result.errors}")
    lines.append(
        f"ms from the visitor's message.send (relay: the sender's frame) until the last of {settings.agents} "
        f"agent sockets had its inbox.update (relay: the frame); first: the first of them; "
        f"spread: last - first (the fan-out itself). {settings.rate:g} new conversations/s for "
        f"{settings.duration:g} s after {settings.warmup:g} s of warm-up. missing = notifications never "
        f"received within {settings.straggle:g} s. Relay frames padded to Parley's inbox.update size. "
        f"One process: server on CPU {SERVER_CPU}, load generator on CPU {CLIENT_CPU}; two: unpinned."
    )
    return "\n".join(lines)


def run(settings: "Settings | None" = None) -> dict[str, Any]:
    """Set up, measure every topology, stop everything; return the report (also what the JSON holds)."""
    settings = settings or parse_args([])
    started = time.monotonic()
    shutil.rmtree(WORKDIR, ignore_errors=True)
    WORKDIR.mkdir(parents=True)
    load_before = Path("/proc/loadavg").read_text().split()[:3]
    deployment = DemoDeployment(workdir=WORKDIR, extra_env=dict(settings.parley_env))
    results: list[FanoutRun] = []
    site_key = deployment.set_up()
    cookies = create_agents(deployment, site_key=site_key, count=settings.agents)
    runs = 2 if settings.redis else 1
    tokens = create_visitor_tokens(deployment, site_key=site_key, count=settings.total * runs)
    log(f"{settings.agents} agents and {len(tokens)} visitors created")
    # Every server process is started and stopped (in `finally`) inside these two.
    with load_generator_on_cpu(CLIENT_CPU):
        results += run_in_memory(
            deployment, settings, site_key=site_key, cookies=cookies, tokens=tokens[: settings.total]
        )
        if settings.redis:
            # Same starting point as the first topology. (Also: an inbox past ~100 conversations makes
            # the agent's `ready` frame larger than daphne's 64 KiB frame limit, and the socket fails.)
            clear_conversations(deployment, site_key=site_key)
            results += run_redis(
                deployment, settings, site_key=site_key, cookies=cookies, tokens=tokens[settings.total :]
            )
    return {
        "benchmark": f"fan-out of new conversations to {settings.agents} agents, Parley against a bare relay",
        "generated_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "platform": platform.platform(),
            "loadavg_before": load_before,
        },
        "settings": {
            key: str(value) if isinstance(value, Path) else value for key, value in asdict(settings).items()
        },
        "runs": [asdict(result) for result in results],
        "table": table(results, settings),
        "elapsed_seconds": round(time.monotonic() - started, 1),
    }


def parse_args(argv: list[str] | None) -> Settings:
    """Read the command line."""
    parser = argparse.ArgumentParser(prog="python -m bench.fanout", description=__doc__.splitlines()[0])
    parser.add_argument("--agents", type=int, default=50, help="agent sockets of the site (default 50)")
    parser.add_argument("--rate", type=float, default=20.0, help="new conversations per second (default 20)")
    parser.add_argument("--warmup", type=float, default=1.0, help="seconds sent before measuring (default 1)")
    parser.add_argument("--duration", type=float, default=10.0, help="seconds measured (default 10)")
    parser.add_argument(
        "--straggle", type=float, default=5.0, help="seconds to wait for late notifications (default 5)"
    )
    parser.add_argument(
        "--layer", choices=LAYERS, default="redis-pubsub", help="Redis layer of the two-process run"
    )
    parser.add_argument("--no-redis", action="store_true", help="skip the two-process Redis run")
    parser.add_argument(
        "--parley-env",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="an extra setting for Parley's processes, e.g. DATABASE_CONN_MAX_AGE=60 (repeatable)",
    )
    parser.add_argument("--output", type=Path, default=OUTPUT, help=f"JSON results (default {OUTPUT})")
    parser.add_argument("--quick", action="store_true", help="smoke run: 10 agents, 3 s at the rate")
    args = parser.parse_args(argv)
    settings = Settings(
        agents=args.agents,
        rate=args.rate,
        warmup=args.warmup,
        duration=args.duration,
        straggle=args.straggle,
        layer=args.layer,
        redis=not args.no_redis,
        output=args.output,
        parley_env=dict(item.split("=", 1) for item in args.parley_env if "=" in item),
    )
    if args.quick:
        settings.agents, settings.warmup, settings.duration = min(args.agents, 10), 0.5, 3.0
    if settings.agents < 1 or settings.rate <= 0 or settings.total <= settings.warm:
        parser.error("--agents, --rate and --duration must be positive")
    return settings


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark, print the table, write the JSON; exit 0 whatever the numbers say."""
    settings = parse_args(argv)
    report = run(settings)
    print(report["table"])
    settings.output.parent.mkdir(parents=True, exist_ok=True)
    settings.output.write_text(json.dumps(report, indent=2) + "\n")
    log(f"Wrote {settings.output} ({report['elapsed_seconds']} s); logs in {WORKDIR}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
