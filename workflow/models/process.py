"""Internal processes (quy trình nội bộ, QT 22) designed per procedure by unit admins."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey, ParentalManyToManyField
from modelcluster.models import ClusterableModel
from simple_history.models import HistoricalRecords

from catalog.officials import roles
from portal.core.history import ChildHistoricalRecords


class ProcessStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")
    RETIRED = "retired", _("Retired")


class StepKind(models.TextChoices):
    RECEPTION = "reception", _("Reception")
    PROCESSING = "processing", _("Processing")
    APPROVAL = "approval", _("Approval")
    HANDOFF = "handoff", _("Inter-agency hand-off")
    RESULT = "result", _("Result and return")


#: The group that holds a step of each kind unless the designer chose another (DESIGN §5.3): the one-stop
#: officers receive and hand results out, specialists review (also at another agency's step), leaders approve.
HOLDER_ROLE_BY_KIND = {
    StepKind.RECEPTION: roles.RECEPTION_OFFICER,
    StepKind.PROCESSING: roles.SPECIALIST,
    StepKind.APPROVAL: roles.LEADER,
    StepKind.HANDOFF: roles.SPECIALIST,
    StepKind.RESULT: roles.RECEPTION_OFFICER,
}
HOLDER_ROLE_CHOICES = [(code, roles.LABELS[code]) for code in roles.STEP_ROLES]


def holder_role_for(kind) -> str:
    """The group holding a step of ``kind`` by default."""
    return HOLDER_ROLE_BY_KIND.get(kind, roles.SPECIALIST)


class ProcessQuerySet(models.QuerySet):
    def published(self):
        return self.filter(status=ProcessStatus.PUBLISHED)

    def for_procedure(self, procedure, agency):
        """The published process a new dossier starts with: the agency's own, else the procedure's default."""
        candidates = (
            self.published().filter(procedure=procedure).filter(models.Q(agency=agency) | models.Q(agency__isnull=True))
        )
        return candidates.order_by(models.F("agency").asc(nulls_last=True), "-version").first()


class Process(ClusterableModel):
    """One version of a procedure's internal process. A published version is frozen (QT 22)."""

    procedure = models.ForeignKey(
        "catalog.Procedure", verbose_name=_("procedure"), on_delete=models.PROTECT, related_name="processes"
    )
    agency = models.ForeignKey(
        "catalog.Agency",
        verbose_name=_("agency"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="processes",
        help_text=_("Leave empty for the procedure's default process."),
    )
    name = models.CharField(_("name"), max_length=255)
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)
    status = models.CharField(
        _("status"), max_length=10, choices=ProcessStatus.choices, default=ProcessStatus.DRAFT, editable=False
    )
    is_short = models.BooleanField(
        _("on-the-spot procedure"),
        default=False,
        help_text=_("Three stages: receive, resolve, return (QT 22.2c)."),
    )
    published_at = models.DateTimeField(_("published at"), null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()
    objects = ProcessQuerySet.as_manager()

    class Meta:
        verbose_name = _("internal process")
        verbose_name_plural = _("internal processes")
        ordering = ["procedure__national_code", "agency__name", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["procedure", "agency", "version"], name="process_unique_version"),
        ]

    def __str__(self):
        return f"{self.name} (v{self.version}, {self.get_status_display()})"

    @property
    def is_frozen(self):
        return self.status != ProcessStatus.DRAFT

    def total_allowance_minutes(self):
        return sum(step.allowance_minutes for step in self.steps.all())


class ProcessStep(models.Model):
    process = ParentalKey(Process, on_delete=models.CASCADE, related_name="steps")
    sort_order = models.PositiveIntegerField(default=0, editable=False)
    name = models.CharField(_("step"), max_length=255)
    position = models.CharField(_("job position"), max_length=150, blank=True)
    kind = models.CharField(_("kind"), max_length=12, choices=StepKind.choices, default=StepKind.PROCESSING)
    agency = models.ForeignKey(
        "catalog.Agency",
        verbose_name=_("agency handling the step"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("Only for inter-agency steps; otherwise the receiving agency handles the step."),
    )
    holder_role = models.CharField(
        _("group holding the step"),
        max_length=32,
        choices=HOLDER_ROLE_CHOICES,
        blank=True,
        help_text=_(
            "The officials of this group in the step's unit may hold it. Empty: chosen by the kind (one-stop "
            "officers receive and return, specialists process, leaders approve)."
        ),
    )
    officials = ParentalManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("officials who may hold this step"),
        blank=True,
        related_name="+",
        help_text=_("Only these officials, if any are chosen; otherwise the whole group."),
    )
    allowance_hours = models.DecimalField(_("time allowance (working hours)"), max_digits=7, decimal_places=2)

    history = ChildHistoricalRecords()

    class Meta:
        verbose_name = _("process step")
        verbose_name_plural = _("process steps")
        ordering = ["sort_order", "pk"]

    def __str__(self):
        return f"{self.sort_order + 1}. {self.name}"

    def save(self, *args, **kwargs):
        if not self.holder_role:
            self.holder_role = holder_role_for(self.kind)
        super().save(*args, **kwargs)

    @property
    def allowance_minutes(self) -> int:
        return int(self.allowance_hours * 60)

    def clean(self):
        if self.allowance_hours is not None and self.allowance_hours < 0:
            raise ValidationError({"allowance_hours": _("The allowance cannot be negative.")})
