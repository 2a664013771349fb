"""The emails a visitor gets (docs/offline.md): agents' replies it missed and a conversation's transcript.

Run by the task queue's worker (tasks.py), never on a socket. Plain text and HTML, every typed text escaped.
"""

import logging
import uuid
from collections.abc import Sequence

from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.utils.html import format_html, format_html_join

from server.conversations.models import Conversation, Message
from server.conversations.resume import resume_url, sign_resume_token

logger = logging.getLogger(__name__)

# A transcript lists at most this many messages, the latest.
TRANSCRIPT_MAX_MESSAGES = 1000


def _author(message: Message) -> str:
    if message.author == Message.Author.VISITOR:
        return "You"
    if message.author == Message.Author.SYSTEM:
        return "Parley"
    agent = message.agent
    if agent is None:
        return "Support"
    return (agent.first_name or "").strip() or agent.get_username().split("@", 1)[0]


def _link(conversation: Conversation) -> str:
    """The resume link to the visitor's last page, or "" when no page is known."""
    page = conversation.visitor.last_page_url
    if not page:
        return ""
    token = sign_resume_token(
        site_id=conversation.site_id, visitor_id=conversation.visitor_id, conversation_id=conversation.pk
    )
    return resume_url(page_url=page, token=token)


def _send(*, conversation: Conversation, subject: str, intro: str, messages: Sequence[Message]) -> None:
    lines = [(_author(message), message.body) for message in messages]
    link = _link(conversation)
    text = "\n\n".join([intro, *(f"{author}: {body}" for author, body in lines)])
    if link:
        text += f"\n\nContinue the conversation: {link}\n"
    html = format_html(
        "<p>{}</p>{}{}",
        intro,
        format_html_join("", "<p><strong>{}</strong><br>{}</p>", lines),
        format_html('<p><a href="{}">Continue the conversation</a></p>', link) if link else "",
    )
    mail = EmailMultiAlternatives(subject=subject, body=text, to=[conversation.visitor.email])
    mail.attach_alternative(html, "text/html")
    mail.send()


def send_missed_replies(*, conversation_id: uuid.UUID) -> int:
    """Email the agent replies the visitor has neither read nor been emailed; how many were sent.

    Marked as emailed before sending, in a short transaction: an agent's reply waits on the conversation's
    row lock, so the lock is never held across the SMTP exchange. A failed send is logged, not retried.
    """
    with transaction.atomic():
        conversation = (
            Conversation.objects.select_for_update()
            .select_related("visitor", "site")
            .filter(pk=conversation_id)
            .first()
        )
        if conversation is None or not conversation.visitor.email:
            return 0
        after = max(conversation.emailed_seq, conversation.visitor_last_read_seq)
        replies = list(
            Message.objects.filter(conversation=conversation, seq__gt=after, author=Message.Author.AGENT)
            .select_related("agent")
            .order_by("seq")
        )
        if not replies:
            return 0
        Conversation.objects.filter(pk=conversation.pk).update(emailed_seq=replies[-1].seq)
    count = len(replies)
    _send(
        conversation=conversation,
        subject=f"{conversation.site.name} replied to you",
        intro=f"{conversation.site.name} replied while you were away"
        + (f" ({count} messages):" if count > 1 else ":"),
        messages=replies,
    )
    return count


def send_transcript(*, conversation_id: uuid.UUID) -> int:
    """Email a conversation's messages to its visitor; how many it listed."""
    conversation = Conversation.objects.select_related("visitor", "site").filter(pk=conversation_id).first()
    if conversation is None or not conversation.visitor.email:
        return 0
    latest = Message.objects.filter(conversation=conversation).select_related("agent").order_by("-seq")
    messages = list(reversed(latest[:TRANSCRIPT_MAX_MESSAGES]))
    _send(
        conversation=conversation,
        subject=f"Your conversation with {conversation.site.name}",
        intro=f"Your conversation with {conversation.site.name}, as you asked:",
        messages=messages,
    )
    return len(messages)
