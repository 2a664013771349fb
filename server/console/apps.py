"""Django app configuration for the agent console."""

from django.apps import AppConfig


class AgentConsoleConfig(AppConfig):
    """The agent console: login page and the live inbox/thread page at /console/."""

    name = "server.console"
    # The same name as its templates, static files and URL namespace (`agent_console/...`).
    label = "agent_console"
    verbose_name = "Agent console"
