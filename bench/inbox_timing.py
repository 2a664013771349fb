"""Server time of the inbox's reads on a seeded database, measured inside a Django process.

Run by bench.inbox through `manage.py shell`: each read is what a frame's handler runs (the selector,
the frame built and encoded), repeated, and its p50/p95 printed as one JSON line.
"""

import json
import time
from collections.abc import Callable
from typing import Any

from django.contrib.auth.models import User

from bench.common import percentile
from server.conversations.selectors.inbox_counts import inbox_counts
from server.conversations.selectors.inbox_views import VIEWS, InboxQuery, inbox_page
from server.realtime import replies
from server.realtime.consumers.agent import ready_data
from server.realtime.gateway import encode_frame

# Searches: a common word's prefix, a rare order number, a visitor's email, two words together.
SEARCHES = {
    "common prefix 'refu'": "refu",
    "order number": "Q12345",
    "visitor email": "customer1234@",
    "two words": "refund late",
}


def timed(read: Callable[[], Any], *, repeats: int) -> dict[str, float | None]:
    """p50 and p95 of `repeats` runs of `read`, in ms, after two unmeasured ones (plans and caches warm)."""
    for _ in range(2):
        read()
    samples = []
    for _ in range(repeats):
        started = time.perf_counter()
        read()
        samples.append((time.perf_counter() - started) * 1000)
    samples.sort()
    return {"p50_ms": percentile(samples, 0.5, digits=2), "p95_ms": percentile(samples, 0.95, digits=2)}


def page(user_id: int, query: InboxQuery) -> Callable[[], str]:
    """An inbox.query's handler: the page read, its frame built and encoded."""
    return lambda: encode_frame(replies.inbox_page_frame(inbox_page(user_id=user_id, query=query)))


def ready_frame(user: User) -> Any:
    """The agent socket's `ready`, read as the socket reads it (presence aside: it is not the database's)."""
    data = ready_data(user=user)
    return replies.agent_ready_frame(
        data.inbox, agents=data.agents, presence={}, preferences=data.preferences, canned=data.canned
    )


def main(*, username: str, repeats: int) -> None:
    """Print {read: {p50_ms, p95_ms}} for every read of the inbox, as one JSON line."""
    user = User.objects.get(username=username)
    user_id = int(user.pk)
    first_open = inbox_page(user_id=user_id, query=InboxQuery(view="open"))
    reads: dict[str, Callable[[], Any]] = {
        f"view {view}": page(user_id, InboxQuery(view=view)) for view in VIEWS
    }
    reads["view open, second page"] = page(user_id, InboxQuery(view="open", before=first_open.next))
    reads["counts"] = lambda: inbox_counts(user_id=user_id)
    reads["ready (first page and counts)"] = lambda: encode_frame(ready_frame(user))
    for name, text in SEARCHES.items():
        reads[f"search {name}"] = page(user_id, InboxQuery(view="open", search=text))
        reads[f"search {name}, resolved"] = page(user_id, InboxQuery(view="resolved", search=text))
    print(json.dumps({name: timed(read, repeats=repeats) for name, read in reads.items()}))
