"""Which language's panel a visitor gets (docs/widget.md, "Languages")."""

from django.utils.translation.trans_real import parse_accept_lang_header

# The widget's languages, each built as frontend/dist/panel-<code>.js.
WIDGET_LOCALES = ("en", "fr", "es", "ar")


def _supported(tag: str) -> str | None:
    """The widget language a BCP 47 tag names ('fr-CA' → 'fr'), or None."""
    code = tag.split("-")[0].lower()
    return code if code in WIDGET_LOCALES else None


def panel_locale(*, asked: str, accept_language: str) -> str:
    """`asked` (the page's setLocale, else the site's language) when the widget has it, else the first of
    the browser's languages it has (Accept-Language, what navigator.languages lists), else English."""
    chosen = _supported(asked)
    if chosen:
        return chosen
    for tag, _weight in parse_accept_lang_header(accept_language[:500]):
        chosen = _supported(tag)
        if chosen:
            return chosen
    return "en"
