"""The two kinds of frame: what a client sends and what the server sends."""

from pydantic import BaseModel, ConfigDict

from server.protocol.objects import SERVER_OUTPUT


class ClientFrame(BaseModel):
    """A frame a client sends: unknown fields are ignored."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    type: str


class ServerFrame(BaseModel):
    """A frame the server sends: exactly these fields."""

    model_config = SERVER_OUTPUT
