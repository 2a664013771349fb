"""Idle memory per socket and handshakes/s: Parley's visitor socket, a bare Channels consumer, websockets.

Run `python -m bench.capacity --help` from the repository root. One server process per system, all pinned
to one core (the load generator runs on the other), in-memory channel layer, SQLite for Parley. Memory is
measured one system after the other; the handshake runs take turns over several rounds, so drift in the
machine's speed falls on every system alike.
"""

import argparse
import asyncio
import contextlib
import itertools
import json
import math
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Awaitable, Callable, Iterable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed, InvalidStatus
from websockets.typing import Origin

from tests.integration.clients import SUBPROTOCOLS
from tests.processes import (
    BIN,
    PARLEY_APPLICATION,
    REPO,
    DemoDeployment,
    daphne_command,
    free_port,
    stop_process,
    wait_for_port,
)

OUTPUT = REPO / "build" / "bench" / "capacity.json"
WORKDIR = REPO / "build" / "bench" / "work-capacity"
SERVER_CPU = 0
CLIENT_CPU = 1
OPEN_TIMEOUT = 20.0
HANDSHAKE_TIMEOUT = 10.0
CLOSE_TIMEOUT = 60.0
WARM_UP_SOCKETS = 100
# The uncounted start of a handshake round after a run's first: enough for every worker to be in flight.
REFILL_SECONDS = 0.3
RELAY_APPLICATION = "bench.relay_asgi:application"
SYSTEMS = ("parley", "relay", "plain")
SYSTEM_NAMES = {"parley": "Parley", "relay": "bare consumer", "plain": "plain websockets"}


# --- Shared with bench.fanout ----------------------------------------------------------------------


def log(message: str) -> None:
    """Progress goes to stderr; stdout carries only the table."""
    print(message, file=sys.stderr, flush=True)


def percentile(ordered: list[float], share: float) -> float | None:
    """Nearest-rank percentile of an ascending list (None when empty)."""
    if not ordered:
        return None
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


def raise_open_files_limit() -> None:
    """Lift this process's soft open-files limit to the hard one (thousands of sockets are held)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard == resource.RLIM_INFINITY or soft < hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))


def pin_to_cpu(cpu: int) -> None:
    """Run this process on one core when the machine has it (so server and load generator do not share)."""
    if hasattr(os, "sched_setaffinity") and cpu in os.sched_getaffinity(0):
        os.sched_setaffinity(0, {cpu})


@contextlib.contextmanager
def load_generator_on_cpu(cpu: int) -> Iterator[None]:
    """Pin the calling process to one core for the duration, then give its cores back."""
    before = os.sched_getaffinity(0) if hasattr(os, "sched_getaffinity") else None
    raise_open_files_limit()
    pin_to_cpu(cpu)
    try:
        yield
    finally:
        if before is not None:
            os.sched_setaffinity(0, before)


def server_preexec(cpu: int | None) -> Callable[[], None]:
    """What a server child runs before exec: a raised open-files limit and, if asked, one core."""

    def prepare() -> None:
        raise_open_files_limit()
        if cpu is not None:
            pin_to_cpu(cpu)

    return prepare


def start_server(
    command: list[str], *, env: dict[str, str], port: int, log_path: Path, cpu: int | None
) -> subprocess.Popen[bytes]:
    """Start a server process and wait until it listens on its port."""
    with log_path.open("ab") as log_file:
        process = subprocess.Popen(
            command,
            cwd=REPO,
            env=env,
            stdout=log_file,
            stderr=subprocess.STDOUT,
            # Runs in the child before exec: the load generator has no threads while it starts servers.
            preexec_fn=server_preexec(cpu),
        )
    try:
        wait_for_port(port, process=process)
    except BaseException:
        stop_process(process)
        raise
    return process


# The ASGI servers bench.latency can run both systems under: daphne (Parley through server.serve, on
# uvloop; the relay as stock daphne, on asyncio's loop), or uvicorn on uvloop for both, with
# permessage-deflate off or on (docs/performance.md, "daphne vs uvicorn").
ASGI_SERVERS = ("daphne", "uvicorn", "uvicorn-deflate")
# uvicorn's equivalents of DAPHNE_FLAGS, and daphne's keepalive pings.
UVICORN_FLAGS = ["--ws", "websockets", "--ws-max-size", "1048576", "--ws-ping-interval", "20"]
UVICORN_FLAGS += ["--ws-ping-timeout", "30", "--lifespan", "off", "--no-access-log", "--loop", "uvloop"]


def server_command(server: str, *, port: int, application: str, parley: bool) -> list[str]:
    """The command serving `application` on a loopback port under one of ASGI_SERVERS."""
    if server == "daphne":
        if parley:
            return daphne_command(port, application)
        return daphne_command(port, application, launcher=[str(BIN / "daphne")])
    deflate = "true" if server == "uvicorn-deflate" else "false"
    uvicorn = [str(BIN / "uvicorn"), "--host", "127.0.0.1", "--port", str(port), *UVICORN_FLAGS]
    return [*uvicorn, "--ws-per-message-deflate", deflate, application]


def start_parley(
    deployment: DemoDeployment, *, port: int, cpu: int | None, server: str = "daphne"
) -> subprocess.Popen[bytes]:
    """A Parley server process with the deployment's environment (daphne through server.serve)."""
    return start_server(
        server_command(server, port=port, application=PARLEY_APPLICATION, parley=True),
        env=deployment.env(),
        port=port,
        log_path=deployment.workdir / f"daphne-{port}.log",
        cpu=cpu,
    )


