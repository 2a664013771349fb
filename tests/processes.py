"""Real server processes for integration and e2e tests: daphne and the demo shop, on free ports."""

import functools
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
# How Parley is served (daphne on uvloop; server/serve.py), as the Makefile and deploy/ start it.
PARLEY_SERVE = [str(BIN / "python"), "-m", "server.serve"]
PARLEY_APPLICATION = "server.asgi:application"
DAPHNE_FLAGS = ["--websocket-max-message-size", "1048576", "--websocket_timeout", "-1"]


def daphne_command(
    port: int, application: str = PARLEY_APPLICATION, *, launcher: list[str] = PARLEY_SERVE
) -> list[str]:
    """The command serving an ASGI application with daphne on a loopback port (Parley's way by default)."""
    return [*launcher, "-b", "127.0.0.1", "-p", str(port), *DAPHNE_FLAGS, application]


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def stop_process(process: subprocess.Popen[bytes], *, sig: int = signal.SIGTERM, timeout: float = 10) -> None:
    """Send `sig` (SIGTERM by default), then SIGKILL if the process is still there after `timeout`."""
    if process.poll() is None:
        process.send_signal(sig)
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=timeout)


def wait_for_port(port: int, *, process: subprocess.Popen[bytes] | None = None, timeout: float = 30) -> None:
    """Wait until something accepts connections on a loopback port."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"process exited with {process.returncode} before listening on {port}")
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    raise TimeoutError(f"nothing listens on port {port} after {timeout} s")


@dataclass
class DemoDeployment:
    """A Parley server and the demo shop on a second origin, each a real process."""

    workdir: Path
    server_port: int = field(default_factory=free_port)
    shop_port: int = field(default_factory=free_port)
    username: str = "agent"
    password: str = "e2e-password-123"
    extra_env: dict[str, str] = field(default_factory=dict)
    processes: list[subprocess.Popen[bytes]] = field(default_factory=list)

    @property
    def server_url(self) -> str:
        """Where browsers reach Parley."""
        return f"http://localhost:{self.server_port}"

    @property
    def shop_url(self) -> str:
        """The demo shop page that embeds the widget."""
        return f"http://localhost:{self.shop_port}/"

    def env(self) -> dict[str, str]:
        """The environment every process of this deployment runs with."""
        return {
            **os.environ,
            # pytest-django exports tests.settings (in-memory layer forced); servers run the real settings.
            "DJANGO_SETTINGS_MODULE": "server.settings",
            "SECRET_KEY": "parley-e2e-secret",
            "DEBUG": "0",
            "DATABASE_URL": f"sqlite:///{self.workdir / 'parley.sqlite3'}",
            "STATIC_ROOT": str(self.workdir / "static"),
            "PARLEY_PUBLIC_URL": self.server_url,
            "REDIS_URL": "",
            # Every browser of a test comes from 127.0.0.1: allauth's per-IP caps would count them as one.
            "PARLEY_ACCOUNT_LOGIN_RATE": "1000/m/ip",
            "PARLEY_ACCOUNT_LOGIN_FAILED_RATE": "1000/m/ip",
            "PARLEY_ACCOUNT_SIGNUP_RATE": "1000/m/ip",
            **self.extra_env,
        }

    def manage(self, *args: str) -> str:
        """Run a management command to completion and return its output."""
        result = subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=REPO,
            env=self.env(),
            capture_output=True,
            text=True,
            check=False,
        )
        if result.returncode != 0:
            raise RuntimeError(f"manage.py {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
        return result.stdout

    def set_up(self) -> str:
        """Migrate and create the demo site and agent; return the site key."""
        database_url = self.env()["DATABASE_URL"]
        if database_url.startswith("sqlite:///"):
            # A copy of the test process's one migrated database: the same file migrate would leave.
            shutil.copyfile(migrated_sqlite(), database_url.removeprefix("sqlite:///"))
        else:
            self.manage("migrate", "--noinput", "-v", "0")
        output = self.manage(
            "parley_demo",
            "--host-origin",
            f"http://localhost:{self.shop_port}",
            "--username",
            self.username,
            f"--password={self.password}",  # "=" keeps a password that starts with "-" a value
        )
        return output.split("Site key:", 1)[1].split()[0]

    def start_server(self, port: int | None = None) -> subprocess.Popen[bytes]:
        """Start a daphne process (on the main server port unless told another) and wait until it listens."""
        port = port or self.server_port
        log = (self.workdir / f"daphne-{port}.log").open("ab")
        process = subprocess.Popen(
            daphne_command(port),
            cwd=REPO,
            env=self.env(),
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        self.processes.append(process)
        wait_for_port(port, process=process)
        return process

    def start_shop(self) -> subprocess.Popen[bytes]:
        """Start the demo shop and wait until it listens."""
        log = (self.workdir / "shop.log").open("ab")
        process = subprocess.Popen(
            [sys.executable, "manage.py", "serve_demo_host", "--port", str(self.shop_port)],
            cwd=REPO,
            env=self.env(),
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        self.processes.append(process)
        wait_for_port(self.shop_port, process=process)
        return process

    def start_worker(self) -> subprocess.Popen[bytes]:
        """Start the task queue's worker (`manage.py db_worker`, as `make run` and deploy/ do)."""
        log = (self.workdir / "worker.log").open("ab")
        process = subprocess.Popen(
            [
                sys.executable,
                "manage.py",
                "db_worker",
                "--no-startup-delay",
                "--interval",
                "0.2",
                "--no-reload",
            ],
            cwd=REPO,
            env=self.env(),
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        self.processes.append(process)
        return process

    def stop(self, process: subprocess.Popen[bytes], *, sig: int = signal.SIGTERM) -> None:
        """Stop one process and wait for it."""
        stop_process(process, sig=sig)
        if process in self.processes:
            self.processes.remove(process)

    def stop_all(self) -> None:
        """Stop every process this deployment started."""
        for process in list(self.processes):
            self.stop(process)

    def log(self, port: int | None = None) -> str:
        """A daphne process's log, for failure messages."""
        path = self.workdir / f"daphne-{port or self.server_port}.log"
        return path.read_text(errors="replace") if path.exists() else ""


@functools.cache
def migrated_sqlite() -> Path:
    """A SQLite database migrated once per test process, for deployments to copy (migrating is a few
    seconds of every deployment's start)."""
    workdir = Path(tempfile.mkdtemp(prefix="parley-migrated-"))
    DemoDeployment(workdir=workdir).manage("migrate", "--noinput", "-v", "0")
    return workdir / "parley.sqlite3"


@contextmanager
def demo_deployment(workdir: Path, **kwargs: object) -> Iterator[DemoDeployment]:
    """A running server and demo shop, stopped on exit."""
    deployment = DemoDeployment(workdir=workdir, **kwargs)  # type: ignore[arg-type]
    deployment.set_up()
    try:
        deployment.start_server()
        deployment.start_shop()
        yield deployment
    finally:
        deployment.stop_all()
