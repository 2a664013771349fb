"""Web Push to agents with no console open: new conversations of their sites, and visitors' messages in the
conversations assigned to them (docs/notifications.md).

The gateway hands every batch of committed events here after its group sends; what calls for a push goes
to a small pool of threads, so reading who to notify and posting to push services never runs on the event
loop nor holds a message's delivery.
"""

import asyncio
import json
import logging
import threading
import uuid
from collections import defaultdict
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from functools import cache
from typing import Any, NamedTuple

import requests
from asgiref.sync import async_to_sync
from django.conf import settings
from django.core.signals import setting_changed
from django.db import close_old_connections
from django.dispatch import receiver
from py_vapid import Vapid, Vapid01  # type: ignore[import-untyped]
from pywebpush import WebPushException, webpush  # type: ignore[import-untyped]

from server.agents.selectors import PushTarget, push_targets, site_member_ids, web_push_configured
from server.agents.services import do_drop_subscription
from server.conversations.events import Event, MessageStored
from server.conversations.models import Message
from server.conversations.records import BatchedConversation, BatchedMessage
from server.limits.checks import push_allowed
from server.protocol.wire import conversation_id_of

logger = logging.getLogger(__name__)

# Characters of the visitor's text a notification shows (lock screens show about this much).
BODY_MAX_CHARS = 140
# How long a push service keeps a push for a browser that is offline: a day-old chat is not news.
PUSH_TTL_SECONDS = 24 * 3600
# How long a push thread waits for the event loop to say who has a console open.
PRESENCE_TIMEOUT_SECONDS = 5
GONE_STATUSES = frozenset({404, 410})


class PushJob(NamedTuple):
    """A push an event calls for: to every agent of the site (a new conversation) or to its assignee."""

    conversation_id: uuid.UUID
    site_id: int
    assignee_id: int | None
    started: bool
    title: str
    body: str


def schedule(events: Sequence[Event], *, loop: asyncio.AbstractEventLoop | None) -> None:
    """Queue the pushes that committed events call for, and return at once.

    `loop` is the event loop the process's sockets run on (None outside a server), asked who is online.
    """
    if not web_push_configured():
        return
    for event in events:
        job = push_job(event)
        if job is not None:
            _queue.submit(job, loop)


def push_job(event: Event) -> PushJob | None:
    """The push an event calls for: a visitor's message starting a conversation, or in an assigned one."""
    if not isinstance(event, MessageStored):
        return None
    message, conversation = event.message, event.conversation
    if not isinstance(message, BatchedMessage) and message.author != Message.Author.VISITOR:
        return None
    if not event.started and conversation.assignee_id is None:
        return None
    if isinstance(conversation, BatchedConversation):
        who, site_id = conversation.visitor_name or conversation.visitor_email, conversation.site_id
    else:
        who, site_id = conversation.visitor.name or conversation.visitor.email, conversation.site_id
    who = who or "A visitor"
    return PushJob(
        conversation_id=conversation_id_of(conversation),
        site_id=site_id,
        assignee_id=conversation.assignee_id,
        started=event.started,
        title=f"New conversation: {who}" if event.started else who,
        body=_shortened(message.body),
    )


