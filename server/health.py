"""Liveness and readiness endpoints for load balancers and orchestrators."""

import asyncio
import logging
import uuid

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import connection
from django.http import HttpRequest, JsonResponse

logger = logging.getLogger(__name__)

LAYER_TIMEOUT_SECONDS = 2.0


def live(request: HttpRequest) -> JsonResponse:
    """The process answers HTTP."""
    return JsonResponse({"status": "ok"})


def _check_database() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()


def _check_channel_layer() -> None:
    """Send a message to a fresh channel of this process and read it back."""

    async def round_trip() -> None:
        layer = get_channel_layer()
        if getattr(layer, "down", False):
            raise ConnectionError("the channel layer is recovering from an outage")
        channel = await layer.new_channel(prefix="health.")
        token = uuid.uuid4().hex
        await layer.send(channel, {"type": "health.check", "token": token})
        received = await asyncio.wait_for(layer.receive(channel), LAYER_TIMEOUT_SECONDS)
        if received.get("token") != token:
            raise RuntimeError("the channel layer returned another message")

    async_to_sync(round_trip)()


def ready(request: HttpRequest) -> JsonResponse:
    """The database and the channel layer both answer; 503 names what does not."""
    checks: dict[str, str] = {}
    for name, check in (("database", _check_database), ("channel_layer", _check_channel_layer)):
        try:
            check()
        except Exception as error:
            logger.warning("readiness check %s failed: %s", name, type(error).__name__)
            checks[name] = f"failed: {type(error).__name__}"
        else:
            checks[name] = "ok"
    healthy = all(value == "ok" for value in checks.values())
    return JsonResponse(
        {"status": "ok" if healthy else "unavailable", "checks": checks}, status=200 if healthy else 503
    )
