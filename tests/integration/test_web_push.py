"""Web Push from a real server process to a local push service: encrypted, VAPID-signed, only when offline."""

import asyncio
import json
import re
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.integration.clients import AgentClient, VisitorClient, console_session_cookie
from tests.processes import DemoDeployment
from tests.push_receiver import BrowserKeys, PushService, push_service, vapid_claims, vapid_pair

pytestmark = pytest.mark.timeout(120)

VAPID = vapid_pair()
# Long enough for a push that should not come to have come (it is posted well within a second).
QUIET_SECONDS = 2.0


@dataclass
class Setup:
    """The running server, its push service, and the demo site's key."""

    deployment: DemoDeployment
    service: PushService
    site_key: str

    def visitor(self) -> VisitorClient:
        """A new visitor of the demo site."""
        return VisitorClient(site_key=self.site_key, origin=f"http://localhost:{self.deployment.shop_port}")


@pytest.fixture(scope="module")
def setup(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Setup]:
    """One daphne process with Web Push configured, and a push service on loopback."""
    workdir: Path = tmp_path_factory.mktemp("web-push")
    deployment = DemoDeployment(
        workdir=workdir,
        extra_env={
            "PARLEY_VAPID_PRIVATE_KEY": VAPID.private_pem,
            "PARLEY_VAPID_PUBLIC_KEY": VAPID.public_key,
            "PARLEY_VAPID_SUBJECT": "mailto:ops@parley.test",
            "PARLEY_PUSH_ALLOW_LOOPBACK_HTTP": "1",
        },
    )
    site_key = deployment.set_up()
    with push_service() as service:
        try:
            deployment.start_server()
            yield Setup(deployment=deployment, service=service, site_key=site_key)
        finally:
            deployment.stop_all()


def subscribe_browser(server_url: str, cookie: str, subscription: dict[str, object]) -> int:
    """Post a subscription as the console does: the session cookie and the page's CSRF token."""
    page_request = urllib.request.Request(f"{server_url}/console/", headers={"Cookie": cookie})
    with urllib.request.urlopen(page_request, timeout=10) as page:
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.read().decode())
    assert token is not None
    request = urllib.request.Request(
        f"{server_url}/console/push/subscriptions",
        data=json.dumps(subscription).encode(),
        headers={"Content-Type": "application/json", "Cookie": cookie, "X-CSRFToken": token[1]},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        return int(response.status)


async def test_a_message_for_an_offline_assignee_is_pushed_and_none_while_a_console_is_open(setup: Setup):
    """Console open: nothing posted. Closed: the push service gets a VAPID-signed push the browser reads."""
    deployment, service = setup.deployment, setup.service
    server = deployment.server_url
    cookie = await asyncio.to_thread(console_session_cookie, server, deployment.username, deployment.password)
    keys = BrowserKeys()
    status = await asyncio.to_thread(
        subscribe_browser, server, cookie, keys.subscription(service.endpoint("agent"))
    )
    assert status == 204

    agent = AgentClient(cookie=cookie, origin=server)
    await agent.connect(server)
    await agent.send_frame({"type": "preferences.set", "push": True})
    await agent.wait_until(lambda: agent.frame_counts["preferences"] == 1)

    visitor = setup.visitor()
    await visitor.connect(server)
    await visitor.send("Hello, is anyone there?")
    await visitor.wait_until(lambda: visitor.holds(1))
    conversation_id = visitor.conversation_id
    assert conversation_id is not None
    await asyncio.to_thread(
        deployment.manage,
        "shell",
        "-c",
        "from django.contrib.auth.models import User; from server.conversations.models import Conversation; "
        f"Conversation.objects.filter(pk='{conversation_id}')"
        f".update(assignee=User.objects.get(username='{deployment.username}'))",
    )
    await visitor.send("Still here, with the console open")
    await visitor.wait_until(lambda: visitor.holds(2))
    await asyncio.sleep(QUIET_SECONDS)
    assert service.received == []

    await agent.close()
    await asyncio.sleep(0.5)  # the server notices the close
    await visitor.send("Are you there?")
    await visitor.wait_until(lambda: visitor.holds(3))
    [push] = await asyncio.to_thread(service.wait_for, 1)
    assert push.path == "/push/agent"
    claims = vapid_claims(push.headers["authorization"], VAPID.public_key)
    assert claims["aud"] == service.endpoint("").split("/push/")[0]
    assert claims["sub"] == "mailto:ops@parley.test"
    assert keys.decrypt(push.body) == {
        "title": "A visitor",
        "body": "Are you there?",
        "conversation_id": conversation_id,
    }
    await asyncio.sleep(QUIET_SECONDS)
    assert len(service.received) == 1, deployment.log()
    await visitor.close()
