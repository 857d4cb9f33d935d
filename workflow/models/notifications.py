"""Outbox of notifications: written in the action's transaction, sent by huey (see workflow/notifications/outbox.py).

A row is *pending* (not sent, not claimed), *sending* (claimed by a worker until ``claimed_until``) or *sent*
(``sent_at``). A worker killed mid-send leaves its claim behind; it lapses at ``claimed_until`` and the periodic
sweep queues the row again.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class NotificationChannel(models.TextChoices):
    EMAIL = "email", _("E-mail")
    SMS = "sms", _("SMS")


class Notification(models.Model):
    dossier = models.ForeignKey(
        "workflow.Dossier", null=True, blank=True, on_delete=models.CASCADE, related_name="notifications"
    )
    channel = models.CharField(max_length=5, choices=NotificationChannel.choices)
    recipient = models.CharField(max_length=255)
    kind = models.CharField(max_length=40)
    subject = models.CharField(max_length=255, blank=True)
    body = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    # The send in progress: which worker's claim (token) and until when it holds (lease).
    claimed_until = models.DateTimeField(null=True, blank=True)
    claim_token = models.UUIDField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["sent_at", "created_at"])]

    def __str__(self):
        return f"{self.kind} → {self.recipient}"

    @property
    def state(self):
        """``"sent"``, ``"sending"`` (a worker's claim has not lapsed) or ``"pending"``."""
        from django.utils import timezone

        if self.sent_at:
            return "sent"
        if self.claimed_until and self.claimed_until > timezone.now():
            return "sending"
        return "pending"

    @property
    def idempotency_key(self):
        """Stable for every attempt at this message: sent as the e-mail's Message-ID, so a copy delivered twice
        (the worker died between the hand-over and the "sent" mark) has the same id as the first."""
        return f"tthc-notification-{self.pk}-{self.created_at:%Y%m%d%H%M%S%f}"
