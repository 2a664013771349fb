"""Server processes under test: start one on a free port and wait until it listens; cores and idle states.

Parley runs as it ships (daphne through `python -m server.serve`, on uvloop); the bare relay
(bench/baseline_relay.py) as stock daphne on asyncio's loop, what Channels gives out of the box; the plain
`websockets` server (bench/baseline_websockets.py) on its own. Every start goes through `start_server`, so
each process gets a raised open-files limit and, if asked, one core.
"""

import contextlib
import os
import resource
import struct
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

from bench.common import log
from tests.processes import (
    BIN,
    PARLEY_APPLICATION,
    REPO,
    DemoDeployment,
    daphne_command,
    stop_process,
    wait_for_port,
)

# One-process runs pin the server to one core and the load generator to the other.
SERVER_CPU = 0
CLIENT_CPU = 1
RELAY_APPLICATION = "bench.relay_asgi:application"
# The ASGI servers bench.latency can run both systems under: daphne (Parley through server.serve, on
# uvloop; the relay as stock daphne, on asyncio's loop), or uvicorn on uvloop for both, with
# permessage-deflate off or on.
ASGI_SERVERS = ("daphne", "uvicorn", "uvicorn-deflate")
# uvicorn's equivalents of DAPHNE_FLAGS, and daphne's keepalive pings.
UVICORN_FLAGS = ["--ws", "websockets", "--ws-max-size", "1048576", "--ws-ping-interval", "20"]
UVICORN_FLAGS += ["--ws-ping-timeout", "30", "--lifespan", "off", "--no-access-log", "--loop", "uvloop"]


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


def stop_all(processes: list[subprocess.Popen[bytes]]) -> None:
    """Stop every process of a list, in order."""
    for process in processes:
        stop_process(process)


def rss_kib(pid: int) -> int:
    """A process's resident set size (VmRSS), KiB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError(f"no VmRSS for process {pid}")


@contextlib.contextmanager
def cpus_kept_awake(wanted: bool) -> Iterator[None]:
    """While open, ask the kernel for a wake-up latency of 0 (PM QoS): idle CPUs poll instead of halting.

    On a KVM guest whose idle CPUs halt (cpuidle's haltpoll), a halted CPU is woken through the host,
    which at a low message rate, when every hop finds its CPU idle, costs more than the work of a hop.
    """
    if not wanted:
        yield
        return
    try:
        descriptor = os.open("/dev/cpu_dma_latency", os.O_WRONLY)
    except OSError as error:
        log(f"--cpus-awake: cannot open /dev/cpu_dma_latency ({error}); measuring as the machine idles")
        yield
        return
    try:
        os.write(descriptor, struct.pack("i", 0))
        yield
    finally:
        # Closing the file gives the CPUs their idle states back.
        os.close(descriptor)


def stop_on_signal(signum: int, frame: object) -> None:
    """Turn SIGTERM into an exception that unwinds the run (and its `finally` blocks stop the servers)."""
    raise SystemExit(128 + signum)
