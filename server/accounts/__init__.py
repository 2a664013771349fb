"""Accounts: sign-up, email verification, log-in, password reset and TOTP through django-allauth."""
