"""The task queue's tasks (docs/decisions/0056-task-queue.md): mail to visitors, run by `manage.py db_worker`.

Arguments are JSON (ids as strings); each task reads what it needs again when it runs.
"""

import uuid
from datetime import timedelta

from django.conf import settings
from django.utils import timezone
from django_tasks import task

from server.conversations import mail


@task()
def email_missed_replies(conversation_id: str) -> int:
    """Email the agent replies the visitor missed (mail.send_missed_replies)."""
    return mail.send_missed_replies(conversation_id=uuid.UUID(conversation_id))


@task()
def email_transcript(conversation_id: str) -> int:
    """Email a conversation's transcript to its visitor (mail.send_transcript)."""
    return mail.send_transcript(conversation_id=uuid.UUID(conversation_id))


def enqueue_missed_replies(*, conversation_id: uuid.UUID) -> None:
    """Queue the reply email to run PARLEY_EMAIL_REPLY_DELAY seconds from now (at once on a backend that
    cannot defer, e.g. the immediate one)."""
    scheduled = email_missed_replies
    if scheduled.get_backend().supports_defer:
        run_after = timezone.now() + timedelta(seconds=settings.PARLEY_EMAIL_REPLY_DELAY)
        scheduled = scheduled.using(run_after=run_after)
    scheduled.enqueue(str(conversation_id))


def enqueue_transcript(*, conversation_id: uuid.UUID) -> None:
    """Queue a conversation's transcript email."""
    email_transcript.enqueue(str(conversation_id))
