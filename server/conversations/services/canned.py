"""Canned replies: a site's saved answers, managed by its agents from the console."""

from django.conf import settings
from django.db import IntegrityError, transaction

from server.conversations import events, rules
from server.conversations.models import CannedReply
from server.conversations.services.messages import check_message_body
from server.errors import ParleyError

MAX_TITLE_CHARS = 120


def _agent_canned(*, user_id: int, canned_id: int) -> CannedReply:
    canned = (
        CannedReply.objects.select_for_update()
        .filter(site__in=rules.agent_site_ids(user_id=user_id), pk=canned_id)
        .first()
    )
    if canned is None:
        raise ParleyError("not_found", "No such canned reply.")
    return canned


def check_canned_title(*, title: str) -> str:
    """A canned reply's title, trimmed and within MAX_TITLE_CHARS."""
    trimmed = title.strip()
    if len(trimmed) > MAX_TITLE_CHARS:
        raise ParleyError("invalid_field", f"Field 'title' must be at most {MAX_TITLE_CHARS} characters.")
    return trimmed


@transaction.atomic
def do_save_canned_reply(
    *, user_id: int, canned_id: int | None, site_id: int, shortcut: str, title: str, body: str
) -> CannedReply:
    """Create a canned reply on one of the agent's sites, or change one; announce it to the site's agents."""
    clean_body = check_message_body(body=body)
    clean_title = check_canned_title(title=title)
    if not rules.agent_site_ids(user_id=user_id).filter(site=site_id).exists():
        raise ParleyError("not_found", "No such site.")
    if canned_id is None:
        if CannedReply.objects.filter(site_id=site_id).count() >= settings.PARLEY_CANNED_REPLIES_MAX:
            raise ParleyError("limit_reached", "This site has as many canned replies as it may have.")
        canned = CannedReply(site_id=site_id, created_by_id=user_id)
    else:
        canned = _agent_canned(user_id=user_id, canned_id=canned_id)
        if canned.site_id != site_id:
            raise ParleyError("invalid_field", "Field 'site_id' must be the canned reply's own site.")
    canned.shortcut, canned.title, canned.body = shortcut, clean_title, clean_body
    try:
        with transaction.atomic():
            canned.save()
    except IntegrityError:
        raise ParleyError("invalid_field", f"Field 'shortcut' /{shortcut} is taken on this site.") from None
    events.publish([events.CannedReplyChanged(site_id=site_id, canned=canned, deleted_id=None)])
    return canned


@transaction.atomic
def do_delete_canned_reply(*, user_id: int, canned_id: int) -> int:
    """Delete a canned reply of one of the agent's sites and announce it; returns its site's id."""
    canned = _agent_canned(user_id=user_id, canned_id=canned_id)
    site_id = canned.site_id
    canned.delete()
    events.publish([events.CannedReplyChanged(site_id=site_id, canned=None, deleted_id=canned_id)])
    return site_id
