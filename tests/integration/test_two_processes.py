"""Two daphne processes, a real Redis and a real PostgreSQL: nothing lost or doubled, through faults."""

import asyncio
import signal
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import psycopg
import pytest

from tests.integration.clients import AgentClient, VisitorClient, console_session_cookie
from tests.processes import DemoDeployment, free_port
from tests.services import NginxBalancer, PostgresCluster, RedisServer

pytestmark = pytest.mark.timeout(180)


@dataclass
class Cluster:
    """What the tests drive: the deployment, its two processes' URLs, Redis and PostgreSQL."""

    deployment: DemoDeployment
    redis: RedisServer
    postgres: PostgresCluster
    site_key: str
    url_1: str
    url_2: str
    port_1: int
    port_2: int
    process_1: subprocess.Popen[bytes]

    @property
    def shop_origin(self) -> str:
        """The origin the demo site allows."""
        return f"http://localhost:{self.deployment.shop_port}"

    def visitor(self) -> VisitorClient:
        """A new visitor of the demo site."""
        return VisitorClient(site_key=self.site_key, origin=self.shop_origin)

    async def agent(self) -> AgentClient:
        """The demo agent, logged in."""
        cookie = await asyncio.to_thread(
            console_session_cookie, self.url_1, self.deployment.username, self.deployment.password
        )
        return AgentClient(cookie=cookie, origin=self.deployment.server_url)

    def restart_process_1(self) -> None:
        """Start process 1 again (after a kill)."""
        self.process_1 = self.deployment.start_server(self.port_1)


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    """Redis, PostgreSQL and two daphne processes sharing them."""
    workdir: Path = tmp_path_factory.mktemp("cluster")
    redis = RedisServer(workdir)
    redis.start()
    postgres = PostgresCluster(workdir / "pg")
    postgres.start()
    port_1, port_2 = free_port(), free_port()
    deployment = DemoDeployment(
        workdir=workdir,
        server_port=port_1,
        extra_env={
            "DATABASE_URL": postgres.url,
            "REDIS_URL": redis.url,
            # Both processes answer as the one public URL a load balancer would give them.
            "CSRF_TRUSTED_ORIGINS": f"http://localhost:{port_1}",
            "PARLEY_LAYER_PROBE_INTERVAL": "0.3",
        },
    )
    try:
        site_key = deployment.set_up()
        process_1 = deployment.start_server(port_1)
        deployment.start_server(port_2)
        yield Cluster(
            deployment=deployment,
            redis=redis,
            postgres=postgres,
            site_key=site_key,
            url_1=f"http://localhost:{port_1}",
            url_2=f"http://localhost:{port_2}",
            port_1=port_1,
            port_2=port_2,
            process_1=process_1,
        )
    finally:
        deployment.stop_all()
        redis.kill()
        postgres.stop()


def stored(cluster: Cluster, conversation_id: str) -> list[tuple[int, str]]:
    """The conversation's messages as stored in PostgreSQL: (seq, body) in seq order."""
    with psycopg.connect(cluster.postgres.url.replace("postgres://", "postgresql://")) as connection:
        rows = connection.execute(
            "SELECT seq, body FROM chat_message WHERE conversation_id = %s ORDER BY seq", (conversation_id,)
        ).fetchall()
    return [(int(seq), str(body)) for seq, body in rows]


def assert_same_everywhere(
    cluster: Cluster, visitor: VisitorClient, agent: AgentClient, expected: list[str]
) -> None:
    """Database, visitor and agent hold exactly `expected`, in order, each once, seq 1..n."""
    assert visitor.conversation_id is not None
    rows = stored(cluster, visitor.conversation_id)
    assert [body for _, body in rows] == expected
    assert [seq for seq, _ in rows] == list(range(1, len(expected) + 1))
    assert [(seq, message["body"]) for seq, message in sorted(visitor.messages.items())] == rows
    assert [(seq, message["body"]) for seq, message in sorted(agent.messages.items())] == rows


async def start_chat(cluster: Cluster, visitor_url: str, agent_url: str) -> tuple[VisitorClient, AgentClient]:
    """A visitor on one process writes first; the agent on another opens the conversation."""
    visitor = cluster.visitor()
    await visitor.connect(visitor_url)
    await visitor.send("hello from the visitor")
    await visitor.wait_until(lambda: not visitor.outbox)
    agent = await cluster.agent()
    await agent.connect(agent_url)
    assert visitor.conversation_id is not None
    await agent.open(visitor.conversation_id)
    await agent.wait_until(lambda: agent.holds(1))
    return visitor, agent


async def test_messages_flow_both_ways_across_processes(cluster: Cluster) -> None:
    """Visitor on process 1, agent on process 2: each sees the other's messages live, in order."""
    visitor, agent = await start_chat(cluster, cluster.url_1, cluster.url_2)
    for index in range(3):
        await visitor.send(f"visitor {index}")
        await agent.send(f"agent {index}")
    await visitor.wait_until(lambda: visitor.holds(7))
    await agent.wait_until(lambda: agent.holds(7))
    bodies = stored(cluster, visitor.conversation_id or "")
    assert len(bodies) == 7
    assert_same_everywhere(cluster, visitor, agent, [body for _, body in bodies])
    await agent.wait_until(
        lambda: any(update["id"] == visitor.conversation_id for update in agent.inbox_updates)
    )
    # Live fan-out, not only catch-up: both saw the other's messages as message.new.
    await agent.wait_until(lambda: agent.frame_counts["message.new"] >= 3)
    await visitor.wait_until(lambda: visitor.frame_counts["message.new"] >= 3)
    await visitor.close()
    await agent.close()


