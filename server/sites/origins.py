"""Origins: how an allowed origin is written, and whether a browser's `Origin` is one a site allows.

One set of rules for every way in (the admin, the owner's forms, the demo, the sockets and CORS):

- an exact origin, `https://shop.example.com` or `http://localhost:8000`, serialised as browsers send it
  (RFC 6454: lower-case scheme and host, no default port, an international host in punycode);
- `https://*.example.com` (a port may follow) for every subdomain of `example.com` at any depth, not
  `example.com` itself, which is allowed by a line of its own. A wildcard needs a domain of two labels
  or more (`https://*.com` is refused) and never covers an IP address.

A browser's `Origin` is matched as sent: it is already serialised, so anything else (a path, userinfo,
another case, `null`) matches nothing.
"""

import functools
import ipaddress
import re
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings

from server.errors import ParleyError

# Ports a browser leaves out of an Origin (RFC 6454 §6.1: the scheme's default port is not serialised).
DEFAULT_PORTS = {"http": 80, "https": 443}
WILDCARD = "*."
_WILDCARD_ORIGIN = re.compile(r"(?P<scheme>[A-Za-z]+)://\*\.(?P<rest>.+)")
# What may stand for `*` in a matched origin: one or more DNS labels.
_SUBDOMAINS = re.compile(r"(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)*[a-z0-9](?:[a-z0-9-]*[a-z0-9])?")
_EXAMPLE = "https://shop.example.com, or https://*.example.com for its subdomains"


def serialized_origin(origin: str) -> str | None:
    """An origin as browsers send it (RFC 6454: lower-case scheme and host, no default port, punycode), or
    None when `origin` is not a bare scheme://host[:port]."""
    try:
        parts = urlsplit(origin.strip())
        port = parts.port
    except ValueError:
        return None
    scheme, host = parts.scheme.lower(), (parts.hostname or "")
    if (
        scheme not in DEFAULT_PORTS
        or not host
        or "*" in host
        or parts.username is not None
        or parts.password is not None
        or parts.path not in ("", "/")
        or parts.query
        or parts.fragment
    ):
        return None
    if not host.isascii():
        try:
            host = host.encode("idna").decode("ascii")
        except UnicodeError:
            return None
    if ":" in host:
        host = f"[{host}]"
    suffix = "" if port is None or port == DEFAULT_PORTS[scheme] else f":{port}"
    return f"{scheme}://{host}{suffix}"


def check_allowed_origin(*, origin: str) -> str:
    """One allowed origin, normalised (exact, or `scheme://*.domain[:port]`), or raise `invalid_field`."""
    text = origin.strip()
    wildcard = _WILDCARD_ORIGIN.fullmatch(text)
    serialized = serialized_origin(f"{wildcard['scheme']}://{wildcard['rest']}" if wildcard else text)
    if serialized is None:
        raise ParleyError("invalid_field", f"'{text[:100]}' is not an origin like {_EXAMPLE}.")
    if wildcard is None:
        return serialized
    host = urlsplit(serialized).hostname or ""
    if _is_ip_address(host) or "." not in host:
        raise ParleyError(
            "invalid_field",
            f"'{text[:100]}' is too wide: a wildcard covers the subdomains of a domain like example.com.",
        )
    scheme, rest = serialized.split("://", 1)
    return f"{scheme}://{WILDCARD}{rest}"


def check_allowed_origins(*, origins: Iterable[str]) -> list[str]:
    """A list of allowed origins, each normalised, blanks and duplicates dropped, at most
    PARLEY_SITE_ORIGINS_MAX of them; or raise `invalid_field`."""
    normalised: list[str] = []
    for origin in origins:
        if origin.strip():
            value = check_allowed_origin(origin=origin)
            if value not in normalised:
                normalised.append(value)
    most = settings.PARLEY_SITE_ORIGINS_MAX
    if len(normalised) > most:
        raise ParleyError("invalid_field", f"A site allows {most} origins at most.")
    return normalised


@dataclass(frozen=True)
class OriginRules:
    """A site's allowed origins, ready to match a browser's `Origin`."""

    exact: frozenset[str]
    # (scheme + "://", "." + domain + port suffix) of each wildcard.
    wildcards: tuple[tuple[str, str], ...]

    def allows(self, origin: str | None) -> bool:
        """Whether a browser's `Origin` header, as sent, is one of these origins."""
        if not origin:
            return False
        if origin in self.exact:
            return True
        for prefix, suffix in self.wildcards:
            if origin.startswith(prefix) and origin.endswith(suffix):
                subdomains = origin[len(prefix) : len(origin) - len(suffix)]
                if _SUBDOMAINS.fullmatch(subdomains):
                    return True
        return False


NO_ORIGINS = OriginRules(exact=frozenset(), wildcards=())


@functools.lru_cache(maxsize=1024)
def origin_rules(stored: str) -> OriginRules:
    """The rules of a site's stored `allowed_origins` (one per line). A line stored before these rules is
    normalised again; one that is no longer valid allows nothing."""
    exact: set[str] = set()
    wildcards: list[tuple[str, str]] = []
    for line in stored.splitlines():
        if not line.strip():
            continue
        try:
            origin = check_allowed_origin(origin=line)
        except ParleyError:
            continue
        scheme, rest = origin.split("://", 1)
        if rest.startswith(WILDCARD):
            wildcards.append((f"{scheme}://", rest[len(WILDCARD) - 1 :]))
        else:
            exact.add(origin)
    return OriginRules(exact=frozenset(exact), wildcards=tuple(wildcards))


def _is_ip_address(host: str) -> bool:
    try:
        ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return False
    return True
