"""Outbox of applicant notifications: written in the action's transaction, sent by huey, sent once."""
from django.db import models
from django.utils.translation import gettext_lazy as _


class NotificationChannel(models.TextChoices):
    EMAIL = "email", _("E-mail")
    SMS = "sms", _("SMS")


class Notification(models.Model):
    dossier = models.ForeignKey("workflow.Dossier", null=True, blank=True, on_delete=models.CASCADE,
                                related_name="notifications")
    channel = models.CharField(max_length=5, choices=NotificationChannel.choices)
    recipient = models.CharField(max_length=255)
    kind = models.CharField(max_length=40)
    subject = models.CharField(max_length=255, blank=True)
    body = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["sent_at", "created_at"])]

    def __str__(self):
        return f"{self.kind} → {self.recipient}"
