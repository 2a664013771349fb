"""The frames of "never drop a visitor" (docs/offline.md): the visitor's email, ratings, transcripts."""

import uuid
from typing import Annotated, Literal

from pydantic import BaseModel, Field

from server.protocol.bases import ClientFrame, ServerFrame
from server.protocol.fields import ConversationId, Expect, Text
from server.protocol.objects import SERVER_OUTPUT, Timestamp

Score = Literal["good", "okay", "bad"]

# --- Visitor client frames -------------------------------------------------------------------------------


class VisitorEmail(ClientFrame):
    """The visitor leaves an email address in the conversation; answered by `email.saved`."""

    type: Literal["visitor.email"]
    email: Text = Field(description="An email address (at most 254 characters), checked by the server.")


class ConversationRate(ClientFrame):
    """Rate one of the visitor's resolved conversations (again: replaces the rating); answered by
    `conversation.rated`."""

    type: Literal["conversation.rate"]
    conversation_id: ConversationId
    score: Annotated[Score, Expect("must be 'good', 'okay' or 'bad'")]
    comment: Annotated[str, Field(max_length=1000), Expect("must be a string of at most 1000 characters")] = (
        ""
    )


class TranscriptRequest(ClientFrame):
    """Email one of the visitor's conversations to the address it left; answered by `transcript.queued`."""

    type: Literal["transcript.request"]
    conversation_id: ConversationId


# --- Agent client frames ---------------------------------------------------------------------------------


class RatingsGet(ClientFrame):
    """Ask for the ratings of the agent's sites per agent over the last PARLEY_RATINGS_DAYS; answered by
    `ratings`."""

    type: Literal["ratings.get"]


# --- Server frames ---------------------------------------------------------------------------------------


class Rating(BaseModel):
    """A visitor's rating of a resolved conversation."""

    model_config = SERVER_OUTPUT

    score: Score
    comment: str = Field(description="The visitor's comment, empty when none.")
    agent_id: int | None = Field(
        description="The agent it is about: the assignee, else the last agent who replied or resolved."
    )
    rated_at: Timestamp


class EmailSaved(ServerFrame):
    """The visitor's email address was stored: replies it misses are emailed there."""

    type: Literal["email.saved"]
    email: str


class ConversationRated(ServerFrame):
    """A conversation was rated: to the visitor that rated it, and to the consoles of its site."""

    type: Literal["conversation.rated"]
    conversation_id: uuid.UUID
    visitor_id: uuid.UUID
    rating: Rating


class TranscriptQueued(ServerFrame):
    """The transcript will be emailed shortly."""

    type: Literal["transcript.queued"]
    conversation_id: uuid.UUID
    email: str = Field(description="Where it goes.")


class VisitorEmailFrame(ServerFrame):
    """A visitor of the agent's sites left an email address (unverified)."""

    type: Literal["visitor.email"]
    visitor_id: uuid.UUID
    email: str


class AgentRatings(BaseModel):
    """One agent's ratings over the period."""

    model_config = SERVER_OUTPUT

    agent_id: int
    name: str
    good: int
    okay: int
    bad: int


class Ratings(ServerFrame):
    """The answer to `ratings.get`: per agent of the agent's sites, most rated first."""

    type: Literal["ratings"]
    days: int = Field(description="The period: the last PARLEY_RATINGS_DAYS days.")
    agents: list[AgentRatings]
