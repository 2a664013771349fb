"""Fixtures for end-to-end tests: a real deployment and a real Chromium."""

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, Playwright, sync_playwright

from tests.processes import DemoDeployment, demo_deployment
from tests.smtp import Inbox, smtp_inbox

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SCREENSHOTS = Path(
    os.environ.get("PARLEY_SCREENSHOTS", Path(__file__).resolve().parent.parent / "build" / "screenshots")
)


def chromium_executable() -> str | None:
    """Debian's Chromium when present (no browser can be downloaded here), else Playwright's own."""
    for candidate in ("/usr/bin/chromium", shutil.which("chromium") or ""):
        if candidate and Path(candidate).exists():
            return candidate
    return None


@pytest.fixture(scope="session")
def deployment(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DemoDeployment]:
    """Parley on one daphne process and the demo shop on a second origin."""
    with demo_deployment(tmp_path_factory.mktemp("deployment")) as running:
        yield running


@pytest.fixture
def own_deployment(tmp_path: Path) -> Iterator[DemoDeployment]:
    """A deployment of the test's own, for tests that stop, restart or freeze its server."""
    with demo_deployment(tmp_path) as running:
        yield running


@pytest.fixture(scope="module")
def inbox() -> Iterator[Inbox]:
    """A real SMTP server (aiosmtpd) for a module's deployment to mail: `extra_env=inbox.settings()`."""
    with smtp_inbox() as running:
        yield running


@pytest.fixture(scope="session")
def playwright() -> Iterator[Playwright]:
    """The Playwright driver."""
    with sync_playwright() as driver:
        yield driver


@pytest.fixture(scope="session")
def browser(playwright: Playwright) -> Iterator[Browser]:
    """One headless Chromium for the session."""
    browser = playwright.chromium.launch(executable_path=chromium_executable(), args=CHROMIUM_ARGS)
    yield browser
    browser.close()


@pytest.fixture
def new_context(browser: Browser) -> Iterator[Any]:
    """Make isolated browser contexts (one per person); all are closed after the test."""
    contexts: list[BrowserContext] = []

    def make(**options: Any) -> BrowserContext:
        context = browser.new_context(**options)
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context

    yield make
    for context in contexts:
        context.close()


def screenshot(page: Page, name: str) -> Path:
    """Save a screenshot under build/screenshots (or PARLEY_SCREENSHOTS) and return its path."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path))
    return path


def page_errors(page: Page) -> list[str]:
    """A list that fills with the page's uncaught errors from now on."""
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    return errors


def console_messages(page: Page, kind: str) -> list[str]:
    """A list that fills with the texts of the page's console messages of one kind ("error", "warning")."""
    texts: list[str] = []
    page.on("console", lambda message: texts.append(message.text) if message.type == kind else None)
    return texts
