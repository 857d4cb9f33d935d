"""The monthly list of agencies and officials late in handling dossiers (AG 32.10, BN 16.9).

Computed from the report engine for a closed month and published on the
public site; the entries are the list as published and are never replaced (a
later recomputation that differs is a revision, workflow/reports/snapshots.py).
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class LateListKind(models.TextChoices):
    AGENCY = "agency", _("Agency")
    OFFICIAL = "official", _("Official")


class LateList(models.Model):
    month = models.DateField(_("month"), unique=True, help_text=_("The first day of the month."))
    computed_at = models.DateTimeField(_("computed at"))
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    agencies_total = models.PositiveIntegerField(_("agencies with dossiers"), default=0)

    class Meta:
        verbose_name = _("monthly late list")
        verbose_name_plural = _("monthly late lists")
        ordering = ["-month"]

    def __str__(self):
        return f"{self.month:%m/%Y}"

    @property
    def key(self):
        return f"{self.month:%Y-%m}"


class LateListEntry(models.Model):
    """One late agency or official; names are copied so the published list stays as published."""

    late_list = models.ForeignKey(LateList, on_delete=models.CASCADE, related_name="entries")
    kind = models.CharField(_("kind"), max_length=10, choices=LateListKind.choices)
    agency = models.ForeignKey("catalog.Agency", verbose_name=_("agency"), on_delete=models.PROTECT, related_name="+")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("official"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    name = models.CharField(_("name"), max_length=255)
    agency_name = models.CharField(_("agency name"), max_length=255)
    position = models.CharField(_("position"), max_length=150, blank=True)
    resolved = models.PositiveIntegerField(_("resolved in the month"), default=0)
    late_resolved = models.PositiveIntegerField(_("resolved late"), default=0)
    overdue = models.PositiveIntegerField(_("overdue at the month's end"), default=0)
    late = models.PositiveIntegerField(_("late dossiers"), default=0)
    share = models.DecimalField(_("late share"), max_digits=5, decimal_places=4, default=0)

    class Meta:
        verbose_name = _("late list entry")
        verbose_name_plural = _("late list entries")
        ordering = ["kind", "-late", "name", "pk"]

    def __str__(self):
        return f"{self.late_list} {self.name}: {self.late}"
