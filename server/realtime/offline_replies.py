"""The frames of "never drop a visitor" (docs/offline.md), built from services' and selectors' data."""

import uuid
from datetime import datetime

from server.conversations.events import VisitorEmailChanged
from server.conversations.selectors.ratings import AgentRatingCounts
from server.protocol import offline_frames
from server.protocol.objects import construct
from server.protocol.wire import display_name

# Layer event types (consumers' handler names with "." for "_").
VISITOR_EMAIL = "visitor.email"
CONVERSATION_RATED = "conversation.rated"


def rated_frame(
    *,
    conversation_id: uuid.UUID,
    visitor_id: uuid.UUID,
    score: str,
    comment: str,
    agent_id: int | None,
    rated_at: datetime,
) -> offline_frames.ConversationRated:
    """`conversation.rated`: the visitor's answer to its rating, and the site's consoles' news of it."""
    return construct(
        offline_frames.ConversationRated,
        type="conversation.rated",
        conversation_id=conversation_id,
        visitor_id=visitor_id,
        rating=construct(
            offline_frames.Rating, score=score, comment=comment, agent_id=agent_id, rated_at=rated_at
        ),
    )


def visitor_email_frame(event: VisitorEmailChanged) -> offline_frames.VisitorEmailFrame:
    """`visitor.email` for the site's consoles."""
    return construct(
        offline_frames.VisitorEmailFrame, type="visitor.email", visitor_id=event.visitor_id, email=event.email
    )


def ratings_frame(*, counts: list[AgentRatingCounts], days: int) -> offline_frames.Ratings:
    """The answer to `ratings.get`."""
    return construct(
        offline_frames.Ratings,
        type="ratings",
        days=days,
        agents=[
            construct(
                offline_frames.AgentRatings,
                agent_id=row.agent_id,
                name=display_name(first_name=row.first_name, username=row.username),
                good=row.good,
                okay=row.okay,
                bad=row.bad,
            )
            for row in counts
        ],
    )
