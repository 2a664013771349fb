"""Visitors: sessions (a signed token per visitor) and the hello that records a visit."""

import logging
import uuid
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from server.conversations.models import Visitor
from server.conversations.selectors.history import VisitorReady, visitor_ready, visitor_visit
from server.conversations.services.identity import Identity, apply_identity, visitor_for_identity
from server.conversations.services.visitor_context import VisitorContext, check_http_url, known_context
from server.conversations.store import sql, statements
from server.conversations.tokens import read_visitor_token, sign_visitor_token
from server.errors import ParleyError
from server.limits.checks import check_new_visitor
from server.sites.models import Site

logger = logging.getLogger(__name__)

MAX_USER_AGENT_CHARS = 400
# A reconnecting visitor is "seen" again without a write while its last visit is this recent.
LAST_SEEN_RESOLUTION = timedelta(seconds=60)


@dataclass(frozen=True)
class VisitorSession:
    """What the widget keeps: a token for one visitor of one site."""

    visitor_id: uuid.UUID
    visitor_token: str


def _clean_page_url(page_url: object) -> str:
    return check_http_url(value=page_url)


@transaction.atomic
def do_start_visitor_session(
    *,
    site: Site,
    visitor_token: object,
    page_url: object,
    user_agent: str,
    client_ip: str | None = None,
    context: VisitorContext | None = None,
    identity: Identity | None = None,
) -> VisitorSession:
    """Resume the visitor a valid token names, else create a fresh one; return a new token either way.

    With an `identity` (check_identity), a verified one resumes its contact's visitor wherever the session
    comes from, and an unverified one never does (server/conversations/services/identity.py).

    A fresh visitor for a client (`client_ip`) counts against the new-visitor limits (server/limits/);
    resuming one never does, nor does a visitor the server starts itself (fixtures, the demo: None).
    `context` (the page's title, referrer, time zone, language) replaces what is stored, part by part,
    where it is not empty; a session more than PARLEY_VISIT_GAP_SECONDS after the visitor was last seen
    counts as a visit.
    """
    context = context or VisitorContext()
    visitor: Visitor | None = None
    if visitor_token is not None:
        try:
            claim = read_visitor_token(token=visitor_token, max_age=settings.PARLEY_VISITOR_TOKEN_MAX_AGE)
        except ParleyError as error:
            logger.info(
                "visitor session: %s token on site %s, starting a new visitor", error.message, site.pk
            )
        else:
            # A token of another site never resumes anyone here: it is treated as no token.
            if claim.site_id == site.pk:
                visitor = Visitor.objects.filter(pk=claim.visitor_id, site=site).first()
    contact = None
    if identity is not None:
        visitor, contact = visitor_for_identity(site=site, identity=identity, visitor=visitor)
    now = timezone.now()
    clean_url = _clean_page_url(page_url)
    # A header's bytes arrive as Latin-1, which encodes as UTF-8; only NUL cannot be stored.
    clean_user_agent = user_agent.replace("\x00", "")[:MAX_USER_AGENT_CHARS]
    if visitor is None:
        if client_ip is not None:
            check_new_visitor(ip=client_ip, site_id=site.pk)
        visitor = Visitor(
            site=site,
            last_page_url=clean_url,
            user_agent=clean_user_agent,
            last_page_title=context.page_title,
            referrer=context.referrer,
            timezone=context.timezone,
            language=context.language,
        )
        if identity is not None:
            apply_identity(visitor=visitor, identity=identity, contact=contact)
        visitor.save(force_insert=True)
    else:
        if (now - visitor.last_seen_at).total_seconds() > settings.PARLEY_VISIT_GAP_SECONDS:
            visitor.visits += 1
        visitor.last_seen_at = now
        visitor.user_agent = clean_user_agent
        if clean_url:
            visitor.last_page_url = clean_url
            # The title belongs to the page: a new page without one has none.
            visitor.last_page_title = context.page_title
        for field, value in known_context(context).items():
            setattr(visitor, field, value)
        named = (
            [] if identity is None else apply_identity(visitor=visitor, identity=identity, contact=contact)
        )
        visitor.save(
            update_fields=[
                "last_seen_at",
                "user_agent",
                "last_page_url",
                "last_page_title",
                "referrer",
                "timezone",
                "language",
                "visits",
                *named,
            ]
        )
    return VisitorSession(
        visitor_id=visitor.pk, visitor_token=sign_visitor_token(site_id=site.pk, visitor_id=visitor.pk)
    )


def check_visitor_token(*, site_id: int, token: object) -> uuid.UUID:
    """The visitor a socket's token names for this site (a signature check: no database)."""
    claim = read_visitor_token(token=token, max_age=settings.PARLEY_VISITOR_TOKEN_MAX_AGE)
    if claim.site_id != site_id:
        raise ParleyError("token_wrong_site", "This visitor token was issued for another site.")
    return claim.visitor_id


def do_accept_visitor_hello(
    *,
    site_id: int,
    visitor_id: uuid.UUID,
    page_url: str,
    last_seq: int,
    conversation_id: uuid.UUID | None = None,
) -> VisitorReady:
    """Record that a verified visitor is here; its latest conversation and what it has not seen of it
    (`last_seq` belongs to `conversation_id` when given)."""
    # No transaction: two reads and, at most once a minute, one single-row UPDATE.
    visit = visitor_visit(site_id=site_id, visitor_id=visitor_id)
    if visit is None:
        raise ParleyError("token_invalid", "This visitor no longer exists.")
    now = timezone.now()
    clean_url = _clean_page_url(page_url) or visit.last_page_url
    if now - visit.last_seen_at > LAST_SEEN_RESOLUTION or clean_url != visit.last_page_url:
        # Hand-written (store/): paid by a handshake that lands on a new page or after a minute away.
        sql.execute(
            statements.RECORD_VISIT_SQL,
            [sql.db_param(Visitor, "last_seen_at", now), clean_url, sql.db_param(Visitor, "id", visitor_id)],
        )
    return visitor_ready(
        visitor_id=visitor_id, visit=visit, last_seq=last_seq, conversation_id=conversation_id
    )
