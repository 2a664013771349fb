"""Which typing frames of one socket are relayed: typing is stored nowhere and costs no database query."""

import time
import uuid

from django.conf import settings


class TypingThrottle:
    """At most one `start` per PARLEY_TYPING_INTERVAL_SECONDS, and a `stop` only after a relayed `start`.

    So a socket relays at most two typing frames per interval however many it sends; the rest are dropped
    without an error (clients send `start` every 2 s while typing, and the indicator expires by itself).
    """

    def __init__(self) -> None:
        self.started_at = -float("inf")
        # The conversation of the last relayed `start` not yet followed by a relayed `stop`.
        self.typing_in: uuid.UUID | None = None

    def allow(self, *, conversation_id: uuid.UUID, state: str) -> bool:
        """Whether to relay this frame (and count it)."""
        if state == "stop":
            if self.typing_in != conversation_id:
                return False
            self.typing_in = None
            return True
        now = time.monotonic()
        if now - self.started_at < settings.PARLEY_TYPING_INTERVAL_SECONDS:
            return False
        self.started_at = now
        self.typing_in = conversation_id
        return True
