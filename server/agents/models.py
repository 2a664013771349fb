"""Persistent state of an agent's own: notification preferences and Web Push subscriptions."""

from django.conf import settings
from django.db import models

# The longest push service URL stored; real ones (FCM, Mozilla, Apple, Windows) are under 500 characters.
ENDPOINT_MAX_LENGTH = 1024


class NotificationPreferences(models.Model):
    """How one agent wants to be told about new work; an agent without a row has the defaults."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="notification_preferences",
    )
    desktop = models.BooleanField(
        default=True, help_text="Desktop notifications while the console is hidden."
    )
    push = models.BooleanField(default=False, help_text="Web Push while no console is open.")
    sound = models.BooleanField(default=False, help_text="A short sound with each notification.")
    title_count = models.BooleanField(default=True, help_text="The unread count in the tab title.")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "notification preferences"

    def __str__(self) -> str:
        return f"Notification preferences of user {self.user_id}"


class PushSubscription(models.Model):
    """One browser's Web Push subscription for an agent: where to post, and the keys to encrypt for."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="push_subscriptions"
    )
    # The push service's URL is a capability (whoever knows it can push to that browser): never logged.
    endpoint = models.CharField(max_length=ENDPOINT_MAX_LENGTH, unique=True)
    p256dh = models.CharField(max_length=100)
    auth = models.CharField(max_length=50)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["user", "created_at"], name="push_subscription_user")]

    def __str__(self) -> str:
        return f"Push subscription {self.pk} of user {self.user_id}"