def start_relay(
    workdir: Path,
    *,
    port: int,
    cpu: int | None,
    layer: str = "inmemory",
    redis_url: str = "",
    server: str = "daphne",
) -> subprocess.Popen[bytes]:
    """The bare relay consumer (bench/baseline_relay.py) under daphne (or another of ASGI_SERVERS), on the
    in-memory or a Redis layer."""
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "bench.relay_settings", "PARLEY_CHANNEL_LAYER": layer}
    if redis_url:
        env["REDIS_URL"] = redis_url
    return start_server(
        server_command(server, port=port, application=RELAY_APPLICATION, parley=False),
        env=env,
        port=port,
        log_path=workdir / f"relay-{port}.log",
        cpu=cpu,
    )


def start_plain(workdir: Path, *, port: int, cpu: int | None) -> subprocess.Popen[bytes]:
    """The plain `websockets` echo server (bench/baseline_websockets.py)."""
    return start_server(
        [sys.executable, "-m", "bench.baseline_websockets", "--port", str(port)],
        env=dict(os.environ),
        port=port,
        log_path=workdir / f"plain-{port}.log",
        cpu=cpu,
    )


def django_shell(deployment: DemoDeployment, code: str) -> list[str]:
    """Run Python in `manage.py shell` with the deployment's settings; return its output lines."""
    return deployment.manage("shell", "-v", "0", "-c", code).splitlines()


def create_visitor_tokens(
    deployment: DemoDeployment, *, site_key: str, count: int, messages: int = 0, seen_ago: float = 0.0
) -> list[str]:
    """Create `count` visitors, each with an open conversation of `messages` messages; return their tokens.

    `seen_ago` dates their last visit: 0 keeps them "just seen" for the next hour (a hello writes nothing),
    a day makes every first hello record the visit (Parley writes last_seen_at at most once a minute).
    """
    code = f"""
import uuid
from datetime import timedelta
from django.db import transaction
from django.utils import timezone
from server.conversations.models import Conversation, Message, Visitor
from server.conversations.services.visitors import do_start_visitor_session
from server.sites.models import Site

site = Site.objects.get(public_key={site_key!r})
with transaction.atomic():
    sessions = [
        do_start_visitor_session(
            site=site, visitor_token=None, page_url="http://localhost/bench", user_agent="bench"
        )
        for _ in range({count})
    ]
    ids = [session.visitor_id for session in sessions]
    if {messages}:
        # Bulk rows rather than do_post_visitor_message: thousands of histories in a second or two.
        conversations = Conversation.objects.bulk_create(
            [Conversation(site=site, visitor_id=visitor_id, last_seq={messages}) for visitor_id in ids],
            batch_size=500,
        )
        stored = Message.objects.bulk_create(
            [
                Message(
                    conversation=conversation,
                    seq=seq,
                    author=Message.Author.VISITOR,
                    body=f"History message {{seq}}",
                    client_id=uuid.uuid4().hex,
                )
                for conversation in conversations
                for seq in range(1, {messages} + 1)
            ],
            batch_size=500,
        )
        for conversation, last in zip(conversations, stored[{messages} - 1 :: {messages}]):
            conversation.last_message = last
        Conversation.objects.bulk_update(conversations, ["last_message"], batch_size=500)
    # Dated ahead when "just seen", so no hello of the run finds the visit a minute old.
    seen = timezone.now() + (timedelta(seconds=-{seen_ago}) if {seen_ago} else timedelta(hours=1))
    for start in range(0, len(ids), 500):
        Visitor.objects.filter(pk__in=ids[start : start + 500]).update(last_seen_at=seen)
for session in sessions:
    print("TOKEN", session.visitor_token)
"""
    tokens = [line.split(" ", 1)[1] for line in django_shell(deployment, code) if line.startswith("TOKEN ")]
    if len(tokens) != count:
        raise RuntimeError(f"asked for {count} visitor tokens, got {len(tokens)}")
    return tokens


