"""Messages typed while the server is down wait as pending, then arrive once, in order, when it is back."""

from playwright.sync_api import expect

from e2e.conftest import screenshot
from e2e.test_live_chat import log_in

OFFLINE_MESSAGES = ["first while offline", "second while offline", "third while offline"]


def test_messages_typed_while_the_server_is_down_arrive_once_in_order(own_deployment, new_context) -> None:
    """Server stopped: three messages show as pending; server back: the agent receives each exactly once."""
    deployment = own_deployment
    visitor = new_context().new_page()
    visitor.goto(deployment.shop_url)
    visitor.locator('[data-parley="launcher"]').click()
    composer = visitor.locator('[data-parley="input"]')
    composer.fill("hello before the outage")
    composer.press("Enter")
    expect(visitor.locator('[data-parley="message"][data-seq="1"]')).to_be_visible()

    server = deployment.processes[0]
    deployment.stop(server)
    expect(visitor.locator('[data-parley="status"]')).not_to_have_attribute("data-state", "online")
    for body in OFFLINE_MESSAGES:
        composer.fill(body)
        composer.press("Enter")
    pending = visitor.locator('[data-parley="message"][data-pending]')
    expect(pending).to_have_count(3)
    screenshot(visitor, "widget-offline-pending")

    deployment.start_server()
    expect(visitor.locator('[data-parley="status"]')).to_have_attribute(
        "data-state", "online", timeout=40_000
    )
    expect(pending).to_have_count(0, timeout=15_000)
    expect(visitor.locator('[data-parley="message"][data-seq="4"]')).to_contain_text(OFFLINE_MESSAGES[2])

    agent = new_context().new_page()
    log_in(agent, deployment)
    agent.locator('[data-console="conversation"]').first.click()
    thread_messages = agent.locator('[data-console="thread"] [data-console="message"]')
    expect(thread_messages).to_have_count(4)
    texts = thread_messages.all_text_contents()
    for index, body in enumerate(["hello before the outage", *OFFLINE_MESSAGES]):
        assert body in texts[index]
        assert sum(body in text for text in texts) == 1
