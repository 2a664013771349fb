"""A server that stops answering (SIGSTOPped, its port still accepting TCP) shows as reconnecting in 10 s."""

import os
import signal
import time
from collections.abc import Iterator

import pytest
from playwright.sync_api import expect

from e2e.conftest import screenshot
from e2e.test_live_chat import log_in, open_chat_on_shop
from tests.processes import DemoDeployment, demo_deployment

DETECTED_WITHIN = 10.0


@pytest.fixture
def stoppable(tmp_path) -> Iterator[DemoDeployment]:
    """A deployment of this test's own, since the test freezes its server."""
    with demo_deployment(tmp_path) as running:
        yield running


def test_both_clients_show_a_frozen_server_within_10_s_and_come_back(stoppable, new_context) -> None:
    """SIGSTOP: widget and console say "Reconnecting…" within 10 s; SIGCONT: both are online again."""
    deployment = stoppable
    visitor = new_context().new_page()
    composer = open_chat_on_shop(visitor, deployment)
    composer.fill("hello before the freeze")
    composer.press("Enter")
    expect(visitor.locator('[data-parley="message"][data-seq="1"]')).to_be_visible()
    widget_status = visitor.locator('[data-parley="status"]')
    expect(widget_status).to_have_attribute("data-state", "online")
    agent = new_context().new_page()
    log_in(agent, deployment)
    console_status = agent.locator('[data-console="status"]')

    server = deployment.processes[0]
    os.kill(server.pid, signal.SIGSTOP)
    stopped = time.monotonic()
    try:
        expect(widget_status).not_to_have_attribute("data-state", "online", timeout=20_000)
        widget_seconds = time.monotonic() - stopped
        expect(console_status).not_to_have_attribute("data-state", "online", timeout=20_000)
        console_seconds = time.monotonic() - stopped
        expect(widget_status).to_contain_text("Reconnecting")
        expect(console_status).to_contain_text("Reconnecting")
        screenshot(visitor, "widget-reconnecting")
    finally:
        os.kill(server.pid, signal.SIGCONT)
    assert widget_seconds <= DETECTED_WITHIN, widget_seconds
    assert console_seconds <= DETECTED_WITHIN, console_seconds

    expect(widget_status).to_have_attribute("data-state", "online", timeout=40_000)
    expect(console_status).to_have_attribute("data-state", "online", timeout=40_000)
