"""What text can be stored: the rule every way in (sockets, HTTP, services) applies."""

# What a string must be to be stored: PostgreSQL text cannot hold NUL, and UTF-8 cannot encode a lone
# surrogate, which JSON can carry ("\ud800"). Either failed the whole batch a send came in.
STORABLE_EXPECTATION = "must be text without NUL characters or unpaired surrogates"


def is_storable_text(value: str) -> bool:
    """Whether a string can be stored and sent on as UTF-8 text on every database."""
    if "\x00" in value:
        return False
    if value.isascii():
        return True
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


# Page addresses and titles a visitor's browser reports (docs/console.md, "Agent tools").
MAX_URL_CHARS = 2000
MAX_PAGE_TITLE_CHARS = 300


def page_title_text(value: str) -> str:
    """A page title on one line, cut to MAX_PAGE_TITLE_CHARS (never refused: pages set what they like)."""
    return " ".join(value.split())[:MAX_PAGE_TITLE_CHARS]