def rss_kib(pid: int) -> int:
    """A process's resident set size (VmRSS), KiB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError(f"no VmRSS for process {pid}")


async def settled_rss(pid: int, *, settle: float, reads: int = 3, interval: float = 1.0) -> int:
    """The median of a few RSS reads once the server has settled (one read can catch a transient)."""
    await asyncio.sleep(settle)
    values = []
    for index in range(reads):
        if index:
            await asyncio.sleep(interval)
        values.append(rss_kib(pid))
    return int(statistics.median(values))


def ws_url(http_url: str) -> str:
    """The ws:// twin of an http:// URL."""
    return http_url.replace("http", "ws", 1)


async def open_client(
    url: str, *, origin: str | None = None, headers: dict[str, str] | None = None, parley: bool = False
) -> ClientConnection:
    """A client socket: no compression or proxy, and no client pings (the servers ping idle sockets)."""
    return await connect(
        url,
        origin=Origin(origin) if origin else None,
        subprotocols=SUBPROTOCOLS if parley else None,
        additional_headers=headers,
        compression=None,
        proxy=None,
        open_timeout=OPEN_TIMEOUT,
        close_timeout=2,
        ping_interval=None,
        max_queue=1024,
    )


def error_name(error: BaseException) -> str:
    """A short, countable name for a failure."""
    if isinstance(error, InvalidStatus):
        return f"http_{error.response.status_code}"
    if isinstance(error, ConnectionClosed):
        return f"closed_{error.rcvd.code if error.rcvd else 'abnormal'}"
    return type(error).__name__


async def close_all(sockets: Iterable[ClientConnection]) -> None:
    """Close sockets (in bounded batches, as a server drains them), aborting what is left at the bound."""
    pending = list(sockets)
    with contextlib.suppress(TimeoutError):
        async with asyncio.timeout(CLOSE_TIMEOUT):
            for start in range(0, len(pending), 500):
                batch = pending[start : start + 500]
                await asyncio.gather(*(socket.close() for socket in batch), return_exceptions=True)
    for socket in pending:
        if socket.transport is not None and not socket.transport.is_closing():
            socket.transport.abort()


# --- Clients of the three systems --------------------------------------------------------------------


async def parley_hello(
    url: str, *, site_key: str, origin: str, token: str
) -> tuple[ClientConnection, dict[str, Any]]:
    """Open a visitor socket and say hello; it counts as open once `ready` arrived."""
    socket = await open_client(f"{ws_url(url)}/ws/visitor/{site_key}/", origin=origin, parley=True)
    try:
        await socket.send(json.dumps({"type": "hello", "token": token}))
        ready = json.loads(await socket.recv())
        if ready.get("type") != "ready":
            raise RuntimeError(f"expected ready, got {ready.get('type')}: {ready.get('code')}")
    except BaseException:
        # Synchronous, so it runs even while a timeout cancels this task.
        if socket.transport is not None:
            socket.transport.abort()
        raise
    return socket, ready


@dataclass
class Target:
    """How one system is reached: `open_idle(i)` holds a socket, `handshake(i)` opens and closes one."""

    name: str
    url: str
    open_idle: Callable[[int], Awaitable[ClientConnection]]
    handshake: Callable[[int], Awaitable[float]]


def parley_target(url: str, *, site_key: str, origin: str, tokens: list[str]) -> Target:
    """Visitor sockets, each with its own token, open once `ready` arrived."""

    async def open_idle(index: int) -> ClientConnection:
        socket, _ = await parley_hello(
            url, site_key=site_key, origin=origin, token=tokens[index % len(tokens)]
        )
        return socket

    async def handshake(index: int) -> float:
        began = time.perf_counter()
        socket, _ = await parley_hello(
            url, site_key=site_key, origin=origin, token=tokens[index % len(tokens)]
        )
        ready_after = time.perf_counter() - began
        await socket.close()
        return ready_after

    return Target("parley", url, open_idle, handshake)


def relay_target(url: str, *, prefix: str) -> Target:
    """Bare-consumer sockets, each joined to its own room's group, open once accepted."""

    async def open_idle(index: int) -> ClientConnection:
        return await open_client(f"{ws_url(url)}/relay/{prefix}-{index}/")

    async def handshake(index: int) -> float:
        began = time.perf_counter()
        socket = await open_client(f"{ws_url(url)}/relay/{prefix}-hs-{index}/")
        accepted_after = time.perf_counter() - began
        await socket.close()
        return accepted_after

    return Target("relay", url, open_idle, handshake)


