"""Online payments of fees (DESIGN §5.6; QN 13.3b-c, QN 14; AG 31.7): one row per attempt with a provider, and the
append-only log of everything providers sent us."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from workflow.models.snapshots import AppendOnly


class PaymentStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for the provider")
    PAID = "paid", _("Paid")
    FAILED = "failed", _("Failed or declined")
    CANCELLED = "cancelled", _("Cancelled by the payer")


class Payment(models.Model):
    """One payment attempt of a dossier's requested fees through one provider. ``reference`` is ours (sent to the
    provider, unique); the amount is an integer number of đồng."""

    dossier = models.ForeignKey(
        "workflow.Dossier", verbose_name=_("dossier"), on_delete=models.PROTECT, related_name="payments"
    )
    agency = models.ForeignKey("catalog.Agency", verbose_name=_("agency"), on_delete=models.PROTECT, related_name="+")
    provider = models.CharField(_("provider"), max_length=30)
    reference = models.CharField(_("payment reference"), max_length=40, unique=True)
    amount = models.PositiveBigIntegerField(_("amount (VND)"))
    currency = models.CharField(_("currency"), max_length=3, default="VND")
    status = models.CharField(
        _("status"), max_length=10, choices=PaymentStatus.choices, default=PaymentStatus.PENDING, db_index=True
    )
    provider_reference = models.CharField(_("provider's transaction number"), max_length=100, blank=True)
    created_at = models.DateTimeField(_("started at"), auto_now_add=True)
    settled_at = models.DateTimeField(_("settled at"), null=True, blank=True)
    receipt_number = models.CharField(_("e-receipt number"), max_length=30, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("started by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("payment")
        verbose_name_plural = _("payments")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["dossier", "status"]), models.Index(fields=["agency", "settled_at"])]

    def __str__(self):
        return f"{self.reference} ({self.amount:,} VND, {self.get_status_display()})".replace(",", ".")


class ReceiptCounter(models.Model):
    """The last e-receipt number of an agency's series for a year (biên lai điện tử, numbered per agency)."""

    agency = models.ForeignKey("catalog.Agency", on_delete=models.CASCADE, related_name="+")
    year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["agency", "year"], name="payments_receipt_series")]

    def __str__(self):
        return f"{self.agency_id}/{self.year}: {self.last}"


class CallbackOutcome(models.TextChoices):
    ACCEPTED = "accepted", _("Accepted: payment recorded")
    DECLINED = "declined", _("Accepted: the payment failed or was cancelled")
    PENDING = "pending", _("The provider has not decided yet")
    DUPLICATE = "duplicate", _("Already recorded (repeated)")
    FORGED = "forged", _("Refused: the signature does not match")
    UNKNOWN = "unknown", _("Refused: unknown payment reference")
    MISMATCH = "mismatch", _("Refused: amount or currency differs")
    ERROR = "error", _("Error while handling")


class PaymentCallback(AppendOnly):
    """Every message a provider sent (return, server notification, status query), with what we made of it.
    Never changed or deleted: the record of disputes and of forged attempts."""

    provider = models.CharField(_("provider"), max_length=30)
    kind = models.CharField(_("kind"), max_length=10)  # return | notify | query
    received_at = models.DateTimeField(_("received at"), auto_now_add=True, db_index=True)
    payload = models.JSONField(_("what was sent"))
    reference = models.CharField(_("payment reference"), max_length=40, blank=True, db_index=True)
    outcome = models.CharField(_("outcome"), max_length=10, choices=CallbackOutcome.choices)
    detail = models.CharField(_("detail"), max_length=255, blank=True)
    payment = models.ForeignKey(
        Payment, verbose_name=_("payment"), null=True, blank=True, on_delete=models.PROTECT, related_name="callbacks"
    )

    class Meta:
        verbose_name = _("payment callback")
        verbose_name_plural = _("payment callbacks")
        ordering = ["-received_at", "-pk"]

    def __str__(self):
        return f"{self.provider} {self.kind} {self.reference} ({self.get_outcome_display()})"


class RefundReason(models.TextChoices):
    NOT_DELIVERED = "not_delivered", _("The agency did not deliver the result (QN 13.3c)")
    PAID_TWICE = "paid_twice", _("Paid twice")
    OVERPAID = "overpaid", _("Paid more than was due")


class RefundStatus(models.TextChoices):
    REQUESTED = "requested", _("Requested")
    REFUNDED = "refunded", _("Refunded")
    REJECTED = "rejected", _("Rejected")


class Refund(models.Model):
    """Money given back from a paid payment, approved by the unit; through the provider when it can, otherwise
    recorded as paid back by hand. A refund has its own e-receipt number in the agency's series."""

    payment = models.ForeignKey(Payment, verbose_name=_("payment"), on_delete=models.PROTECT, related_name="refunds")
    amount = models.PositiveBigIntegerField(_("amount (VND)"))
    reason = models.CharField(_("reason"), max_length=20, choices=RefundReason.choices)
    note = models.CharField(_("note"), max_length=500, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=RefundStatus.choices, default=RefundStatus.REQUESTED, db_index=True
    )
    requested_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("requested by"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("decided by"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    manual = models.BooleanField(_("paid back by hand"), default=False)
    provider_reference = models.CharField(_("provider's refund number"), max_length=100, blank=True)
    receipt_number = models.CharField(_("e-receipt number"), max_length=30, blank=True)

    class Meta:
        verbose_name = _("refund")
        verbose_name_plural = _("refunds")
        ordering = ["-requested_at", "-pk"]

    def __str__(self):
        return f"{self.payment.reference} −{self.amount} ({self.get_status_display()})"
