"""Logs: a whole run (visitor, agent, refusals) at DEBUG writes no token, cookie, password or key."""

import asyncio
import json
import logging
import re
import secrets
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.cookiejar import CookieJar
from pathlib import Path

import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import InvalidStatus
from websockets.typing import Origin

from tests.integration.clients import SUBPROTOCOLS, AgentClient, VisitorClient
from tests.processes import DemoDeployment

pytestmark = pytest.mark.timeout(180)


@dataclass
class Run:
    """A deployment with keys of its own, and every secret that passed through it."""

    deployment: DemoDeployment
    site_key: str
    secrets: dict[str, str] = field(default_factory=dict)

    @property
    def shop_origin(self) -> str:
        """The origin the demo site allows."""
        return f"http://localhost:{self.deployment.shop_port}"

    def keep(self, name: str, value: str) -> None:
        """Remember a secret the logs must never hold."""
        assert value, name
        self.secrets[name] = value

    def keep_token(self, token: str) -> None:
        """Remember a visitor token and, on its own, its signature."""
        self.keep(f"visitor token {len(self.secrets)}", token)
        self.keep(f"visitor token signature {len(self.secrets)}", token.rpartition(".")[2])


@pytest.fixture(params=["0", "1"], ids=["DEBUG off", "DEBUG on"])
def run(tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[Run]:
    """The demo deployment at LOG_LEVEL=DEBUG, with a random SECRET_KEY and visitor token key."""
    keys = {"SECRET_KEY": secrets.token_urlsafe(40), "PARLEY_VISITOR_TOKEN_KEY": secrets.token_urlsafe(40)}
    password = secrets.token_urlsafe(16)
    deployment = DemoDeployment(
        workdir=tmp_path, password=password, extra_env={"LOG_LEVEL": "DEBUG", "DEBUG": request.param, **keys}
    )
    # The demo command prints the password it was given: setup output, not a log, and not scanned.
    current = Run(deployment=deployment, site_key=deployment.set_up())
    for name, value in keys.items():
        current.keep(name, value)
    current.keep("agent password", password)
    try:
        deployment.start_server()
        yield current
    finally:
        deployment.stop_all()


def http_request(
    url: str, *, body: bytes | None = None, headers: dict[str, str] | None = None
) -> tuple[int, bytes]:
    """An HTTP request whose error statuses are answers, not exceptions."""
    try:
        with urllib.request.urlopen(
            urllib.request.Request(url, data=body, headers=headers or {}), timeout=10
        ) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def console_login(run: Run) -> str:
    """Fail one login, then log in; keep the session cookie and both CSRF tokens; return the Cookie header."""
    jar = CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    login_url = f"{run.deployment.server_url}/console/login/"
    page = opener.open(login_url, timeout=10).read().decode()
    form_token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    assert form_token is not None
    run.keep("CSRF form token", form_token[1])
    for password in ("wrong-" + run.secrets["agent password"], run.secrets["agent password"]):
        form = {
            "csrfmiddlewaretoken": form_token[1],
            "login": run.deployment.username,
            "password": password,
        }
        data = urllib.parse.urlencode(form).encode()
        opener.open(urllib.request.Request(login_url, data=data, headers={"Referer": login_url}), timeout=10)
    cookies = {cookie.name: cookie.value for cookie in jar if cookie.value}
    run.keep("session cookie", cookies["sessionid"])
    run.keep("CSRF cookie", cookies["csrftoken"])
    return "; ".join(f"{name}={value}" for name, value in cookies.items())


def refusals(run: Run, token: str) -> None:
    """Requests Parley refuses, each carrying a secret where a careless log line would print it."""
    server = run.deployment.server_url
    session_url = f"{server}/api/widget/sites/{run.site_key}/session"
    json_headers = {"Content-Type": "application/json", "Origin": run.shop_origin}
    flipped = token[:-1] + ("A" if token[-1] != "A" else "B")
    answers = [
        http_request(session_url, body=json.dumps({"visitor_token": flipped}).encode(), headers=json_headers),
        http_request(
            session_url,
            body=json.dumps({"visitor_token": token}).encode(),
            headers={**json_headers, "Origin": "https://evil.test"},
        ),
        http_request(
            session_url,
            body=json.dumps({"visitor_token": token}).encode(),
            headers={**json_headers, "Content-Type": "text/plain"},
        ),
        http_request(
            session_url,
            body=b'{"visitor_token": "' + token.encode() + b'", "x": "' + b"x" * 2_000_000 + b'"}',
            headers=json_headers,
        ),
        http_request(
            session_url,
            body=b'{"visitor_token": "' + token.encode() + b'", "x": ' + b"[" * 1000 + b"]" * 1000 + b"}",
            headers=json_headers,
        ),
        http_request(
            f"{server}/api/widget/sites/{run.site_key}/nothing?visitor_token={token}", headers=json_headers
        ),
    ]
    assert [status for status, _ in answers] == [200, 403, 415, 413, 400, 404]


async def refused_sockets(run: Run, token: str, cookie: str) -> None:
    """A hello with a tampered token, an agent socket with a forged cookie and one from a foreign origin."""
    server = run.deployment.server_url.replace("http", "ws", 1)
    async with connect(
        f"{server}/ws/visitor/{run.site_key}/", origin=Origin(run.shop_origin), subprotocols=SUBPROTOCOLS
    ) as socket:
        await socket.send(json.dumps({"type": "hello", "token": token[:-2] + "zz"}))
        assert json.loads(await socket.recv())["code"] == "token_invalid"
    forged = cookie.replace(run.secrets["session cookie"], run.secrets["session cookie"][::-1])
    async with connect(
        f"{server}/ws/agent/",
        origin=Origin(run.deployment.server_url),
        subprotocols=SUBPROTOCOLS,
        additional_headers={"Cookie": forged},
    ) as socket:
        assert json.loads(await socket.recv())["code"] == "not_authenticated"
    with pytest.raises(InvalidStatus):
        async with connect(
            f"{server}/ws/agent/",
            origin=Origin("https://evil.test"),
            subprotocols=SUBPROTOCOLS,
            additional_headers={"Cookie": cookie},
        ):
            pass


def every_log(run: Run, caplog: pytest.LogCaptureFixture) -> str:
    """The server's and the demo shop's output, and what this test process logged."""
    run.deployment.stop_all()  # flushed: shutdown lines included
    files = sorted(run.deployment.workdir.glob("*.log"))
    assert files
    return "\n".join([*(path.read_text(errors="replace") for path in files), caplog.text])


async def test_a_whole_run_logs_no_token_cookie_password_or_key(run: Run, caplog: pytest.LogCaptureFixture):
    """Session, message, reply, refusals (token, origin, size, type, cookie) → no secret of theirs logged."""
    caplog.set_level(logging.INFO)
    visitor = VisitorClient(site_key=run.site_key, origin=run.shop_origin)
    await visitor.connect(run.deployment.server_url)
    assert visitor.token is not None
    run.keep_token(visitor.token)
    await visitor.send("Where is my parcel?")
    await visitor.wait_until(lambda: not visitor.outbox)
    cookie = await asyncio.to_thread(console_login, run)
    agent = AgentClient(cookie=cookie, origin=run.deployment.server_url)
    await agent.connect(run.deployment.server_url)
    assert visitor.conversation_id is not None
    await agent.open(visitor.conversation_id)
    await agent.send("On its way.")
    await visitor.wait_until(lambda: "On its way." in visitor.bodies())
    await visitor.close()
    await visitor.connect(run.deployment.server_url)  # a second session: a refreshed token
    run.keep_token(visitor.token)
    await asyncio.to_thread(refusals, run, visitor.token)
    await refused_sockets(run, visitor.token, cookie)
    await visitor.close()
    await agent.close()

    logs = every_log(run, caplog)
    assert "refused" in logs  # the capture holds the server's lines (the refusals above log one each)
    leaked = sorted(name for name, value in run.secrets.items() if value in logs)
    lines = [line for line in logs.splitlines() if any(run.secrets[name] in line for name in leaked)]
    assert not leaked, f"in the logs: {leaked}:\n" + "\n".join(line[:400] for line in lines)
