"""Daily reconciliation of online payments per agency against the provider's statement (AG 31.7; issue 18 item 6).

A ``Statement`` is one file a provider sent for one agency and one day, kept with its lines as read; a
``Discrepancy`` is one difference the reconciliation found, open until an official resolves it with a note.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from catalog.officials.scoping import ALL, acting_agency_ids, visible_agency_ids


class UnitScopedQuerySet(models.QuerySet):
    """Scoping (DESIGN §10): a unit's officials see their own agency's rows, supervisors every agency's."""

    def visible_to(self, user):
        ids = visible_agency_ids(user)
        return self if ids is ALL else self.filter(agency_id__in=ids)

    def actable_by(self, user):
        """The rows ``user`` may change: their own unit's (supervisors watch, they do not act; TN 8.2)."""
        ids = acting_agency_ids(user)
        return self if ids is ALL else self.filter(agency_id__in=ids)


class Statement(models.Model):
    """One provider's statement of one agency's payments on one day, as imported (one per agency, provider, day)."""

    agency = models.ForeignKey("catalog.Agency", verbose_name=_("agency"), on_delete=models.PROTECT, related_name="+")
    provider = models.CharField(_("provider"), max_length=30)
    day = models.DateField(_("day"))
    imported_at = models.DateTimeField(_("imported at"), auto_now_add=True)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("imported by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    file_name = models.CharField(_("file name"), max_length=255)
    row_count = models.PositiveIntegerField(_("rows"), default=0)

    objects = UnitScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("payment statement")
        verbose_name_plural = _("payment statements")
        ordering = ["-day", "agency_id", "provider"]
        constraints = [
            models.UniqueConstraint(fields=["agency", "provider", "day"], name="statement_one_per_agency_provider_day")
        ]

    def __str__(self):
        return f"{self.provider} {self.day:%d/%m/%Y} ({self.file_name})"


class StatementLine(models.Model):
    """One row of a statement: our payment reference, the provider's transaction number, the amount, the time."""

    statement = models.ForeignKey(
        Statement, verbose_name=_("statement"), on_delete=models.CASCADE, related_name="lines"
    )
    row = models.PositiveIntegerField(_("row"))
    reference = models.CharField(_("payment reference"), max_length=40, db_index=True)
    provider_reference = models.CharField(_("provider's transaction number"), max_length=100, blank=True)
    amount = models.PositiveBigIntegerField(_("amount (VND)"))
    paid_at = models.DateTimeField(_("paid at"), null=True, blank=True)
    raw = models.JSONField(_("row as read"), default=dict)

    class Meta:
        verbose_name = _("statement line")
        verbose_name_plural = _("statement lines")
        ordering = ["statement_id", "row"]

    def __str__(self):
        return f"{self.reference} {self.amount}"


class DiscrepancyKind(models.TextChoices):
    MISSING_OURS = "missing_ours", _("On the statement, not paid on our side")
    MISSING_THEIRS = "missing_theirs", _("Paid on our side, not on the statement")
    AMOUNT_DIFFERS = "amount_differs", _("The amounts differ")


class Discrepancy(models.Model):
    """One difference between our paid payments and the statements of an agency's day; open until resolved."""

    agency = models.ForeignKey("catalog.Agency", verbose_name=_("agency"), on_delete=models.PROTECT, related_name="+")
    day = models.DateField(_("day"))
    kind = models.CharField(_("kind"), max_length=20, choices=DiscrepancyKind.choices)
    reference = models.CharField(_("payment reference"), max_length=40)
    payment = models.ForeignKey(
        "workflow.Payment",
        verbose_name=_("payment"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="discrepancies",
    )
    line = models.ForeignKey(
        StatementLine,
        verbose_name=_("statement line"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="discrepancies",
    )
    our_amount = models.PositiveBigIntegerField(_("our amount (VND)"), null=True, blank=True)
    their_amount = models.PositiveBigIntegerField(_("statement amount (VND)"), null=True, blank=True)
    created_at = models.DateTimeField(_("found at"), auto_now_add=True)
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("resolved by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    resolution_note = models.TextField(_("resolution note"), blank=True)

    objects = UnitScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("payment discrepancy")
        verbose_name_plural = _("payment discrepancies")
        ordering = [models.F("resolved_at").asc(nulls_first=True), "-day", "pk"]
        indexes = [models.Index(fields=["agency", "day"])]
        constraints = [
            models.UniqueConstraint(
                fields=["agency", "day", "kind", "reference"],
                condition=models.Q(resolved_at__isnull=True),
                name="discrepancy_one_open_per_reference",
            )
        ]

    def __str__(self):
        return f"{self.day:%d/%m/%Y} {self.reference} ({self.get_kind_display()})"

    @property
    def is_open(self) -> bool:
        return self.resolved_at is None