def plain_target(url: str) -> Target:
    """Plain websockets sockets, open once accepted."""

    async def open_idle(index: int) -> ClientConnection:
        return await open_client(f"{ws_url(url)}/")

    async def handshake(index: int) -> float:
        began = time.perf_counter()
        socket = await open_client(f"{ws_url(url)}/")
        accepted_after = time.perf_counter() - began
        await socket.close()
        return accepted_after

    return Target("plain", url, open_idle, handshake)


# --- Measurements -------------------------------------------------------------------------------------


@dataclass
class Level:
    """The server's memory with N idle sockets held."""

    sockets: int
    opened: int
    failed: int
    rss_kib: int
    per_socket_kib: float | None
    open_seconds: float
    errors: dict[str, int] = field(default_factory=dict)


@dataclass
class CurvePoint:
    """The server's RSS with this many sockets open, read once as they were opened (not settled)."""

    sockets: int
    rss_kib: int


@dataclass
class Handshakes:
    """New connections per second at a fixed concurrency."""

    label: str
    concurrency: int
    duration: float
    attempts: int
    completed: int
    rate: float
    p50_ms: float | None
    p99_ms: float | None
    errors: dict[str, int] = field(default_factory=dict)
    # Each round's own rate, in the order measured: drift shows as rounds that differ.
    rate_by_round: list[int] = field(default_factory=list)


@dataclass
class SystemResult:
    """Everything measured on one server process."""

    system: str
    rss_before_kib: int = 0
    levels: list[Level] = field(default_factory=list)
    handshakes: list[Handshakes] = field(default_factory=list)
    # RSS from no sockets to the highest level at evenly spaced counts (the levels' reads are settled).
    curve: list[CurvePoint] = field(default_factory=list)

    def level(self, sockets: int) -> Level | None:
        """The measurement at N sockets."""
        return next((level for level in self.levels if level.sockets == sockets), None)

    def rate(self, label: str) -> Handshakes | None:
        """The handshake run with this label."""
        return next((run for run in self.handshakes if run.label == label), None)


async def open_many(
    opener: Callable[[int], Awaitable[ClientConnection]], indices: range, *, concurrency: int
) -> tuple[list[ClientConnection], Counter[str]]:
    """Open sockets with a bounded number in flight; return the open ones and the failures by kind."""
    limit = asyncio.Semaphore(concurrency)
    opened: list[ClientConnection] = []
    errors: Counter[str] = Counter()

    async def one(index: int) -> None:
        async with limit:
            try:
                async with asyncio.timeout(OPEN_TIMEOUT):
                    opened.append(await opener(index))
            except Exception as error:
                errors[error_name(error)] += 1

    await asyncio.gather(*(one(index) for index in indices))
    return opened, errors


