"""Login stages: which accounts must have verified their email address before they log in."""

from typing import Any

from allauth.account.models import EmailAddress
from allauth.account.stages import EmailVerificationStage


class SignupEmailVerificationStage(EmailVerificationStage):  # type: ignore[misc]
    """Mandatory verification for accounts that gave allauth an email address (sign-up, an email change).

    Accounts an administrator made (the admin, `createsuperuser`, `parley_demo`) have no address on record:
    nobody claimed an address there that could be unproven, so they log in as before.
    """

    def handle(self) -> tuple[Any, bool]:
        """Skip accounts with no address on record; the others (and a sign-up with a taken address, which
        has no user and answers as if it had worked) go through allauth's own check."""
        user = self.login.user
        if user is not None and not EmailAddress.objects.filter(user_id=user.pk).exists():
            return None, True
        response, proceed = super().handle()
        return response, proceed
