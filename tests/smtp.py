"""A real SMTP server for tests (aiosmtpd in a thread): what Parley sends arrives in `messages`."""

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
class Mailbox:
    """The emails an SMTP server received, parsed, and where it listens."""

    port: int
    messages: list[EmailMessage] = field(default_factory=list)

    def wait_for(self, count: int = 1, *, timeout: float = 30) -> list[EmailMessage]:
        """The first `count` emails, waiting for them to arrive."""
        deadline = time.monotonic() + timeout
        while len(self.messages) < count:
            if time.monotonic() > deadline:
                raise AssertionError(f"{len(self.messages)} emails arrived, expected {count}")
            time.sleep(0.05)
        return self.messages[:count]


class _Handler:
    def __init__(self, mailbox: Mailbox) -> None:
        self.mailbox = mailbox

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        parsed = email.message_from_bytes(envelope.content, policy=email.policy.default)
        assert isinstance(parsed, EmailMessage)
        self.mailbox.messages.append(parsed)
        return "250 Message accepted for delivery"


@contextmanager
def smtp_server() -> Iterator[Mailbox]:
    """An SMTP server on a free loopback port for as long as the block runs."""
    mailbox = Mailbox(port=free_port())
    controller = Controller(_Handler(mailbox), hostname="127.0.0.1", port=mailbox.port)
    controller.start()
    try:
        yield mailbox
    finally:
        controller.stop()


def text_of(message: EmailMessage) -> str:
    """The plain-text part of an email."""
    part = message.get_body(preferencelist=("plain",))
    assert part is not None
    return str(part.get_content())


def html_of(message: EmailMessage) -> str:
    """The HTML part of an email."""
    part = message.get_body(preferencelist=("html",))
    assert part is not None
    return str(part.get_content())
