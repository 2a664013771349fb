"""The frames of "never drop a visitor" (docs/offline.md), built from services' and selectors' data."""

import uuid
from datetime import datetime

from server.conversations.events import ConversationRated, VisitorEmailChanged
from server.conversations.models import Rating
from server.conversations.selectors.ratings import AgentRatingCounts
from server.protocol import offline_frames
from server.protocol.objects import construct
from server.protocol.wire import display_name

# Layer event types (consumers' handler names with "." for "_").
VISITOR_EMAIL = "visitor.email"
CONVERSATION_RATED = "conversation.rated"


def rating_wire(
    *, score: str, comment: str, agent_id: int | None, rated_at: datetime
) -> offline_frames.Rating:
    """A rating as the protocol sends it."""
    return construct(
        offline_frames.Rating, score=score, comment=comment, agent_id=agent_id, rated_at=rated_at
    )


def rated_frame(*, rating: Rating, visitor_id: uuid.UUID) -> offline_frames.ConversationRated:
    """`conversation.rated` for a stored rating."""
    return construct(
        offline_frames.ConversationRated,
        type="conversation.rated",
        conversation_id=rating.conversation_id,
        visitor_id=visitor_id,
        rating=rating_wire(
            score=rating.score, comment=rating.comment, agent_id=rating.agent_id, rated_at=rating.rated_at
        ),
    )


def rated_event_frame(event: ConversationRated) -> offline_frames.ConversationRated:
    """`conversation.rated` for the site's consoles, from the domain event."""
    return construct(
        offline_frames.ConversationRated,
        type="conversation.rated",
        conversation_id=event.conversation_id,
        visitor_id=event.visitor_id,
        rating=rating_wire(
            score=event.score, comment=event.comment, agent_id=event.agent_id, rated_at=event.rated_at
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
