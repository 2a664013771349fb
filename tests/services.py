"""Real Redis and PostgreSQL servers for integration tests, each on a free loopback port, stopped after."""

import os
import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from tests.processes import free_port, wait_for_port


@dataclass
class RedisServer:
    """A throwaway `redis-server` without persistence (a restart loses every key, like a crash would)."""

    workdir: Path
    port: int = field(default_factory=free_port)
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        """The URL the server is reachable at."""
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        """Start (or restart) the server on the same port."""
        binary = shutil.which("redis-server") or "/usr/bin/redis-server"
        log = (self.workdir / f"redis-{self.port}.log").open("ab")
        self.process = subprocess.Popen(
            [binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
            cwd=self.workdir,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        wait_for_port(self.port, process=self.process)

    def kill(self) -> None:
        """Kill the server at once (SIGKILL), as a crash would."""
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait()
        self.process = None


def _as_postgres_user(command: list[str]) -> list[str]:
    """PostgreSQL refuses to run as root: run its tools as the `postgres` user when we are root."""
    if os.geteuid() == 0:
        return ["runuser", "-u", "postgres", "--", *command]
    return command


def _pg_binary(name: str) -> str:
    found = shutil.which(name)
    if found:
        return found
    for version_dir in sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True):
        if (version_dir / name).exists():
            return str(version_dir / name)
    raise FileNotFoundError(f"{name} not found: install PostgreSQL (Debian package postgresql)")


@dataclass
class PostgresCluster:
    """A throwaway PostgreSQL cluster in a temporary directory (initdb + pg_ctl), trust auth on loopback."""

    workdir: Path
    port: int = field(default_factory=free_port)
    # Off for tests and benchmarks: a commit then writes its WAL without waiting for the disk.
    fsync: bool = False

    @property
    def datadir(self) -> Path:
        """The cluster's data directory."""
        return self.workdir / "pgdata"

    @property
    def url(self) -> str:
        """A DATABASE_URL for the cluster's `parley` database."""
        return f"postgres://postgres@127.0.0.1:{self.port}/parley"

    def start(self) -> None:
        """Create the cluster and the `parley` database, and start the server."""
        if os.geteuid() == 0:
            # The postgres user cannot traverse root's private temp dirs: use a directory of its own.
            self.workdir = Path(tempfile.mkdtemp(prefix="parley-pg-"))
            shutil.chown(self.workdir, "postgres")
        self.workdir.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            _as_postgres_user(
                [
                    _pg_binary("initdb"),
                    "-D",
                    str(self.datadir),
                    "-U",
                    "postgres",
                    "--auth=trust",
                    "-E",
                    "UTF8",
                ]
            ),
            check=True,
            capture_output=True,
        )
        fsync = "on" if self.fsync else "off"
        options = f"-p {self.port} -k {self.workdir} -c listen_addresses=127.0.0.1 -c fsync={fsync}"
        subprocess.run(
            _as_postgres_user(
                [
                    _pg_binary("pg_ctl"),
                    "-D",
                    str(self.datadir),
                    "-o",
                    options,
                    "-l",
                    str(self.workdir / "pg.log"),
                    "-w",
                    "start",
                ]
            ),
            check=True,
            capture_output=True,
        )
        wait_for_port(self.port)
        deadline = time.monotonic() + 20
        while True:
            created = self.psql("CREATE DATABASE parley", database="postgres", check=False)
            if created.returncode == 0 or time.monotonic() > deadline:
                break
            time.sleep(0.2)
        created.check_returncode()

    def psql(
        self, command: str, *, database: str = "parley", check: bool = True
    ) -> subprocess.CompletedProcess[bytes]:
        """Run one SQL command with psql as the postgres user."""
        return subprocess.run(
            [
                "psql",
                "-h",
                "127.0.0.1",
                "-p",
                str(self.port),
                "-U",
                "postgres",
                "-d",
                database,
                "-c",
                command,
            ],
            capture_output=True,
            check=check,
        )

    def vacuum(self) -> None:
        """VACUUM ANALYZE the `parley` database and wait for it: what autovacuum does in its own time."""
        self.psql("VACUUM ANALYZE")

    def stop(self) -> None:
        """Stop the server (fast shutdown)."""
        subprocess.run(
            _as_postgres_user([_pg_binary("pg_ctl"), "-D", str(self.datadir), "-m", "fast", "-w", "stop"]),
            check=False,
            capture_output=True,
        )
        if os.geteuid() == 0:
            shutil.rmtree(self.workdir, ignore_errors=True)


@dataclass
class NginxBalancer:
    """Real nginx running the repo's deploy/nginx.conf, its upstream pointed at local daphne processes."""

    workdir: Path
    upstream_ports: list[int]
    port: int = field(default_factory=free_port)
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        """The load balancer's URL."""
        return f"http://localhost:{self.port}"

    def config(self) -> str:
        """deploy/nginx.conf with the compose service names replaced by loopback ports."""
        site = (Path(__file__).resolve().parent.parent / "deploy" / "nginx.conf").read_text()
        upstreams = "".join(
            f"    server 127.0.0.1:{port} max_fails=1 fail_timeout=5s;\n" for port in self.upstream_ports
        )
        site = site.replace("    server parley1:8000 max_fails=1 fail_timeout=5s;\n", upstreams)
        site = site.replace("    server parley2:8000 max_fails=1 fail_timeout=5s;\n", "")
        site = site.replace("listen 80;", f"listen 127.0.0.1:{self.port};")
        site = site.replace("/var/log/nginx/access.log", str(self.workdir / "nginx-access.log"))
        if "parley1" in site or "parley2" in site or str(self.port) not in site:
            raise AssertionError("deploy/nginx.conf changed shape: update NginxBalancer.config")
        temp = self.workdir / "nginx-temp"
        temp.mkdir(exist_ok=True)
        return (
            f"daemon off;\npid {self.workdir}/nginx.pid;\nerror_log {self.workdir}/nginx-error.log;\n"
            "events { worker_connections 1024; }\n"
            f"http {{\n access_log off;\n client_body_temp_path {temp};\n proxy_temp_path {temp};\n"
            f" fastcgi_temp_path {temp};\n uwsgi_temp_path {temp};\n scgi_temp_path {temp};\n{site}\n}}\n"
        )

    def start(self) -> None:
        """Start nginx in the foreground of its own process."""
        conf = self.workdir / "nginx.conf"
        conf.write_text(self.config())
        binary = shutil.which("nginx") or "/usr/sbin/nginx"
        self.process = subprocess.Popen(
            [binary, "-c", str(conf), "-p", str(self.workdir)],
            stdout=subprocess.DEVNULL,
            stderr=(self.workdir / "nginx-stderr.log").open("ab"),
        )
        wait_for_port(self.port, process=self.process)

    def stop(self) -> None:
        """Stop nginx."""
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)
        self.process = None
