"""Every frame the server sends in a test is checked against the protocol's server-frame unions.

As Zulip's verify_action: the gateway's hand-off to the channel layer and every consumer's send are
wrapped, each frame is validated against the union of the socket it goes to, and the test fails on any
frame the schema does not describe.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from pydantic import TypeAdapter, ValidationError

from server.protocol.frames import AgentServerFrame, VisitorServerFrame
from server.realtime import gateway
from server.realtime.consumers.agent import AgentConsumer
from server.realtime.consumers.base import ParleyConsumer
from server.realtime.consumers.visitor import VisitorConsumer

VISITOR_FRAMES: TypeAdapter[Any] = TypeAdapter(VisitorServerFrame)
AGENT_FRAMES: TypeAdapter[Any] = TypeAdapter(AgentServerFrame)

# Group name prefixes (server/realtime/groups.py) and the socket their members are.
GROUP_SOCKETS = {"visitor.": VISITOR_FRAMES, "site-agents.": AGENT_FRAMES, "agent.": AGENT_FRAMES}
# The layer message keys that hold an encoded frame (gateway.event; inbox.update carries message.new too).
FRAME_KEYS = ("text", "message_text")


class FrameChecker:
    """Collects the frames that do not match the schema, to fail the test at its end."""

    def __init__(self) -> None:
        self.mismatches: list[str] = []

    def check(self, adapter: TypeAdapter[Any], text: str, *, where: str) -> None:
        """Validate one encoded frame; remember it when it does not match."""
        try:
            adapter.validate_json(text)
        except ValidationError as error:
            self.mismatches.append(f"{where}: {text[:500]}\n{error}")

    def check_event(self, group: str, message: dict[str, Any]) -> None:
        """Validate the frames of one layer message sent to a group of a known socket kind."""
        adapter = next((a for prefix, a in GROUP_SOCKETS.items() if group.startswith(prefix)), None)
        if adapter is None:  # a group of a test's own, not a socket's
            return
        for key in FRAME_KEYS:
            if key in message:
                self.check(adapter, message[key], where=f"group {group} ({message.get('type')}.{key})")


def _socket_adapter(consumer: ParleyConsumer) -> TypeAdapter[Any] | None:
    if isinstance(consumer, VisitorConsumer):
        return VISITOR_FRAMES
    if isinstance(consumer, AgentConsumer):
        return AGENT_FRAMES
    return None


@contextmanager
def verified_frames(monkeypatch: pytest.MonkeyPatch) -> Iterator[FrameChecker]:
    """Wrap the gateway's hand-off to the layer and every consumer's send; yield the checker."""
    checker = FrameChecker()
    send_logged = gateway._send_logged
    send = ParleyConsumer.send

    async def checked_send_logged(messages: list[gateway.LayerEvent]) -> None:
        for group, message in messages:
            checker.check_event(group, message)
        await send_logged(messages)

    async def checked_send(
        self: ParleyConsumer, text_data: str | None = None, *args: Any, **kwargs: Any
    ) -> None:
        adapter = _socket_adapter(self)
        if adapter is not None and text_data is not None:
            checker.check(adapter, text_data, where=f"{type(self).__name__}.send")
        await send(self, text_data, *args, **kwargs)

    monkeypatch.setattr(gateway, "_send_logged", checked_send_logged)
    monkeypatch.setattr(ParleyConsumer, "send", checked_send)
    yield checker
