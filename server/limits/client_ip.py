"""The client IP of a request (stand-in: the limits helper's version, with trusted proxies, replaces it)."""

from django.http import HttpRequest


def request_client_ip(request: HttpRequest) -> str:
    """The address the request came from."""
    return str(request.META.get("REMOTE_ADDR", ""))
