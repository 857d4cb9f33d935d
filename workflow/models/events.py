"""The accountability record (trách nhiệm từng bước): append-only, never edited or deleted."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Action(models.TextChoices):
    SUBMIT = "submit", _("Submitted online")
    RECEIVE = "receive", _("Received")
    GUIDE = "guide", _("Guidance to complete the dossier")
    REFUSE_RECEPTION = "refuse_reception", _("Reception refused")
    FORWARD = "forward", _("Forwarded")
    RETURN_PREVIOUS = "return_previous", _("Returned to the previous step")
    HANDOVER = "handover", _("Handed over to a colleague")
    REQUEST_SUPPLEMENT = "request_supplement", _("Supplement requested")
    RESUBMIT = "resubmit", _("Supplement submitted")
    REQUEST_PAYMENT = "request_payment", _("Payment requested")
    CONFIRM_PAYMENT = "confirm_payment", _("Payment confirmed")
    APOLOGIZE = "apologize", _("Apology and new appointment")
    STOP = "stop", _("Refused to resolve / stopped")
    WITHDRAW = "withdraw", _("Withdrawn at the applicant's request")
    RECORD_RESULT = "record_result", _("Result recorded")
    RETURN_RESULT = "return_result", _("Result returned")
    REASSIGN = "reassign", _("Reassigned")


class ImmutableRecordError(Exception):
    pass


class DossierEventQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise ImmutableRecordError("Dossier events cannot be changed.")

    def delete(self):
        raise ImmutableRecordError("Dossier events cannot be deleted.")


class DossierEvent(models.Model):
    dossier = models.ForeignKey("workflow.Dossier", on_delete=models.PROTECT, related_name="events")
    action = models.CharField(_("action"), max_length=20, choices=Action.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    actor_name = models.CharField(_("by"), max_length=255)
    actor_position = models.CharField(_("position"), max_length=150, blank=True)
    actor_agency = models.ForeignKey(
        "catalog.Agency", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField(_("at"))
    #: QT 18.2: an action outside working time takes effect at the start of the next working session; every clock
    #: and classification uses this moment, ``at`` keeps the real one.
    effective_at = models.DateTimeField(_("takes effect at"), null=True, blank=True)
    #: the processing due time right after this action (the deadlines a report needs, kept as values)
    due_at = models.DateTimeField(_("due at after this action"), null=True, blank=True)
    from_status = models.PositiveSmallIntegerField(null=True, blank=True)
    to_status = models.PositiveSmallIntegerField(null=True, blank=True)
    from_step = models.ForeignKey(
        "workflow.ProcessStep", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    to_step = models.ForeignKey(
        "workflow.ProcessStep", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    to_holder = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    step_used_minutes = models.PositiveIntegerField(_("working minutes used at the step"), null=True, blank=True)
    comment = models.TextField(_("comment"), blank=True)
    documents = models.ManyToManyField("workflow.DossierDocument", blank=True, related_name="events")
    data = models.JSONField(default=dict, blank=True)

    objects = DossierEventQuerySet.as_manager()

    class Meta:
        verbose_name = _("dossier event")
        verbose_name_plural = _("dossier events")
        ordering = ["at", "pk"]
        default_permissions = ("view",)

    def __str__(self):
        return f"{self.dossier_id} {self.get_action_display()} {self.at:%Y-%m-%d %H:%M}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ImmutableRecordError("Dossier events cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ImmutableRecordError("Dossier events cannot be deleted.")
