"""The baseline: a bare Channels consumer that relays every text frame to the group its URL names."""

from typing import Any

from channels.generic.websocket import AsyncWebsocketConsumer


class RelayConsumer(AsyncWebsocketConsumer):  # type: ignore[misc]
    """Joins the group `relay.<room>` and sends each text frame to the whole group, itself included."""

    async def connect(self) -> None:
        """Join the room's group before accepting, so a client never sends before it can receive."""
        self.group = f"relay.{self.scope['url_route']['kwargs']['room']}"
        await self.channel_layer.group_add(self.group, self.channel_name)
        await self.accept()

    async def disconnect(self, code: int) -> None:
        """Leave the room's group."""
        await self.channel_layer.group_discard(self.group, self.channel_name)

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        """Relay a text frame to the room as it came."""
        if text_data is not None:
            await self.channel_layer.group_send(self.group, {"type": "relay.message", "text": text_data})

    async def relay_message(self, event: dict[str, Any]) -> None:
        """Send a relayed frame to this socket."""
        await self.send(text_data=event["text"])
