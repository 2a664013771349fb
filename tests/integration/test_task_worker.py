"""The task queue with a real worker process: an agent's reply to a visitor who left reaches a real SMTP
server after PARLEY_EMAIL_REPLY_DELAY, once, and its link resumes the same visitor and conversation."""

import asyncio
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from server.conversations.resume import RESUME_FRAGMENT
from tests.integration.clients import AgentClient, VisitorClient, console_session_cookie, http_json
from tests.processes import DemoDeployment
from tests.services import PostgresCluster
from tests.smtp import Inbox, smtp_inbox, text_body

pytestmark = pytest.mark.timeout(120)


@pytest.fixture(scope="module")
def mailbox() -> Iterator[Inbox]:
    """The SMTP server the deployment sends to."""
    with smtp_inbox() as box:
        yield box


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def deployment(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory, mailbox: Inbox
) -> Iterator[tuple[DemoDeployment, str]]:
    """A server and worker processes sharing one database, mailing to `mailbox` after a 1 s delay: one
    worker on SQLite; two on PostgreSQL, which must not send a reply twice between them."""
    workdir: Path = tmp_path_factory.mktemp("worker")
    env = {**mailbox.settings(), "PARLEY_EMAIL_REPLY_DELAY": "1"}
    postgres = None
    if request.param == "postgres":
        postgres = PostgresCluster(workdir / "pg")
        postgres.start()
        env["DATABASE_URL"] = postgres.url
    deployment = DemoDeployment(workdir=workdir, extra_env=env)
    try:
        site_key = deployment.set_up()
        deployment.start_server()
        for _ in range(2 if postgres else 1):
            deployment.start_worker()
        yield deployment, site_key
    finally:
        deployment.stop_all()
        if postgres is not None:
            postgres.stop()


async def test_a_reply_to_a_visitor_who_left_is_emailed_by_the_worker(deployment, mailbox):
    """The visitor leaves an email and goes; the agent replies; the worker mails it, with a working link."""
    server, site_key = deployment
    origin = f"http://localhost:{server.shop_port}"
    visitor = VisitorClient(site_key=site_key, origin=origin)
    await visitor.connect(server.server_url)
    await visitor.send_frame({"type": "page", "url": f"{origin}/shoes", "title": "Shoes"})
    await visitor.send("Anyone there?")
    await visitor.wait_until(lambda: not visitor.outbox)
    await visitor.send_frame({"type": "visitor.email", "email": "alice@example.com"})
    await visitor.wait_until(lambda: visitor.frame_counts["email.saved"] == 1)
    await visitor.close()
    mailbox.messages.clear()
    cookie = await asyncio.to_thread(
        console_session_cookie, server.server_url, server.username, server.password
    )
    agent = AgentClient(cookie=cookie, origin=server.server_url)
    await agent.connect(server.server_url)
    assert visitor.conversation_id is not None
    await agent.open(visitor.conversation_id)
    await agent.send("Yes! We ship everywhere.")
    await agent.wait_until(lambda: not agent.outbox)
    sent_at = time.monotonic()
    (email,) = await asyncio.to_thread(mailbox.wait_count, 1, timeout=30)
    assert time.monotonic() - sent_at >= 0.5, "sent before PARLEY_EMAIL_REPLY_DELAY"
    assert email["To"] == "alice@example.com"
    text = text_body(email)
    assert "Yes! We ship everywhere." in text
    page, token = text.split("Continue the conversation: ", 1)[1].split()[0].split(f"#{RESUME_FRAGMENT}=")
    assert page == f"{origin}/shoes"
    session = await asyncio.to_thread(
        http_json,
        f"{server.server_url}/api/widget/sites/{site_key}/session",
        {"page_url": f"{page}#parley-resume={token}"},
        origin=origin,
    )
    assert session["resumed"] is True
    # Another browser: nothing but the link's session, which holds the whole conversation.
    resumed = VisitorClient(site_key=site_key, origin=origin)
    resumed.token = session["visitor_token"]
    ready = await resumed.connect(server.server_url)
    assert ready["conversation"]["id"] == visitor.conversation_id
    assert resumed.bodies() == ["Anyone there?", "Yes! We ship everywhere."]
    await asyncio.sleep(2)
    assert len(mailbox.messages) == 1, "the reply was emailed twice"
    await resumed.close()
    await agent.close()
