"""Reception cycles: the facts every report counts (DESIGN §8; QT 18.6-18.7, QT 19).

A cycle runs from a reception (the first one, or a resubmission after a supplement request, which counts
"from the beginning as a new reception", QT 19.3a) to the returned result that ends it: the result, a refusal
or stop, or the return for supplement (QT 19.2), or the applicant's withdrawal. Reception refusals and guidance
slips answering an online submission are rows too (they end where they start and are not receptions).

Rows are derived from the dossier's append-only event log by :func:`workflow.dossiers.cycles.refresh`, in the
transaction of every action; a period's figures are counted from them, so what happened by a period's end is
all that decides its figures. Never edited by hand.
"""

from datetime import UTC, datetime

from django.db import models
from django.utils.translation import gettext_lazy as _

#: ``counted_until`` of a cycle still open: one range condition on an index serves every period.
OPEN_UNTIL = datetime(9999, 12, 31, tzinfo=UTC)


class CycleEnding(models.TextChoices):
    RESULT = "result", _("Result recorded")
    REFUSED = "refused", _("Refused after reception")
    STOPPED = "stopped", _("Refused to resolve / stopped")
    SUPPLEMENT = "supplement", _("Returned for supplement")
    WITHDRAWN = "withdrawn", _("Withdrawn at the applicant's request")
    NOT_ACCEPTED = "not_accepted", _("Reception refused")
    GUIDED = "guided", _("Answered with a guidance slip")


#: Endings that are returned results (QT 19.2), classified early / on time / late.
RESOLVING = (CycleEnding.RESULT, CycleEnding.REFUSED, CycleEnding.STOPPED, CycleEnding.SUPPLEMENT)
#: Rows that answer an online submission without receiving it: not part of the received workload.
ANSWERS = (CycleEnding.NOT_ACCEPTED, CycleEnding.GUIDED)


class ReceptionCycleQuerySet(models.QuerySet):
    def visible_to(self, user):
        """The per-unit scoping rule of :meth:`workflow.models.Dossier.objects.visible_to`, on cycles."""
        from catalog.officials.scoping import ALL, visible_agency_ids

        agency_ids = visible_agency_ids(user)
        if agency_ids is ALL:
            return self
        return self.filter(models.Q(agency_id__in=agency_ids) | models.Q(dossier__current_agency_id__in=agency_ids))


class ReceptionCycle(models.Model):  # noqa: DJ008
    dossier = models.ForeignKey("workflow.Dossier", on_delete=models.CASCADE, related_name="cycles")
    number = models.PositiveSmallIntegerField(_("number"))
    # Copied from the dossier (which never changes them) so reports group without a join.
    agency = models.ForeignKey("catalog.Agency", verbose_name=_("agency"), on_delete=models.PROTECT, related_name="+")
    procedure = models.ForeignKey(
        "catalog.Procedure", verbose_name=_("procedure"), on_delete=models.PROTECT, related_name="+"
    )
    channel = models.CharField(_("channel"), max_length=10)
    #: the effective moments (QT 18.2: outside working time, the start of the next session)
    entered_at = models.DateTimeField(_("received at"))
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)
    counted_until = models.DateTimeField(default=OPEN_UNTIL, editable=False)
    ending = models.CharField(_("ending"), max_length=12, choices=CycleEnding.choices, blank=True)
    timeliness = models.CharField(_("timeliness"), max_length=10, blank=True)
    due_at = models.DateTimeField(_("due at"), null=True, blank=True)
    #: the first moment the cycle counts as overdue (due passed by a working minute, or an apology); None while
    #: it cannot be (its clock is stopped before its due time)
    overdue_since = models.DateTimeField(_("overdue since"), null=True, blank=True)
    reception_late = models.BooleanField(_("received after the 8 working hours"), default=False)
    supplement_number = models.PositiveSmallIntegerField(_("supplement requests so far"), default=0)
    used_minutes = models.PositiveIntegerField(_("working minutes used at the steps"), default=0)
    returned_at = models.DateTimeField(_("result handed over at"), null=True, blank=True)

    objects = ReceptionCycleQuerySet.as_manager()

    class Meta:
        verbose_name = _("reception cycle")
        verbose_name_plural = _("reception cycles")
        ordering = ["dossier_id", "number"]
        constraints = [models.UniqueConstraint(fields=["dossier", "number"], name="reception_cycle_unique")]
        indexes = [
            models.Index(fields=["counted_until", "entered_at"], name="cycle_period"),
            models.Index(fields=["returned_at"], name="cycle_returned"),
        ]

    @property
    def is_open(self):
        return self.ended_at is None


class CyclePause(models.Model):  # noqa: DJ008
    """The clock waiting for the applicant inside a cycle (payment, a withdrawal request): "paused" at a moment."""

    cycle = models.ForeignKey(ReceptionCycle, on_delete=models.CASCADE, related_name="pauses")
    started_at = models.DateTimeField()
    ended_at = models.DateTimeField(null=True, blank=True)
    reason = models.CharField(max_length=20)

    class Meta:
        ordering = ["cycle_id", "started_at", "pk"]
