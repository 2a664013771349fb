"""Desktop notifications in real Chromium: shown while the console's tab is hidden, with the text."""

from playwright.sync_api import Page, expect

from e2e.conftest import page_errors, screenshot
from e2e.test_live_chat import log_in, open_chat_on_shop
from tests.processes import DemoDeployment

# Records every Notification the page constructs (the real one is still built) and lets the test hide the
# tab: headless Chromium's tab is always visible, so visibilityState answers what the test says.
NOTIFICATION_SPY = """
(() => {
  const Real = window.Notification;
  window.__notifications = [];
  let hidden = false;
  Object.defineProperty(Document.prototype, "visibilityState", {
    configurable: true,
    get: () => (hidden ? "hidden" : "visible"),
  });
  Object.defineProperty(Document.prototype, "hidden", { configurable: true, get: () => hidden });
  window.__setHidden = (value) => {
    hidden = value;
    document.dispatchEvent(new Event("visibilitychange"));
  };
  class Spy extends Real {
    constructor(title, options) {
      window.__notifications.push({ title, body: options && options.body, tag: options && options.tag });
      super(title, options);
    }
  }
  Object.defineProperty(Spy, "permission", { get: () => Real.permission });
  Spy.requestPermission = (...args) => Real.requestPermission(...args);
  window.Notification = Spy;
})();
"""
FIRST = "Is my parcel on its way?"
SECOND = "It was due yesterday."


def notifications(page: Page) -> list[dict[str, str]]:
    """The notifications the page has constructed so far."""
    shown: list[dict[str, str]] = page.evaluate("window.__notifications")
    return shown


def wait_for_notifications(page: Page, count: int, timeout_ms: int = 10_000) -> None:
    """Wait until the page has constructed `count` notifications.

    Polled from here: Playwright's wait_for_function evaluates its predicate as a string inside the page,
    which the console's Content-Security-Policy (no 'unsafe-eval') refuses.
    """
    for _ in range(timeout_ms // 100):
        if len(notifications(page)) >= count:
            return
        page.wait_for_timeout(100)
    raise AssertionError(f"no {count} notification(s) within {timeout_ms} ms: {notifications(page)}")


def test_a_visitor_message_shows_a_notification_while_the_console_is_hidden(
    deployment: DemoDeployment, new_context
) -> None:
    """Hidden tab: a Notification with the visitor's text. Visible tab: none (the inbox shows it)."""
    context = new_context(viewport={"width": 1280, "height": 760})
    context.grant_permissions(["notifications"], origin=deployment.server_url)
    context.add_init_script(NOTIFICATION_SPY)
    agent = context.new_page()
    errors = page_errors(agent)
    log_in(agent, deployment)

    # The settings show desktop notifications on: the browser allows them and the preference is on.
    agent.locator('[data-console="settings-open"]').click()
    expect(agent.locator('[data-console="settings"]')).to_be_visible()
    expect(agent.locator('[data-console="preference-desktop"]')).to_be_checked()
    screenshot(agent, "console-notification-settings")
    agent.locator('[data-console="settings-close"]').click()

    agent.evaluate("window.__setHidden(true)")
    visitor = new_context(viewport={"width": 1200, "height": 760}).new_page()
    composer = open_chat_on_shop(visitor, deployment)
    composer.fill(FIRST)
    composer.press("Enter")
    wait_for_notifications(agent, 1)
    [shown] = notifications(agent)
    assert shown["title"].startswith("New conversation: ")
    assert shown["body"] == FIRST
    row = agent.locator('[data-console="conversation"]', has_text=FIRST)
    assert shown["tag"] == row.get_attribute("data-conversation-id")

    agent.evaluate("window.__setHidden(false)")
    composer.fill(SECOND)
    composer.press("Enter")
    expect(agent.locator('[data-console="conversation"]', has_text=SECOND)).to_be_visible()
    agent.wait_for_timeout(500)
    assert len(notifications(agent)) == 1
    assert errors == []