def _shortened(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= BODY_MAX_CHARS else text[: BODY_MAX_CHARS - 1] + "…"


class _PushQueue:
    """The push threads and how many pushes wait for them (at most PARLEY_PUSH_QUEUE_MAX)."""

    def __init__(self) -> None:
        self.lock = threading.Condition()
        self.pending = 0
        self.executor: ThreadPoolExecutor | None = None

    def submit(self, job: PushJob, loop: asyncio.AbstractEventLoop | None) -> None:
        """Hand a job to a push thread, or drop it (logged) when too many wait."""
        with self.lock:
            if self.pending >= settings.PARLEY_PUSH_QUEUE_MAX:
                logger.warning("push queue full: a push about conversation %s dropped", job.conversation_id)
                return
            self.pending += 1
            if self.executor is None:
                self.executor = ThreadPoolExecutor(
                    max_workers=settings.PARLEY_PUSH_WORKERS, thread_name_prefix="parley-push"
                )
            self.executor.submit(self.run, job, loop)

    def run(self, job: PushJob, loop: asyncio.AbstractEventLoop | None) -> None:
        """Deliver one job in a push thread; whatever fails is logged, never raised."""
        close_old_connections()
        try:
            deliver(job, loop=loop)
        except Exception:
            logger.exception("push about conversation %s failed", job.conversation_id)
        finally:
            close_old_connections()
            with self.lock:
                self.pending -= 1
                self.lock.notify_all()

    def wait_idle(self, timeout: float) -> bool:
        """Wait until no push is queued or posting (tests, shutdown); whether that happened in time."""
        with self.lock:
            return self.lock.wait_for(lambda: self.pending == 0, timeout=timeout)


_queue = _PushQueue()
wait_idle = _queue.wait_idle


def deliver(job: PushJob, *, loop: asyncio.AbstractEventLoop | None) -> None:
    """Push a job to each of its agents' browsers, skipping agents with a console open or over their limit."""
    members = site_member_ids(site_id=job.site_id)
    recipients = members if job.started else [user for user in members if user == job.assignee_id]
    targets = push_targets(user_ids=recipients)
    if not targets:
        return
    by_agent: dict[int, list[PushTarget]] = defaultdict(list)
    for target in targets:
        by_agent[target.user_id].append(target)
    online = _online(set(by_agent), loop=loop)
    payload = json.dumps({"title": job.title, "body": job.body, "conversation_id": str(job.conversation_id)})
    for user_id, browsers in by_agent.items():
        if user_id in online:
            continue
        if not push_allowed(user_id=user_id):
            logger.info("push to agent %s skipped: over PARLEY_PUSH_PER_AGENT", user_id)
            continue
        for target in browsers:
            post(target, payload)


def _online(user_ids: set[int], *, loop: asyncio.AbstractEventLoop | None) -> set[int]:
    # Imported here: presence imports the gateway, which imports this module.
    from server.realtime import presence

    if loop is not None and loop.is_running():
        future = asyncio.run_coroutine_threadsafe(presence.online_agent_ids(user_ids=user_ids), loop)
        return future.result(timeout=PRESENCE_TIMEOUT_SECONDS)
    return async_to_sync(presence.online_agent_ids)(user_ids=user_ids)


def post(target: PushTarget, payload: str) -> None:
    """Post one encrypted push; a subscription the push service says is gone (404, 410) is deleted.

    Logs name the subscription's row, never its endpoint or keys (the endpoint is a capability).
    """
    subscription: dict[str, Any] = {
        "endpoint": target.endpoint,
        "keys": {"p256dh": target.p256dh, "auth": target.auth},
    }
    try:
        webpush(
            subscription_info=subscription,
            data=payload,
            vapid_private_key=vapid_key(),
            vapid_claims={"sub": settings.PARLEY_VAPID_SUBJECT},
            timeout=settings.PARLEY_PUSH_TIMEOUT,
            ttl=PUSH_TTL_SECONDS,
        )
    except WebPushException as error:
        status = error.response.status_code if error.response is not None else None
        if status in GONE_STATUSES:
            do_drop_subscription(subscription_id=target.id)
            logger.info("push subscription %s is gone (%s): deleted", target.id, status)
        else:
            logger.warning("push to subscription %s failed: status %s", target.id, status)
    except (requests.RequestException, ValueError) as error:
        logger.warning("push to subscription %s failed: %s", target.id, type(error).__name__)


@cache
def vapid_key() -> Vapid01:
    """The VAPID private key from PARLEY_VAPID_PRIVATE_KEY (PEM, or base64url raw or DER), read once."""
    key = settings.PARLEY_VAPID_PRIVATE_KEY.strip()
    if key.startswith("-----BEGIN"):
        return Vapid.from_pem(key.encode())
    return Vapid.from_string(key)


@receiver(setting_changed)
def _forget_key(*, setting: str, **kwargs: Any) -> None:
    """Read the key again when a test overrides it."""
    if setting == "PARLEY_VAPID_PRIVATE_KEY":
        vapid_key.cache_clear()
