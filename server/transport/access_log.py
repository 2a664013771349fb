"""Daphne's access log without query strings: a token a client put in a URL never reaches a log line.

The widget and the console never put a secret in a URL, but a careless or hostile client may
(`?visitor_token=…`); daphne's access log would print it with the path.
"""

from collections.abc import Callable, Mapping
from typing import Any

ActionLogger = Callable[[str, str, Mapping[str, Any]], None]


def without_query(details: Mapping[str, Any]) -> dict[str, Any]:
    """An access log entry's details with the query string (and fragment) cut from its path."""
    cut = dict(details)
    path = cut.get("path")
    if isinstance(path, str):
        cut["path"] = path.split("?", 1)[0].split("#", 1)[0]
    return cut


def query_free(action_logger: ActionLogger) -> ActionLogger:
    """An action logger that passes entries on without their query strings."""

    def log(protocol: str, action: str, details: Mapping[str, Any]) -> None:
        action_logger(protocol, action, without_query(details))

    return log
