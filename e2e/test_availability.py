"""The widget shows the team's availability, with the visitor and the agent on two server processes that
share Redis: the visitor's widget talks to process A, the agent's console to process B."""

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.processes import DemoDeployment, free_port
from tests.services import RedisServer

IMAGES = Path(__file__).resolve().parent.parent / "docs" / "images"
STATUS = '[data-parley="status"]'
AWAY_TEXT = "Away — we'll reply here"
ONLINE_TEXT = "Online — usually replies in a few minutes"


@pytest.fixture(scope="module")
def two_processes(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[DemoDeployment, int]]:
    """Redis, Parley on two daphne processes (A: the public URL the shop embeds; B: another port that is
    also a console origin) and the demo shop; yields the deployment and B's port."""
    workdir = tmp_path_factory.mktemp("availability")
    redis = RedisServer(workdir)
    redis.start()
    port_a, port_b = free_port(), free_port()
    deployment = DemoDeployment(
        workdir=workdir,
        server_port=port_a,
        extra_env={
            "REDIS_URL": redis.url,
            "CSRF_TRUSTED_ORIGINS": f"http://localhost:{port_a},http://localhost:{port_b}",
        },
    )
    try:
        deployment.set_up()
        deployment.start_server(port_a)
        deployment.start_server(port_b)
        deployment.start_shop()
        yield deployment, port_b
    finally:
        deployment.stop_all()
        redis.kill()


def log_in_on(page: Page, deployment: DemoDeployment, port: int) -> None:
    """Log in to the console served by the process on `port`, and wait until its socket is ready."""
    page.goto(f"http://localhost:{port}/console/")
    expect(page).to_have_url(re.compile(r"/console/login/"))
    page.fill("#id_username", deployment.username)
    page.fill("#id_password", deployment.password)
    page.click("button[type=submit]")
    expect(page).to_have_url(re.compile(r"/console/$"))
    expect(page.locator('[data-console="status"]')).to_have_attribute("data-state", "online")


def open_widget(page: Page, deployment: DemoDeployment) -> None:
    """Open the demo shop (its widget connects to process A) and open the chat."""
    page.goto(deployment.shop_url)
    page.locator('[data-parley="launcher"]').click()
    expect(page.locator(STATUS)).to_have_attribute("data-state", "online")


def test_widget_availability_flips_when_the_last_agents_console_closes(two_processes, new_context) -> None:
    """No console: away. The agent's console opens on B → the widget on A says online within 5 s; the
    console goes away and online again with its toggle; the console closes → away within 5 s."""
    deployment, port_b = two_processes
    visitor = new_context(viewport={"width": 1000, "height": 720}).new_page()
    open_widget(visitor, deployment)
    status = visitor.locator(STATUS)
    expect(status).to_have_attribute("data-availability", "away")
    expect(status).to_have_text(AWAY_TEXT)
    IMAGES.mkdir(parents=True, exist_ok=True)
    visitor.screenshot(path=str(IMAGES / "widget-away-light.png"))

    agent_context = new_context(viewport={"width": 1280, "height": 760})
    agent = agent_context.new_page()
    log_in_on(agent, deployment, port_b)
    expect(status).to_have_text(ONLINE_TEXT, timeout=5_000)
    expect(status).to_have_attribute("data-availability", "online")

    toggle = agent.locator('[data-console="presence-toggle"]')
    expect(toggle).to_have_attribute("aria-pressed", "false")
    toggle.click()
    expect(toggle).to_have_attribute("aria-pressed", "true")
    expect(status).to_have_text(AWAY_TEXT, timeout=5_000)
    toggle.click()
    expect(status).to_have_text(ONLINE_TEXT, timeout=5_000)

    agent.close()
    expect(status).to_have_text(AWAY_TEXT, timeout=5_000)
    expect(status).to_have_attribute("data-state", "online")  # the widget's own connection is fine


def test_widget_away_in_the_dark(two_processes, new_context) -> None:
    """With no agent connected and a dark colour scheme, the widget says away (screenshot for the docs)."""
    deployment, _ = two_processes
    visitor = new_context(viewport={"width": 1000, "height": 720}, color_scheme="dark").new_page()
    open_widget(visitor, deployment)
    expect(visitor.locator(STATUS)).to_have_text(AWAY_TEXT)
    visitor.screenshot(path=str(IMAGES / "widget-away-dark.png"))
