"""Slip templates (phiếu, QT 15; TT 01/2018/TT-VPCP; An Giang receipt appendix) edited by admins.

A template's body is a Django template string (HTML) filled by
:mod:`workflow.slips`. Without an active template in the database the
default file ``workflow/templates/workflow/slips/<kind>.html`` is used; an
agency's own template wins over the province-wide default (``agency`` empty).
"""

from django.core.exceptions import ValidationError
from django.db import models
from django.http import HttpResponse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords
from wagtail.models import PreviewableMixin

from catalog.officials.scoping import ALL, visible_agency_ids


class SlipKind(models.TextChoices):
    RECEIPT = "receipt", _("Receipt and appointment slip")
    GUIDANCE = "guidance", _("Guidance slip")
    SUPPLEMENT = "supplement", _("Supplement request slip")
    REFUSAL = "refusal", _("Refusal slip")
    APOLOGY = "apology", _("Apology and new appointment slip")
    WITHDRAWAL = "withdrawal", _("Withdrawal confirmation slip")


class SlipTemplateQuerySet(models.QuerySet):
    """Scoping (DESIGN §10): a unit sees the province-wide defaults and its own templates and changes only its
    own; supervisors and the system admin all. :meth:`SlipTemplate.in_scope` is the same rule on one row."""

    def active(self):
        return self.filter(is_active=True)

    def visible_to(self, user):
        agency_ids = visible_agency_ids(user)
        if agency_ids is ALL:
            return self
        return self.filter(models.Q(agency__isnull=True) | models.Q(agency_id__in=agency_ids))

    def managed_by(self, user):
        agency_ids = visible_agency_ids(user)
        return self if agency_ids is ALL else self.filter(agency_id__in=agency_ids)

    def for_kind(self, kind, agency=None):
        """The template in force for ``kind`` at ``agency``: the agency's own, else the province default, else None."""
        agency_id = getattr(agency, "pk", agency)
        scope = models.Q(agency__isnull=True)
        if agency_id:
            scope |= models.Q(agency_id=agency_id)
        candidates = self.active().filter(kind=kind).filter(scope)
        return candidates.order_by(models.F("agency").asc(nulls_last=True), "-updated_at").first()


class SlipTemplate(PreviewableMixin, models.Model):
    kind = models.CharField(_("kind"), max_length=12, choices=SlipKind.choices)
    title = models.CharField(_("title"), max_length=255)
    agency = models.ForeignKey(
        "catalog.Agency",
        verbose_name=_("agency"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="slip_templates",
        help_text=_("Leave empty for the province-wide default. An agency's own template wins over the default."),
    )
    body = models.TextField(
        _("body (HTML template)"),
        blank=True,
        help_text=_(
            "HTML with {{ variables }} and Django template tags (see the list of variables). "
            "Leave empty to start from the built-in template of this kind."
        ),
    )
    is_active = models.BooleanField(_("active"), default=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    history = HistoricalRecords()
    objects = SlipTemplateQuerySet.as_manager()

    class Meta:
        verbose_name = _("slip template")
        verbose_name_plural = _("slip templates")
        ordering = ["kind", models.F("agency__name").asc(nulls_first=True)]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "agency"],
                condition=models.Q(is_active=True, agency__isnull=False),
                name="slip_template_one_active_per_agency",
                violation_error_message=_("This agency already has an active template of this kind."),
            ),
            models.UniqueConstraint(
                fields=["kind"],
                condition=models.Q(is_active=True, agency__isnull=True),
                name="slip_template_one_active_default",
                violation_error_message=_("There is already an active province-wide template of this kind."),
            ),
        ]

    def __str__(self):
        return self.title

    def in_scope(self, user, *, change=False) -> bool:
        """:meth:`SlipTemplateQuerySet.visible_to` (or ``managed_by`` with ``change``) decided on this row without
        a query: the admin index asks it for every row."""
        agency_ids = visible_agency_ids(user)
        if agency_ids is ALL:
            return True
        if self.agency_id is None:
            return not change
        return self.agency_id in agency_ids

    def save(self, *args, **kwargs):
        if not self.body.strip() and self.kind:
            from workflow.slips import default_template_source

            self.body = default_template_source(self.kind)
        super().save(*args, **kwargs)

    def clean(self):
        super().clean()
        if self.body.strip() and self.kind:
            from workflow.slips import SlipTemplateError, check_template_source

            try:
                check_template_source(self.body, self.kind, agency=self.agency)
            except SlipTemplateError as error:
                raise ValidationError({"body": str(error)}) from None

    # --- Wagtail live preview: the template filled with a sample dossier ---------------------
    @property
    def preview_modes(self):
        return [("", _("Slip (HTML)")), ("pdf", _("PDF"))]

    def serve_preview(self, request, mode_name):
        from workflow.slips import render_sample

        if mode_name == "pdf":
            response = HttpResponse(render_sample(self, fmt="pdf"), content_type="application/pdf")
        else:
            response = HttpResponse(render_sample(self, fmt="html"))
            # The body is written by admins: no script runs in the preview, and nothing is loaded from elsewhere.
            response["Content-Security-Policy"] = "default-src 'none'; img-src data:; style-src 'unsafe-inline'"
        return response
