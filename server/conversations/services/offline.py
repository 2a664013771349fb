"""Never drop a visitor (docs/offline.md): the email a visitor leaves, ratings, and the mail they lead to."""

import logging
import uuid

from django.db import transaction
from django.utils import timezone

from server.conversations import events, tasks
from server.conversations.models import Conversation, Message, Rating, Visitor
from server.conversations.resume import read_resume_token
from server.conversations.text import is_storable_text
from server.conversations.tokens import sign_visitor_token
from server.email_address import check_email_address
from server.errors import ParleyError

logger = logging.getLogger(__name__)

MAX_COMMENT_CHARS = 1000


def check_visitor_email(*, email: str) -> str:
    """An email address as typed by a visitor, trimmed and lower-cased in its domain; else `email_invalid`."""
    if not is_storable_text(email):
        raise ParleyError("email_invalid", "This is not an email address.")
    return check_email_address(email=email, code="email_invalid")


@transaction.atomic
def do_set_visitor_email(*, site_id: int, visitor_id: uuid.UUID, email: str) -> str:
    """Store the address a visitor left (checked first) and tell the site's agents; returns it.

    Unverified: it is the visitor's own field and never links the visitor to a contact (docs/identity.md).
    """
    clean = check_visitor_email(email=email)
    changed = Visitor.objects.filter(pk=visitor_id, site_id=site_id).exclude(email=clean).update(email=clean)
    if changed:
        events.publish([events.VisitorEmailChanged(site_id=site_id, visitor_id=visitor_id, email=clean)])
    return clean


def check_rating_comment(*, comment: str) -> str:
    """A rating's optional comment, trimmed; `invalid_field` when it is too long or cannot be stored."""
    value = comment.strip()
    if len(value) > MAX_COMMENT_CHARS or not is_storable_text(value):
        error = ParleyError("invalid_field", f"Field 'comment' has at most {MAX_COMMENT_CHARS} characters.")
        raise error
    return value


@transaction.atomic
def do_rate_conversation(
    *, visitor_id: uuid.UUID, conversation_id: uuid.UUID, score: str, comment: str
) -> Rating:
    """Rate one of the visitor's resolved conversations (again: the new rating replaces the old one)."""
    clean = check_rating_comment(comment=comment)
    conversation = (
        Conversation.objects.select_for_update().filter(pk=conversation_id, visitor_id=visitor_id).first()
    )
    if conversation is None:
        raise ParleyError("not_found", "No such conversation.")
    if conversation.status != Conversation.Status.RESOLVED:
        raise ParleyError("rating_unavailable", "Only a resolved conversation can be rated.")
    agent_id = conversation.assignee_id
    if agent_id is None:
        agent_id = (
            # The last agent who replied or resolved it (a resolve's system line names its agent).
            Message.objects.filter(conversation=conversation, agent__isnull=False)
            .order_by("-seq")
            .values_list("agent_id", flat=True)
            .first()
        )
    rating, _ = Rating.objects.update_or_create(
        conversation=conversation,
        defaults={
            "site_id": conversation.site_id,
            "agent_id": agent_id,
            "score": score,
            "comment": clean,
            "rated_at": timezone.now(),
        },
    )
    events.publish(
        [
            events.ConversationRated(
                site_id=conversation.site_id,
                conversation_id=conversation.pk,
                visitor_id=visitor_id,
                score=score,
                comment=clean,
                agent_id=agent_id,
                rated_at=rating.rated_at,
            )
        ]
    )
    return rating


def schedule_reply_email(*, conversation: Conversation) -> None:
    """Once an agent's reply commits, queue its email (tasks.py) when the visitor left an address."""
    visitor = getattr(conversation, "visitor", None)
    if visitor is not None and visitor.email:
        conversation_id = conversation.pk
        transaction.on_commit(lambda: tasks.enqueue_missed_replies(conversation_id=conversation_id))


@transaction.atomic
def do_request_transcript(*, visitor_id: uuid.UUID, conversation_id: uuid.UUID) -> str:
    """Queue one of the visitor's conversations to be emailed to it; the address it goes to.

    `email_required` until the visitor left an address; `not_found` for a conversation not its own.
    """
    email = Visitor.objects.filter(pk=visitor_id).values_list("email", flat=True).first()
    if not Conversation.objects.filter(pk=conversation_id, visitor_id=visitor_id).exists():
        raise ParleyError("not_found", "No such conversation.")
    if not email:
        raise ParleyError("email_required", "Leave an email address first.")
    transaction.on_commit(lambda: tasks.enqueue_transcript(conversation_id=conversation_id))
    return email


def check_resume_token(*, site_id: int, token: str) -> str | None:
    """The visitor token a resume link's token stands for on this site, or None when it is not valid here
    (forged, expired, another site's, or its visitor gone): the session then goes on without it."""
    try:
        claim = read_resume_token(token=token)
    except ParleyError as error:
        logger.info("resume link refused on site %s: %s", site_id, error.message)
        return None
    if claim.site_id != site_id or not Visitor.objects.filter(pk=claim.visitor_id, site_id=site_id).exists():
        return None
    return sign_visitor_token(site_id=site_id, visitor_id=claim.visitor_id)
