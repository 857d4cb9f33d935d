"""Published figures (DESIGN §8): what was published for a closed month, kept as published.

A :class:`PublishedFigures` row is stored once per kind and month when the figures are published (the monthly
late list, the 766 index, a closed month of the transparency page); a later recomputation that differs is a
:class:`FigureRevision` shown beside it, never a change to it. Both are append-only, like
:class:`workflow.models.DossierEvent`. Payloads are built by :mod:`workflow.reports.snapshots`.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from workflow.models.events import ImmutableRecordError


class FigureKind(models.TextChoices):
    LATE_LIST = "late_list", _("Monthly late list")
    INDEX_766 = "index_766", _("Service index (Decision 766)")
    TRANSPARENCY = "transparency", _("Transparency page")


class AppendOnlyQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise ImmutableRecordError(f"{self.model._meta.object_name} rows cannot be changed.")

    def delete(self):
        raise ImmutableRecordError(f"{self.model._meta.object_name} rows cannot be deleted.")


class AppendOnly(models.Model):
    """A record written once and never changed or deleted (published figures, payment callbacks)."""

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ImmutableRecordError(f"{self._meta.object_name} rows cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ImmutableRecordError(f"{self._meta.object_name} rows cannot be deleted.")


class PublishedFigures(AppendOnly):
    """The figures of one kind for one month, as published (row and figure labels copied)."""

    kind = models.CharField(_("kind"), max_length=20, choices=FigureKind.choices)
    period = models.CharField(_("period"), max_length=30, help_text=_("The month, e.g. 2026-05."))
    payload = models.JSONField(_("figures as published"))
    published_at = models.DateTimeField(_("published at"))
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("published by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("published figures")
        verbose_name_plural = _("published figures")
        ordering = ["kind", "-period"]
        default_permissions = ("view",)
        constraints = [models.UniqueConstraint(fields=["kind", "period"], name="published_figures_once")]

    def __str__(self):
        return f"{self.get_kind_display()} {self.period}"


class FigureRevision(AppendOnly):
    """A recomputation of published figures that differed from the latest stored state.

    ``changes`` lists what differs from the *published* figures: ``{"where", "figure", "published", "now"}``
    (with the section, row and column keys and the value format).
    """

    snapshot = models.ForeignKey(PublishedFigures, on_delete=models.PROTECT, related_name="revisions")
    computed_at = models.DateTimeField(_("recomputed at"))
    payload = models.JSONField(_("figures as recomputed"))
    changes = models.JSONField(_("changes from the published figures"), default=list)

    class Meta:
        verbose_name = _("revision of published figures")
        verbose_name_plural = _("revisions of published figures")
        ordering = ["snapshot", "computed_at", "pk"]
        default_permissions = ("view",)

    def __str__(self):
        return f"{self.snapshot} @ {self.computed_at:%Y-%m-%d %H:%M}"
