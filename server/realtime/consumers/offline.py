"""The visitor socket's frames of "never drop a visitor" (docs/offline.md): email, rating, transcript."""

import uuid

from channels.db import database_sync_to_async

from server.conversations.services.offline import (
    do_rate_conversation,
    do_request_transcript,
    do_set_visitor_email,
)
from server.limits import checks as limits
from server.protocol import offline_frames
from server.protocol.objects import construct
from server.realtime import offline_replies
from server.realtime.consumers.base import ParleyConsumer


class OfflineVisitorFrames(ParleyConsumer):
    """Handlers the visitor socket mixes in; they run after `hello` (VisitorConsumer.handler_for)."""

    site_id: int | None
    visitor_id: uuid.UUID | None

    async def on_visitor_email(self, frame: offline_frames.VisitorEmail) -> None:
        """Store the address the visitor left; answered by `email.saved`."""
        assert self.visitor_id is not None
        assert self.site_id is not None
        await limits.check_email_request(visitor_id=self.visitor_id)
        email = await database_sync_to_async(do_set_visitor_email)(
            site_id=self.site_id, visitor_id=self.visitor_id, email=frame.email
        )
        await self.send_frame(construct(offline_frames.EmailSaved, type="email.saved", email=email))

    async def on_conversation_rate(self, frame: offline_frames.ConversationRate) -> None:
        """Rate one of the visitor's resolved conversations; answered by `conversation.rated`."""
        assert self.visitor_id is not None
        rating = await database_sync_to_async(do_rate_conversation)(
            visitor_id=self.visitor_id,
            conversation_id=frame.conversation_id,
            score=frame.score,
            comment=frame.comment,
        )
        await self.send_frame(
            offline_replies.rated_frame(
                conversation_id=rating.conversation_id,
                visitor_id=self.visitor_id,
                score=rating.score,
                comment=rating.comment,
                agent_id=rating.agent_id,
                rated_at=rating.rated_at,
            )
        )

    async def on_transcript_request(self, frame: offline_frames.TranscriptRequest) -> None:
        """Queue the conversation's transcript to the visitor's address; answered by `transcript.queued`."""
        assert self.visitor_id is not None
        await limits.check_email_request(visitor_id=self.visitor_id)
        email = await database_sync_to_async(do_request_transcript)(
            visitor_id=self.visitor_id, conversation_id=frame.conversation_id
        )
        await self.send_frame(
            construct(
                offline_frames.TranscriptQueued,
                type="transcript.queued",
                conversation_id=frame.conversation_id,
                email=email,
            )
        )