async def test_redis_restart_mid_conversation_loses_and_doubles_nothing(cluster: Cluster) -> None:
    """With Redis killed, messages are still stored and acked; once it is back clients resume and agree."""
    visitor, agent = await start_chat(cluster, cluster.url_1, cluster.url_2)
    cluster.redis.kill()
    await visitor.send("sent while redis is down")
    await visitor.wait_until(lambda: not visitor.outbox)
    await agent.send("reply while redis is down")
    await agent.wait_until(lambda: not agent.outbox)
    cluster.redis.start()
    # Each process notices Redis is back and closes its sockets with 4012 (resume).
    await visitor.wait_until(lambda: visitor.socket is None, within=15)
    await agent.wait_until(lambda: agent.socket is None, within=15)
    assert visitor.close_codes[-1] == 4012
    assert agent.close_codes[-1] == 4012
    await visitor.connect(cluster.url_1)
    await agent.connect(cluster.url_2)
    await visitor.send("after redis came back")
    await visitor.wait_until(lambda: not visitor.outbox)
    await agent.send("and the agent too")
    await visitor.wait_until(lambda: visitor.holds(5))
    await agent.wait_until(lambda: agent.holds(5))
    assert_same_everywhere(
        cluster,
        visitor,
        agent,
        [
            "hello from the visitor",
            "sent while redis is down",
            "reply while redis is down",
            "after redis came back",
            "and the agent too",
        ],
    )
    await visitor.close()
    await agent.close()


async def test_a_retried_message_is_stored_once_even_across_a_reconnect(cluster: Cluster) -> None:
    """The same client_id sent three times, the third after moving to the other process, is one message."""
    visitor, agent = await start_chat(cluster, cluster.url_1, cluster.url_2)
    client_id = await visitor.send("please only once")
    await visitor.send("please only once", client_id)
    await visitor.wait_until(lambda: not visitor.outbox)
    await visitor.close()
    await visitor.connect(cluster.url_2)
    await visitor.send("please only once", client_id)
    await visitor.wait_until(lambda: not visitor.outbox)
    await agent.wait_until(lambda: agent.holds(2))
    await asyncio.sleep(0.3)
    assert_same_everywhere(cluster, visitor, agent, ["hello from the visitor", "please only once"])
    await visitor.close()
    await agent.close()


async def test_sigterm_closes_sockets_with_going_away(cluster: Cluster) -> None:
    """A process told to stop closes its sockets with 4001 (going away) so clients reconnect at once."""
    port_3 = free_port()
    cluster.deployment.start_server(port_3)
    process = cluster.deployment.processes[-1]
    visitor = cluster.visitor()
    await visitor.connect(f"http://localhost:{port_3}")
    process.send_signal(signal.SIGTERM)
    await visitor.wait_until(lambda: visitor.socket is None, within=15)
    assert visitor.close_codes == [4001]
    cluster.deployment.stop(process)


async def test_process_killed_visitor_moves_to_the_other_and_loses_nothing(cluster: Cluster) -> None:
    """Process 1 dies (SIGKILL) mid-conversation; the visitor reconnects to process 2 and nothing is lost."""
    visitor, agent = await start_chat(cluster, cluster.url_1, cluster.url_2)
    await agent.send("agent before the crash")
    await visitor.wait_until(lambda: visitor.holds(2))
    cluster.deployment.stop(cluster.process_1, sig=signal.SIGKILL)
    await visitor.wait_until(lambda: visitor.socket is None)
    # Typed while disconnected: it waits in the outbox and goes out on reconnect, once.
    await visitor.send("typed while disconnected")
    await agent.send("agent during the crash")
    await agent.wait_until(lambda: not agent.outbox)
    await visitor.connect(cluster.url_2)
    await visitor.wait_until(lambda: visitor.holds(4))
    await agent.wait_until(lambda: agent.holds(4))
    expected = [
        "hello from the visitor",
        "agent before the crash",
        "agent during the crash",
        "typed while disconnected",
    ]
    rows = [body for _, body in stored(cluster, visitor.conversation_id or "")]
    assert sorted(rows[2:]) == sorted(expected[2:])
    assert_same_everywhere(cluster, visitor, agent, rows)
    assert len(rows) == len(set(rows)) == 4
    cluster.restart_process_1()
    await visitor.close()
    await agent.close()


async def test_behind_nginx_a_dead_process_is_routed_around(cluster: Cluster, tmp_path: Path) -> None:
    """Through deploy/nginx.conf, chat works; when one daphne dies, reconnecting lands on the other."""
    balancer = NginxBalancer(tmp_path, upstream_ports=[cluster.port_1, cluster.port_2])
    balancer.start()
    try:
        visitor, agent = await start_chat(cluster, balancer.url, balancer.url)
        await agent.send("answered through nginx")
        await visitor.wait_until(lambda: visitor.holds(2))
        cluster.deployment.stop(cluster.process_1, sig=signal.SIGKILL)
        # Whichever process each client was on, a reconnect through nginx reaches the live one.
        for client in (visitor, agent):
            if client.socket is not None:
                await client.close()
        await visitor.connect(balancer.url)
        await agent.connect(balancer.url)
        await visitor.send("after one process died")
        await visitor.wait_until(lambda: visitor.holds(3))
        await agent.wait_until(lambda: agent.holds(3))
        assert_same_everywhere(
            cluster,
            visitor,
            agent,
            ["hello from the visitor", "answered through nginx", "after one process died"],
        )
        await visitor.close()
        await agent.close()
    finally:
        balancer.stop()
        cluster.restart_process_1()
