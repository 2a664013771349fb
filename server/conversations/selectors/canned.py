"""Reads of canned replies, with the permission rule (rules.py)."""

from server.conversations import rules
from server.conversations.models import CannedReply


def agent_canned_replies(*, user_id: int) -> list[CannedReply]:
    """The canned replies of the agent's sites, by site and shortcut."""
    return list(
        CannedReply.objects.filter(site__in=rules.agent_site_ids(user_id=user_id)).order_by(
            "site_id", "shortcut"
        )
    )
