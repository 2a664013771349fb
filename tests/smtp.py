"""A real SMTP server for tests that send email: aiosmtpd on a loopback port, keeping what it receives."""

import email
import email.policy
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email.message import EmailMessage
from typing import Any

from aiosmtpd.controller import Controller

from tests.processes import free_port


@dataclass
class Inbox:
    """The messages an SMTP server accepted, parsed."""

    port: int = 0
    messages: list[EmailMessage] = field(default_factory=list)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        """aiosmtpd's hook: keep the message, accept it."""
        parsed = email.message_from_bytes(envelope.original_content, policy=email.policy.default)
        assert isinstance(parsed, EmailMessage)
        self.messages.append(parsed)
        return "250 Message accepted for delivery"

    def wait_for(self, to: str, *, containing: str = "", timeout: float = 10) -> EmailMessage:
        """The first message to `to` whose text contains `containing`, waiting for it to arrive."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for message in self.messages:
                if to in str(message["To"]) and containing in text_body(message):
                    return message
            time.sleep(0.05)
        raise TimeoutError(f"no email to {to} after {timeout} s")

    def settings(self) -> dict[str, str]:
        """The environment that makes a Parley process mail this server (SMTP once EMAIL_HOST is set)."""
        return {"EMAIL_HOST": "127.0.0.1", "EMAIL_PORT": str(self.port)}

    def wait_count(self, count: int = 1, *, timeout: float = 30) -> list[EmailMessage]:
        """The first `count` messages, waiting for them to arrive."""
        deadline = time.monotonic() + timeout
        while len(self.messages) < count:
            if time.monotonic() > deadline:
                raise AssertionError(f"{len(self.messages)} emails arrived, expected {count}")
            time.sleep(0.05)
        return self.messages[:count]


def text_body(message: EmailMessage) -> str:
    """A message's plain-text part, decoded."""
    part = message.get_body(preferencelist=("plain",))
    assert part is not None
    return str(part.get_content())


def html_body(message: EmailMessage) -> str:
    """A message's HTML part, decoded."""
    part = message.get_body(preferencelist=("html",))
    assert part is not None
    return str(part.get_content())


@contextmanager
def smtp_inbox() -> Iterator[Inbox]:
    """An SMTP server on 127.0.0.1 for the duration; settings for it are EMAIL_HOST=127.0.0.1, EMAIL_PORT."""
    inbox = Inbox(port=free_port())
    controller = Controller(inbox, hostname="127.0.0.1", port=inbox.port)
    controller.start()
    try:
        yield inbox
    finally:
        controller.stop()
