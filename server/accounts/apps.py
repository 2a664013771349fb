"""The accounts app: allauth's adapter, login stages and Parley-styled templates."""

from django.apps import AppConfig


class AccountsConfig(AppConfig):
    """Parley's side of django-allauth (docs/accounts.md)."""

    name = "server.accounts"
    label = "parley_accounts"
    verbose_name = "Accounts"
