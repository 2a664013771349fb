"""Browser and operating system from a User-Agent header (ua-parser), each distinct header parsed once."""

from functools import lru_cache

import ua_parser

# Distinct User-Agent strings kept parsed; real traffic repeats a few hundred of them.
PARSED_USER_AGENTS_MAX = 1024


@lru_cache(maxsize=PARSED_USER_AGENTS_MAX)
def browser_and_os(user_agent: str) -> tuple[str, str]:
    """("Chrome 120", "Windows 10") from a User-Agent; empty strings for what it does not tell.

    The first parse of a process loads ua-parser's rules (about half a second): never on the event loop.
    """
    if not user_agent:
        return "", ""
    parsed = ua_parser.parse(user_agent)
    browser = ""
    if parsed.user_agent is not None and parsed.user_agent.family != "Other":
        browser = " ".join(filter(None, [parsed.user_agent.family, parsed.user_agent.major]))
    system = ""
    if parsed.os is not None and parsed.os.family != "Other":
        system = " ".join(filter(None, [parsed.os.family, parsed.os.major]))
    return browser, system
