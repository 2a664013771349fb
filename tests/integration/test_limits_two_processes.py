"""Two daphne processes sharing Redis: a per-IP limit reached through one process holds on the other."""

import json
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed
from websockets.typing import Origin, Subprotocol

from tests.processes import DemoDeployment, free_port
from tests.services import RedisServer

pytestmark = pytest.mark.timeout(120)

# The address a trusted proxy (PARLEY_TRUSTED_PROXY_COUNT=1) says the client has.
CLIENT_IP = "203.0.113.9"


@dataclass
class Pair:
    """Two processes of one deployment, sharing Redis (limits and layer) and a SQLite database."""

    deployment: DemoDeployment
    site_key: str
    port_1: int
    port_2: int

    @property
    def shop_origin(self) -> str:
        """The origin the demo site allows."""
        return f"http://localhost:{self.deployment.shop_port}"


@pytest.fixture(scope="module")
def pair(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Pair]:
    """Redis and two daphne processes with small limits, behind one trusted proxy."""
    workdir = tmp_path_factory.mktemp("limits")
    redis = RedisServer(workdir)
    redis.start()
    port_1, port_2 = free_port(), free_port()
    deployment = DemoDeployment(
        workdir=workdir,
        server_port=port_1,
        extra_env={
            "REDIS_URL": redis.url,
            "PARLEY_TRUSTED_PROXY_COUNT": "1",
            "PARLEY_LIMIT_WIDGET_REQUESTS_PER_IP": "4/minute",
            "PARLEY_LIMIT_HANDSHAKES_PER_IP": "3/minute",
        },
    )
    try:
        site_key = deployment.set_up()
        deployment.start_server(port_1)
        deployment.start_server(port_2)
        yield Pair(deployment=deployment, site_key=site_key, port_1=port_1, port_2=port_2)
    finally:
        deployment.stop_all()
        redis.kill()


def get_config(pair: Pair, port: int) -> tuple[int, dict[str, object], str | None]:
    """GET the widget config through `port` as the client behind the proxy: status, body, Retry-After."""
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/api/widget/sites/{pair.site_key}/config",
        headers={"Origin": pair.shop_origin, "X-Forwarded-For": CLIENT_IP},
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.loads(response.read()), response.headers.get("Retry-After")
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read()), error.headers.get("Retry-After")


def test_http_requests_counted_on_one_process_are_refused_on_the_other(pair: Pair) -> None:
    """4 requests/minute per IP: 4 through process 1 → the 5th, through process 2, is 429 with
    retry_after and Retry-After."""
    for _ in range(4):
        assert get_config(pair, pair.port_1)[0] == 200
    status, body, retry_after = get_config(pair, pair.port_2)
    assert status == 429
    error = body["error"]
    assert isinstance(error, dict)
    assert error["code"] == "rate_limited"
    assert retry_after == str(error["retry_after"])


async def test_handshakes_counted_on_one_process_close_4429_on_the_other(pair: Pair) -> None:
    """3 handshakes/minute per IP: 3 sockets on process 1 → the 4th, on process 2, gets
    connection_limited and close 4429."""
    url = f"ws://127.0.0.1:{{port}}/ws/visitor/{pair.site_key}/"
    options = {
        "origin": Origin(pair.shop_origin),
        "subprotocols": [Subprotocol("parley.v1")],
        "additional_headers": {"X-Forwarded-For": CLIENT_IP},
    }
    opened = [await connect(url.format(port=pair.port_1), **options) for _ in range(3)]  # type: ignore[arg-type]
    refused = await connect(url.format(port=pair.port_2), **options)  # type: ignore[arg-type]
    error = json.loads(await refused.recv())
    assert error["code"] == "connection_limited"
    assert error["retry_after"] >= 1
    with pytest.raises(ConnectionClosed) as closed:
        await refused.recv()
    assert closed.value.rcvd is not None
    assert closed.value.rcvd.code == 4429
    for socket in opened:
        await socket.close()