def curve_stops(start: int, end: int, step: int) -> list[int]:
    """Socket counts after `start` up to `end` at which to read RSS: the multiples of `step`, and `end`."""
    return [*range((start // step + 1) * step, end, step), end]


async def measure_idle(
    target: Target,
    pid: int,
    result: SystemResult,
    *,
    levels: list[int],
    concurrency: int,
    settle: float,
    curve_points: int,
) -> list[ClientConnection]:
    """Hold N idle sockets for each level (growing from one to the next); read the server's RSS at each."""
    held: list[ClientConnection] = []
    result.rss_before_kib = await settled_rss(pid, settle=settle)
    result.curve.append(CurvePoint(sockets=0, rss_kib=result.rss_before_kib))
    # The memory curve: one more RSS read every highest-level/curve_points sockets on the way up.
    step = max(1, math.ceil(max(levels) / curve_points))
    log(f"  {target.name}: RSS before {result.rss_before_kib / 1024:.1f} MiB")
    for sockets in levels:
        began = time.perf_counter()
        errors: Counter[str] = Counter()
        next_index = len(held)
        for stop in curve_stops(next_index, sockets, step):
            opened, failures = await open_many(
                target.open_idle, range(next_index, stop), concurrency=concurrency
            )
            held += opened
            errors += failures
            next_index = stop
            if stop < sockets:
                # One /proc read, no settling: the curve costs the run microseconds per point.
                result.curve.append(CurvePoint(sockets=len(held), rss_kib=rss_kib(pid)))
        open_seconds = time.perf_counter() - began
        rss = await settled_rss(pid, settle=settle)
        result.curve.append(CurvePoint(sockets=len(held), rss_kib=rss))
        level = Level(
            sockets=sockets,
            opened=len(held),
            failed=sockets - len(held),
            rss_kib=rss,
            per_socket_kib=(rss - result.rss_before_kib) / len(held) if held else None,
            open_seconds=round(open_seconds, 2),
            errors=dict(errors),
        )
        result.levels.append(level)
        log(
            f"  {target.name}: {level.opened}/{sockets} open in {open_seconds:.1f} s, "
            f"RSS {rss / 1024:.1f} MiB, "
            f"{level.per_socket_kib or 0:.1f} KiB/socket" + (f", errors {level.errors}" if errors else "")
        )
    return held


@dataclass
class HandshakeWindow:
    """One stretch of handshakes at a fixed concurrency, as it happened: what a Handshakes run pools."""

    duration: float
    attempts: int
    latencies: list[float]  # ms to ready (or accept), of the handshakes completed inside the window
    errors: Counter[str]


async def measure_handshakes(
    *,
    handshake: Callable[[int], Awaitable[float]],
    counter: "itertools.count[int]",
    concurrency: int,
    warmup: float,
    duration: float,
) -> HandshakeWindow:
    """Open-and-close loops at a fixed concurrency; count those finished inside the measured window.

    `counter` numbers the handshakes across a run's windows, so none reuses another's visitor.
    """
    measure_from = time.perf_counter() + warmup
    stop_at = measure_from + duration
    attempts = 0
    latencies: list[float] = []
    errors: Counter[str] = Counter()

    async def worker() -> None:
        nonlocal attempts
        while (began := time.perf_counter()) < stop_at:
            attempts += 1
            try:
                async with asyncio.timeout(HANDSHAKE_TIMEOUT):
                    ready_after = await handshake(next(counter))
            except Exception as error:
                if began >= measure_from:
                    errors[error_name(error)] += 1
                # A failing server is not hammered in a tight loop.
                await asyncio.sleep(0.05)
                continue
            if measure_from <= time.perf_counter() <= stop_at:
                latencies.append(ready_after * 1000)

    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return HandshakeWindow(duration=duration, attempts=attempts, latencies=latencies, errors=errors)


def pooled_handshakes(
    windows: list[HandshakeWindow], *, name: str, label: str, concurrency: int
) -> Handshakes:
    """A system's windows of one kind of handshake, pooled into one run."""
    latencies = sorted(latency for window in windows for latency in window.latencies)
    duration = sum(window.duration for window in windows)
    errors: Counter[str] = Counter()
    for window in windows:
        errors += window.errors
    run = Handshakes(
        label=label,
        concurrency=concurrency,
        duration=duration,
        attempts=sum(window.attempts for window in windows),
        completed=len(latencies),
        rate=len(latencies) / duration,
        p50_ms=percentile(latencies, 0.5),
        p99_ms=percentile(latencies, 0.99),
        errors=dict(errors),
        rate_by_round=[round(len(window.latencies) / window.duration) for window in windows],
    )
    log(
        f"  {name} {label}: {run.rate:.0f} handshakes/s, open→ready p50 {fmt(run.p50_ms)} "
        f"p99 {fmt(run.p99_ms)} ms; by round {' '.join(str(rate) for rate in run.rate_by_round)}"
        + (f", errors {run.errors}" if errors else "")
    )
    return run


# --- The run ------------------------------------------------------------------------------------------


@dataclass
class Settings:
    """The command line, resolved."""

    levels: list[int]
    open_concurrency: int
    concurrency: int
    warmup: float
    duration: float
    rounds: int
    settle: float
    returning_visitors: int
    history_messages: int
    systems: list[str]
    output: Path
    parley_env: dict[str, str] = field(default_factory=dict)
    curve_points: int = 10


@dataclass
class System:
    """A server under test, started: its process, how it is reached and the handshake runs it gets."""

    name: str
    pid: int
    target: Target
    warm_up: Callable[[int], Awaitable[ClientConnection]]
    runs: list[tuple[str, Callable[[int], Awaitable[float]]]]


async def measure_memory(system: System, settings: Settings) -> SystemResult:
    """Warm the server up, then measure its idle memory and free the sockets."""
    result = SystemResult(system=system.target.name)
    # Lazy imports, thread pools, database connections and caches are paid before the baseline read.
    warm, _ = await open_many(system.warm_up, range(WARM_UP_SOCKETS), concurrency=settings.open_concurrency)
    await close_all(warm)
    held = await measure_idle(
        system.target,
        system.pid,
        result,
        levels=settings.levels,
        concurrency=settings.open_concurrency,
        settle=settings.settle,
        curve_points=settings.curve_points,
    )
    await close_all(held)
    return result


async def measure_all(systems: dict[str, System], settings: Settings) -> dict[str, SystemResult]:
    """Each system's idle memory in turn, then the handshake runs of all of them, taking turns by round.

    Measured one system after the other, a system could get the machine's fast minute and the next one
    its slow one: the bare consumer's rate moved between 712 and 1,057/s from run to run. In rounds
    (A, B, C, then C, B, A, …) every system meets the same drift, and each pools its rounds.
    """
    results: dict[str, SystemResult] = {}
    for name, system in systems.items():
        log(f"{SYSTEM_NAMES[name]}:")
        results[name] = await measure_memory(system, settings)
    # Let the servers finish their disconnects before the handshake clock starts.
    await asyncio.sleep(settings.settle)
    log(f"handshakes, {settings.rounds} rounds of {settings.duration / settings.rounds:.1f} s each:")
    windows: dict[tuple[str, str], list[HandshakeWindow]] = {}
    counters: dict[tuple[str, str], itertools.count[int]] = {}
    order = list(systems)
    for round_ in range(settings.rounds):
        for name in order if round_ % 2 == 0 else reversed(order):
            for label, handshake in systems[name].runs:
                key = (name, label)
                window = await measure_handshakes(
                    handshake=handshake,
                    counter=counters.setdefault(key, itertools.count()),
                    concurrency=settings.concurrency,
                    # The first round warms a run up; later ones only fill the pipeline again.
                    warmup=settings.warmup if key not in windows else min(settings.warmup, REFILL_SECONDS),
                    duration=settings.duration / settings.rounds,
                )
                windows.setdefault(key, []).append(window)
    for (name, label), taken in windows.items():
        results[name].handshakes.append(
            pooled_handshakes(taken, name=name, label=label, concurrency=settings.concurrency)
        )
    return results


@contextlib.contextmanager
def parley_system(settings: Settings, workdir: Path) -> Iterator[System]:
    """Parley's visitor socket on one daphne process (SQLite, in-memory layer), with its visitors."""
    deployment = DemoDeployment(workdir=workdir, extra_env=dict(settings.parley_env))
    site_key = deployment.set_up()
    origin = f"http://localhost:{deployment.shop_port}"
    began = time.perf_counter()
    fresh = create_visitor_tokens(deployment, site_key=site_key, count=max(settings.levels))
    returning = create_visitor_tokens(
        deployment,
        site_key=site_key,
        count=settings.returning_visitors + WARM_UP_SOCKETS,
        messages=settings.history_messages,
        seen_ago=86400,
    )
    log(
        f"parley: {len(fresh)} fresh visitors and {len(returning)} with {settings.history_messages} messages "
        f"created in {time.perf_counter() - began:.1f} s"
    )
    process = start_parley(deployment, port=deployment.server_port, cpu=SERVER_CPU)
    try:
        target = parley_target(deployment.server_url, site_key=site_key, origin=origin, tokens=fresh)
        # Warm-up takes the last returning visitors, so every measured one still has a visit to record.
        warm_target = parley_target(
            deployment.server_url, site_key=site_key, origin=origin, tokens=returning[-WARM_UP_SOCKETS:]
        )
        returning_target = parley_target(
            deployment.server_url, site_key=site_key, origin=origin, tokens=returning[:-WARM_UP_SOCKETS]
        )
        yield System(
            name="parley",
            pid=process.pid,
            target=target,
            warm_up=warm_target.open_idle,
            runs=[("fresh visitor", target.handshake), ("returning visitor", returning_target.handshake)],
        )
    finally:
        stop_process(process)


@contextlib.contextmanager
def relay_system(settings: Settings, workdir: Path) -> Iterator[System]:
    """The bare consumer on one daphne process, in-memory layer."""
    port = free_port()
    process = start_relay(workdir, port=port, cpu=SERVER_CPU)
    try:
        target = relay_target(f"http://127.0.0.1:{port}", prefix="idle")
        yield System(
            name="relay",
            pid=process.pid,
            target=target,
            warm_up=relay_target(target.url, prefix="warm").open_idle,
            runs=[("connect", target.handshake)],
        )
    finally:
        stop_process(process)


@contextlib.contextmanager
def plain_system(settings: Settings, workdir: Path) -> Iterator[System]:
    """The plain websockets echo server."""
    port = free_port()
    process = start_plain(workdir, port=port, cpu=SERVER_CPU)
    try:
        target = plain_target(f"http://127.0.0.1:{port}")
        yield System(
            name="plain",
            pid=process.pid,
            target=target,
            warm_up=target.open_idle,
            runs=[("connect", target.handshake)],
        )
    finally:
        stop_process(process)


def note_reused_visitors(results: dict[str, SystemResult], settings: Settings) -> None:
    """Say so when returning handshakes outnumbered the returning visitors (the repeats wrote nothing)."""
    parley = results.get("parley")
    returning_run = parley.rate("returning visitor") if parley else None
    if returning_run is not None and returning_run.attempts > settings.returning_visitors:
        log(
            f"  note: {returning_run.attempts} returning handshakes shared {settings.returning_visitors} "
            "visitors; the repeats recorded no visit (raise --returning)"
        )


def fmt(value: float | None, digits: int = 1) -> str:
    """A figure for the table."""
    return "-" if value is None else f"{value:.{digits}f}"


def ratio(parley: float | None, relay: float | None) -> float | None:
    """Parley's figure over the bare consumer's."""
    if parley is None or relay is None or relay <= 0:
        return None
    return parley / relay


def table_rows(results: dict[str, SystemResult], settings: Settings) -> list[dict[str, Any]]:
    """The figures, side by side, with their targets."""
    parley = results.get("parley")
    relay = results.get("relay")
    plain = results.get("plain")
    rows: list[dict[str, Any]] = []
    for sockets in settings.levels:
        values = {
            name: (level.per_socket_kib if (level := result.level(sockets)) else None)
            for name, result in results.items()
        }
        share = ratio(values.get("parley"), values.get("relay"))
        rows.append(
            {
                "figure": f"KiB per idle socket, N={sockets:,}",
                "parley": fmt(values.get("parley")),
                "relay": fmt(values.get("relay")),
                "plain": fmt(values.get("plain")),
                "ratio": share,
                "target": "<= 1.3x",
                "verdict": None if share is None else share <= 1.3,
            }
        )
    top = max(settings.levels)

    def opened(result: SystemResult | None) -> str:
        level = result.level(top) if result else None
        return "-" if level is None else f"{level.opened:,} ({level.failed} failed)"

    parley_top = parley.level(top) if parley else None
    rows.append(
        {
            "figure": f"sockets open of {top:,}",
            "parley": opened(parley),
            "relay": opened(relay),
            "plain": opened(plain),
            "ratio": None,
            "target": f"all {top:,}",
            "verdict": None if parley_top is None else parley_top.failed == 0,
        }
    )
    relay_rate = relay.rate("connect") if relay else None
    plain_rate = plain.rate("connect") if plain else None
    for label in ("fresh visitor", "returning visitor"):
        parley_rate = parley.rate(label) if parley else None
        share = ratio(
            parley_rate.rate if parley_rate else None,
            relay_rate.rate if relay_rate else None,
        )
        history = f", {settings.history_messages} msgs" if label == "returning visitor" else ""
        rows.append(
            {
                "figure": f"handshakes/s ({label}{history})",
                "parley": fmt(parley_rate.rate if parley_rate else None, 0),
                "relay": fmt(relay_rate.rate if relay_rate else None, 0),
                "plain": fmt(plain_rate.rate if plain_rate else None, 0),
                "ratio": share,
                "target": ">= 0.7x",
                "verdict": None if share is None else share >= 0.7,
            }
        )
        rows.append(
            {
                "figure": f"  open→ready p50/p99 ms ({label})",
                "parley": f"{fmt(parley_rate.p50_ms)}/{fmt(parley_rate.p99_ms)}" if parley_rate else "-",
                "relay": f"{fmt(relay_rate.p50_ms)}/{fmt(relay_rate.p99_ms)}" if relay_rate else "-",
                "plain": f"{fmt(plain_rate.p50_ms)}/{fmt(plain_rate.p99_ms)}" if plain_rate else "-",
                "ratio": None,
                "target": "",
                "verdict": None,
            }
        )
    return rows


def table(rows: list[dict[str, Any]], settings: Settings) -> str:
    """The result table."""
    header = (
        f"{'figure':<40}{'Parley':>18}{'bare consumer':>18}{'plain websockets':>18}"
        f"{'ratio':>8}  {'target':<12}verdict"
    )
    lines = [header, "-" * len(header)]
    for row in rows:
        verdict = "" if row["verdict"] is None else ("PASS" if row["verdict"] else "MISS")
        share = "" if row["ratio"] is None else f"{row['ratio']:.2f}x"
        lines.append(
            f"{row['figure']:<40}{row['parley']:>18}{row['relay']:>18}{row['plain']:>18}"
            f"{share:>8}  {row['target']:<12}{verdict}"
        )
    lines.append(
        "Ratio: Parley / bare consumer (a bare Channels consumer joining one group per socket). "
        f"One daphne process each, in-memory layer, server on CPU {SERVER_CPU}, load generator on CPU "
        f"{CLIENT_CPU}; handshakes: {settings.concurrency} in flight for {settings.duration:g} s in "
        f"{settings.rounds} rounds, the systems taking turns; Parley's "
        "counted at `ready`, the others at accept; each includes the close. Fresh visitor: no conversation, "
        "seen within the minute (the hello only reads). Returning: an open conversation with "
        f"{settings.history_messages} messages sent in `ready`, last seen a day ago (the hello records "
        "the visit)."
    )
    return "\n".join(lines)


def run(settings: "Settings | None" = None) -> dict[str, Any]:
    """Measure every system (progress on stderr, no table); return the report the JSON file holds."""
    settings = settings or parse_args([])
    started = time.monotonic()
    shutil.rmtree(WORKDIR, ignore_errors=True)
    WORKDIR.mkdir(parents=True)
    load_before = Path("/proc/loadavg").read_text().split()[:3]
    starters = {"parley": parley_system, "relay": relay_system, "plain": plain_system}
    with load_generator_on_cpu(CLIENT_CPU), contextlib.ExitStack() as servers:
        # Every server runs throughout, idle while another is measured, so the handshake runs can alternate.
        systems = {
            name: servers.enter_context(starters[name](settings, WORKDIR)) for name in settings.systems
        }
        results = asyncio.run(measure_all(systems, settings))
    note_reused_visitors(results, settings)
    rows = table_rows(results, settings)
    return {
        "benchmark": "idle memory per socket and handshakes/s, one daphne process, in-memory layer",
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
        "systems": {name: asdict(result) for name, result in results.items()},
        "rows": rows,
        "table": table(rows, settings),
        "elapsed_seconds": round(time.monotonic() - started, 1),
    }


def parse_args(argv: list[str] | None) -> Settings:
    """Read the command line."""
    parser = argparse.ArgumentParser(prog="python -m bench.capacity", description=__doc__.splitlines()[0])
    parser.add_argument("--levels", default="1000,5000", help="idle socket counts (default 1000,5000)")
    parser.add_argument(
        "--open-concurrency", type=int, default=50, help="sockets opening at once (default 50)"
    )
    parser.add_argument("--concurrency", type=int, default=50, help="handshakes in flight (default 50)")
    parser.add_argument("--warmup", type=float, default=1.0, help="handshake seconds not counted (default 1)")
    parser.add_argument(
        "--duration",
        type=float,
        default=10.0,
        help="handshake seconds counted per run, over all rounds (default 10)",
    )
    parser.add_argument(
        "--rounds",
        type=int,
        default=4,
        help="rounds the handshake runs are split into, the systems taking turns (default 4)",
    )
    parser.add_argument("--settle", type=float, default=2.0, help="seconds before the RSS reads (default 2)")
    parser.add_argument(
        "--returning",
        type=int,
        default=8000,
        help="returning visitors (one per handshake; more handshakes reuse them and write nothing)",
    )
    parser.add_argument("--history", type=int, default=3, help="messages each returning visitor has")
    parser.add_argument(
        "--systems", default=",".join(SYSTEMS), help=f"which to measure (default {','.join(SYSTEMS)})"
    )
    parser.add_argument(
        "--parley-env",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="an extra setting for Parley's process, e.g. DATABASE_CONN_MAX_AGE=60 (repeatable)",
    )
    parser.add_argument(
        "--curve-points",
        type=int,
        default=10,
        help="RSS reads, evenly spaced, while opening up to the highest level (default 10)",
    )
    parser.add_argument("--output", type=Path, default=OUTPUT, help=f"JSON results (default {OUTPUT})")
    parser.add_argument("--quick", action="store_true", help="smoke run: N=500, 3 s handshake runs")
    args = parser.parse_args(argv)
    systems = [name.strip() for name in str(args.systems).split(",") if name.strip()]
    if not systems or any(name not in SYSTEMS for name in systems):
        parser.error(f"--systems takes names from {', '.join(SYSTEMS)}")
    settings = Settings(
        levels=sorted({int(level) for level in str(args.levels).split(",") if level.strip()}),
        open_concurrency=args.open_concurrency,
        concurrency=args.concurrency,
        warmup=args.warmup,
        duration=args.duration,
        rounds=args.rounds,
        settle=args.settle,
        returning_visitors=args.returning,
        history_messages=args.history,
        systems=systems,
        output=args.output,
        parley_env=dict(item.split("=", 1) for item in args.parley_env if "=" in item),
        curve_points=args.curve_points,
    )
    if args.quick:
        settings.levels, settings.warmup, settings.duration, settings.rounds = [500], 0.5, 3.0, 1
        settings.returning_visitors = min(settings.returning_visitors, 2000)
    if (
        not settings.levels
        or settings.levels[0] < 1
        or min(settings.concurrency, settings.curve_points, settings.rounds) < 1
    ):
        parser.error("--levels, --concurrency, --rounds and --curve-points must be positive")
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
