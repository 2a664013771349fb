"""Who may act on what: an active agent acts on the conversations of the agent's sites, and on no other.

Defined once, as a query: the ORM selectors filter by it (selectors/inbox.py) and the statement that
starts an agent's send (store/statements.py) is compiled from it, so the two cannot drift apart.
"""

from functools import cache
from typing import Any

from django.db.models import Q, QuerySet

from server.sites.models import SiteMembership


def agent_site_ids(*, user_id: int) -> QuerySet[SiteMembership, Any]:
    """The ids of the agent's sites, as a subquery (`site` of each membership, while the user is active)."""
    # Checked on every frame, not only at connect: a deactivated agent's open socket acts on nothing. The
    # join to the user's row keeps it one statement.
    return SiteMembership.objects.filter(user_id=user_id, user__is_active=True).values("site")


def agent_conversations(*, user_id: int) -> Q:
    """A filter of Conversation: those of the agent's sites."""
    return Q(site__in=agent_site_ids(user_id=user_id))


# A user id no one has: the stand-in the compiled subquery is checked to carry as its only parameter.
_PLACEHOLDER_USER_ID = -4242


@cache
def agent_conversations_sql(*, site_column: str, vendor: str) -> str:
    """SQL: `site_column IN (…)`, agent_conversations as hand-written SQL; its one parameter is the agent's
    user id. (`vendor` keys the cache: the text is compiled for the default connection's.)"""
    subquery, params = agent_site_ids(user_id=_PLACEHOLDER_USER_ID).query.sql_with_params()
    if tuple(params) != (_PLACEHOLDER_USER_ID,):
        raise AssertionError(f"the agent's rule compiled with parameters {params!r}")
    return f"{site_column} IN ({subquery})"
