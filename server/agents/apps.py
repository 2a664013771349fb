"""Django app configuration for agents' own settings."""

from django.apps import AppConfig


class AgentsConfig(AppConfig):
    """Agents' notification preferences and the browsers they receive Web Push on."""

    name = "server.agents"
    label = "agents"
    verbose_name = "Agent settings"
