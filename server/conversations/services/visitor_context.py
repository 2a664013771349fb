"""What the widget tells of its visitor (page, title, referrer, time zone, language), checked and stored."""

import re
import uuid
from dataclasses import dataclass

from django.db import transaction

from server.conversations import events
from server.conversations.models import Visitor
from server.conversations.resume import without_resume_token
from server.conversations.text import MAX_URL_CHARS, is_storable_text, page_title_text

# IANA zone names ("America/Argentina/Buenos_Aires", "Etc/GMT+5") and BCP 47 language tags ("zh-Hant-TW").
_TIMEZONE = re.compile(r"[A-Za-z][A-Za-z0-9_+\-]*(/[A-Za-z0-9_+\-]+){0,2}")
_LANGUAGE = re.compile(r"[A-Za-z]{2,8}(-[A-Za-z0-9]{1,8}){0,4}")
MAX_TIMEZONE_CHARS = 64
MAX_LANGUAGE_CHARS = 35


@dataclass(frozen=True)
class VisitorContext:
    """A visitor's browser context, each part empty when it was missing or could not be stored."""

    page_title: str = ""
    referrer: str = ""
    timezone: str = ""
    language: str = ""


def known_context(context: VisitorContext | None) -> dict[str, str]:
    """The Visitor fields a context reports (referrer, time zone, language), leaving out the empty ones."""
    if context is None:
        return {}
    parts = {"referrer": context.referrer, "timezone": context.timezone, "language": context.language}
    return {field: value for field, value in parts.items() if value}


def check_http_url(*, value: object) -> str:
    """An http(s) URL that can be stored, cut to its limit; empty for anything else (never refused)."""
    if not isinstance(value, str) or not value.startswith(("http://", "https://")):
        return ""
    if not is_storable_text(value):
        return ""
    return without_resume_token(value)[:MAX_URL_CHARS]


def check_page_title(*, value: object) -> str:
    """A page title on one line, cut to its limit; empty when it cannot be stored."""
    if not isinstance(value, str) or not is_storable_text(value):
        return ""
    return page_title_text(value)


def check_visitor_context(
    *, page_title: object, referrer: object, timezone: object, language: object
) -> VisitorContext:
    """The context a session request reports, each part dropped (empty) unless well-formed."""
    zone = timezone if isinstance(timezone, str) and len(timezone) <= MAX_TIMEZONE_CHARS else ""
    tag = language if isinstance(language, str) and len(language) <= MAX_LANGUAGE_CHARS else ""
    return VisitorContext(
        page_title=check_page_title(value=page_title),
        referrer=check_http_url(value=referrer),
        timezone=zone if _TIMEZONE.fullmatch(zone) else "",
        language=tag if _LANGUAGE.fullmatch(tag) else "",
    )


@transaction.atomic
def do_record_page(
    *,
    site_id: int,
    visitor_id: uuid.UUID,
    url: str,
    title: str,
    context: VisitorContext | None = None,
    announce: bool = False,
) -> bool:
    """Store the visitor's current page (and the non-empty parts of `context`) and tell the site's agents;
    no write when nothing changed, and no announcement either unless `announce`.

    `url` and `title` come checked by the protocol (fields.PageUrl, fields.PageTitle), `context` by
    check_visitor_context. A socket's first page announces itself: a page load stored its address with the
    session and hello, which tell no one. Returns whether anything changed.
    """
    fields = {"last_page_url": url, "last_page_title": title}
    if context is not None:
        fields.update(
            {
                part: getattr(context, part)
                for part in ("referrer", "timezone", "language")
                if getattr(context, part)
            }
        )
    changed = Visitor.objects.filter(pk=visitor_id, site_id=site_id).exclude(**fields).update(**fields)
    if changed or (announce and Visitor.objects.filter(pk=visitor_id, site_id=site_id).exists()):
        events.publish(
            [events.VisitorPageChanged(site_id=site_id, visitor_id=visitor_id, url=url, title=title)]
        )
    return bool(changed)
