"""Channel-layer group names: the only place they are spelled out."""

import uuid


def visitor_group(visitor_id: uuid.UUID) -> str:
    """All sockets of one visitor (one per tab)."""
    return f"visitor.{visitor_id.hex}"


def site_agents_group(site_id: int) -> str:
    """The agent sockets of one site, for inbox updates."""
    return f"site-agents.{site_id}"


def agent_group(user_id: int) -> str:
    """All sockets of one agent, for personal notifications."""
    return f"agent.{user_id}"


def site_visitors_group(site_id: int) -> str:
    """The visitor sockets of one site, for the team's availability."""
    return f"site-visitors.{site_id}"


def conversation_agents_group(conversation_id: uuid.UUID) -> str:
    """The agent sockets following one conversation (joined on open), for typing and the visitor's reads.

    Its own group rather than the site's: a visitor typing then reaches only the consoles that show that
    conversation, instead of every agent socket of the site deciding to drop it.
    """
    return f"conversation-agents.{conversation_id.hex}"
