"""Parley's allauth adapter: its own email-verification stage, and no chatter about logging in and out."""

import logging
import smtplib
from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from django.http import HttpRequest

from server.limits.client_ip import request_client_ip

logger = logging.getLogger(__name__)

ALLAUTH_EMAIL_STAGE = "allauth.account.stages.EmailVerificationStage"
# Pages a person lands on after these say it already (the console, the login page): no flash message.
SILENT_MESSAGES = frozenset({"account/messages/logged_in.txt", "account/messages/logged_out.txt"})


class AccountAdapter(DefaultAccountAdapter):  # type: ignore[misc]
    """allauth's behaviour, with the differences docs/accounts.md lists."""

    def get_login_stages(self) -> list[str]:
        """allauth's stages, email verification only for accounts that claimed an address."""
        return [
            "server.accounts.stages.SignupEmailVerificationStage" if stage == ALLAUTH_EMAIL_STAGE else stage
            for stage in super().get_login_stages()
        ]

    def add_message(
        self,
        request: HttpRequest,
        level: int,
        message_template: str | None = None,
        message_context: dict[str, Any] | None = None,
        extra_tags: str = "",
        message: str | None = None,
    ) -> None:
        """allauth's flash messages, except "logged in" and "logged out"."""
        if message_template in SILENT_MESSAGES:
            return
        super().add_message(request, level, message_template, message_context, extra_tags, message)

    def get_client_ip(self, request: HttpRequest) -> str:
        """The client's IP as every other limit sees it (PARLEY_TRUSTED_PROXY_COUNT), for allauth's limits."""
        return request_client_ip(request)

    def send_mail(self, template_prefix: str, email: str, context: dict[str, Any]) -> None:
        """allauth's email; an SMTP server that is down or refuses is logged, never a 500 to the person
        signing up (the login sends a verification link again, a reset can be asked again)."""
        try:
            super().send_mail(template_prefix, email, context)
        except (OSError, smtplib.SMTPException):
            logger.exception("Could not send the %s email (EMAIL_HOST, EMAIL_PORT?)", template_prefix)
