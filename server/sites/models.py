"""Sites that embed the widget, and their agents."""

import secrets

from django.conf import settings
from django.db import models


def new_site_key() -> str:
    """Return an unguessable public key for a site's embed code."""
    return secrets.token_urlsafe(18)


def new_identity_secret() -> str:
    """Return a new secret for identity verification (the site's server signs its users' ids with it)."""
    return secrets.token_urlsafe(32)


class Site(models.Model):
    """A website that embeds the widget; its public key goes in the embed code."""

    class Position(models.TextChoices):
        RIGHT = "right", "Bottom right"
        LEFT = "left", "Bottom left"

    class Language(models.TextChoices):
        BROWSER = "", "The visitor's browser language"
        ENGLISH = "en", "English"
        FRENCH = "fr", "Français"
        SPANISH = "es", "Español"
        ARABIC = "ar", "العربية"

    public_key = models.CharField(max_length=64, unique=True, default=new_site_key, editable=False)
    name = models.CharField(max_length=120)
    allowed_origins = models.TextField(
        blank=True,
        help_text=(
            "One origin per line: https://shop.example.com (scheme, host and port, no path), or "
            "https://*.example.com for every subdomain of example.com."
        ),
    )
    widget_color = models.CharField(max_length=7, default="#4f46e5", help_text="Hex colour, e.g. #4f46e5.")
    widget_greeting = models.CharField(max_length=200, default="Hi! How can we help?")
    widget_position = models.CharField(max_length=5, choices=Position.choices, default=Position.RIGHT)
    widget_launcher_text = models.CharField(
        max_length=40,
        blank=True,
        default="",
        help_text="Shown beside the launcher's icon; empty for the icon alone.",
    )
    widget_away_message = models.CharField(
        max_length=300,
        default="We're away right now. Leave your email and we'll reply here and by email.",
        help_text="Shown when no agent is online or outside business hours.",
    )
    widget_language = models.CharField(
        max_length=5,
        blank=True,
        default=Language.BROWSER,
        choices=Language.choices,
        help_text="The widget's language unless the page sets one (Parley('setLocale', ...)).",
    )
    ask_email_first = models.BooleanField(
        default=False, help_text="Ask for the visitor's email before their first message."
    )
    # [{"day": 0..6 (Monday first), "start": "09:00", "end": "17:30"}, ...] in business_timezone;
    # empty means always open (server/sites/hours.py).
    business_hours = models.JSONField(default=list, blank=True)
    business_timezone = models.CharField(max_length=64, default="UTC")
    # Identity verification (docs/identity.md): the secret the site's server signs user ids or JWTs with.
    # After a rotation the previous secret is still accepted for PARLEY_IDENTITY_SECRET_OVERLAP_SECONDS.
    identity_secret = models.CharField(max_length=64, default=new_identity_secret, editable=False)
    identity_secret_previous = models.CharField(max_length=64, blank=True, default="", editable=False)
    identity_secret_rotated_at = models.DateTimeField(null=True, blank=True, editable=False)
    identity_required = models.BooleanField(
        default=False,
        help_text="An identity without a valid user_hash or token is refused; the widget stays anonymous.",
    )
    members = models.ManyToManyField(  # type: ignore[var-annotated]
        settings.AUTH_USER_MODEL, through="SiteMembership", related_name="parley_sites"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        # The tables keep the names they were created with: the model moved apps, its data did not.
        db_table = "chat_site"

    def __str__(self) -> str:
        return self.name

    def allowed_origin_list(self) -> list[str]:
        """The normalised allowed origins, one per non-empty line."""
        return [line.strip() for line in self.allowed_origins.splitlines() if line.strip()]


class SiteMembership(models.Model):
    """An agent's membership of a site, with a role."""

    class Role(models.TextChoices):
        OWNER = "owner", "Owner"
        AGENT = "agent", "Agent"

    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="site_memberships"
    )
    role = models.CharField(max_length=10, choices=Role.choices, default=Role.AGENT)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "chat_sitemembership"
        constraints = [models.UniqueConstraint(fields=["site", "user"], name="unique_site_membership")]

    def __str__(self) -> str:
        return f"{self.user} ({self.role}) on {self.site}"


class OriginSighting(models.Model):
    """A page origin the widget asked for its site's settings from: allowed (the installation works there)
    or refused (a page the owner may have forgotten to allow). Kept for the site's installation check."""

    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="origin_sightings")
    origin = models.CharField(max_length=300)
    allowed = models.BooleanField()
    first_seen_at = models.DateTimeField()
    last_seen_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["site", "origin"], name="unique_origin_sighting")]
        indexes = [models.Index(fields=["site", "allowed", "-last_seen_at"], name="sighting_by_site_recent")]

    def __str__(self) -> str:
        return f"{self.origin} ({'allowed' if self.allowed else 'refused'}) on {self.site}"


class Invitation(models.Model):
    """An owner's invitation to join a site with a role, sent by email; its link is signed
    (server/sites/team.py) and works once, until it expires or is revoked."""

    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField(max_length=254)
    role = models.CharField(
        max_length=10, choices=SiteMembership.Role.choices, default=SiteMembership.Role.AGENT
    )
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    accepted_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["site", "-created_at"], name="invitation_by_site_recent")]

    def __str__(self) -> str:
        return f"{self.email} ({self.role}) to {self.site}"
