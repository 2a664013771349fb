"""Django app configuration for the agent console."""

from django.apps import AppConfig


class AgentConsoleConfig(AppConfig):
    """The agent console: login page and the live inbox/thread page at /console/."""

    name = "agent_console"
    verbose_name = "Agent console"
    default_auto_field = "django.db.models.BigAutoField"
