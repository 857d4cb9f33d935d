"""Dossiers (hồ sơ), their step timers, documents and the immutable event log."""

import secrets

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from catalog.officials.scoping import ALL, visible_agency_ids
from portal.core.storage import private_storage  # noqa: F401 (migrations refer to it here)


class Status(models.IntegerChoices):
    """The national portal's numbering (QT 17.6, AG 9), synchronised as-is."""

    NEW = 1, _("New (submitted online)")
    RECEIVED = 2, _("Received")
    NOT_ACCEPTED = 3, _("Not accepted")
    PROCESSING = 4, _("Processing")
    SUPPLEMENT = 5, _("Supplement requested")
    PAYMENT = 6, _("Financial obligation requested")
    WITHDRAWAL = 7, _("Withdrawn at the applicant's request")
    STOPPED = 8, _("Processing stopped")
    RESOLVED = 9, _("Resolved")
    RETURNED = 10, _("Result returned")


#: What the applicant reads for each status (DESIGN 5.2: "in plain words").
STATUS_PLAIN = {
    Status.NEW: _("We have your dossier and will check it within 8 working hours."),
    Status.RECEIVED: _("Your dossier has been accepted and is waiting to be processed."),
    Status.NOT_ACCEPTED: _("Your dossier was not accepted. See the refusal slip for the reason."),
    Status.PROCESSING: _("Your dossier is being processed."),
    Status.SUPPLEMENT: _("Please add the missing documents listed in the request."),
    Status.PAYMENT: _("Please pay the fees due so that processing can continue."),
    Status.WITHDRAWAL: _("Your dossier was withdrawn at your request."),
    Status.STOPPED: _("Processing was stopped. See the notice for the reason."),
    Status.RESOLVED: _("The result is ready."),
    Status.RETURNED: _("The result has been delivered."),
}

OPEN_STATUSES = [Status.NEW, Status.RECEIVED, Status.PROCESSING, Status.SUPPLEMENT, Status.PAYMENT]
CLOCK_STATUSES = [Status.RECEIVED, Status.PROCESSING]  # the processing clock runs only in these


class Channel(models.TextChoices):
    COUNTER = "counter", _("At the counter")
    ONLINE = "online", _("Online")
    POST = "post", _("By post")


class ApplicantKind(models.IntegerChoices):
    """LoaiDoiTuong of the national portal."""

    CITIZEN = 1, _("Citizen")
    BUSINESS = 2, _("Business")
    STATE_AGENCY = 3, _("State agency")
    OTHER = 4, _("Other organisation")


class Delivery(models.TextChoices):
    ONLINE = "online", _("Online")
    COUNTER = "counter", _("At the counter")
    POST = "post", _("By post")


class Timeliness(models.TextChoices):
    EARLY = "early", _("Early")
    ON_TIME = "on_time", _("On time")
    LATE = "late", _("Late")


class DossierQuerySet(models.QuerySet):
    def visible_to(self, user):
        """The per-unit scoping rule (DESIGN 10), used by every list, API and download."""
        agency_ids = visible_agency_ids(user)
        if agency_ids is ALL:
            return self
        # The receiving unit, and the unit holding an inter-agency step right now (QT 20.2).
        return self.filter(models.Q(agency_id__in=agency_ids) | models.Q(current_agency_id__in=agency_ids))

    def open(self):
        return self.filter(status__in=OPEN_STATUSES)

    def held_by(self, user):
        return self.filter(current_holder=user)

    def for_inbox(self):
        return self.select_related("procedure", "agency", "current_step", "current_holder")


class Dossier(models.Model):
    code = models.CharField(_("dossier code"), max_length=40, unique=True)
    procedure = models.ForeignKey(
        "catalog.Procedure", verbose_name=_("procedure"), on_delete=models.PROTECT, related_name="dossiers"
    )
    agency = models.ForeignKey(
        "catalog.Agency", verbose_name=_("receiving agency"), on_delete=models.PROTECT, related_name="dossiers"
    )
    process = models.ForeignKey(
        "workflow.Process",
        verbose_name=_("process version"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="dossiers",
    )
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices, default=Channel.COUNTER)
    # Applicant (ChuHoSo)
    applicant_kind = models.PositiveSmallIntegerField(
        _("applicant type"), choices=ApplicantKind.choices, default=ApplicantKind.CITIZEN
    )
    applicant_name = models.CharField(_("applicant full name"), max_length=255)
    applicant_id_number = models.CharField(_("ID number"), max_length=20, blank=True)
    organisation_name = models.CharField(_("organisation"), max_length=255, blank=True)
    applicant_address = models.CharField(_("address"), max_length=500, blank=True)
    applicant_phone = models.CharField(_("phone"), max_length=20, blank=True)
    applicant_email = models.EmailField(_("e-mail"), blank=True)
    applicant_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("applicant account"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="own_dossiers",
    )
    delivery = models.CharField(_("result delivery"), max_length=10, choices=Delivery.choices, default=Delivery.COUNTER)
    delivery_address = models.CharField(_("delivery address"), max_length=500, blank=True)
    paper_dossier = models.BooleanField(_("paper dossier kept"), default=False)
    form_data = models.JSONField(_("e-form data"), default=dict, blank=True)
    # Processing state
    status = models.PositiveSmallIntegerField(_("status"), choices=Status.choices, default=Status.NEW, db_index=True)
    current_step = models.ForeignKey(
        "workflow.ProcessStep",
        verbose_name=_("current step"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    current_holder = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("current holder"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="held_dossiers",
    )
    current_agency = models.ForeignKey(
        "catalog.Agency",
        verbose_name=_("agency holding the dossier"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    cycle = models.PositiveSmallIntegerField(
        default=0, editable=False, help_text="Incremented at each (re)reception; step time counts per cycle."
    )
    # Timestamps
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    reception_due_at = models.DateTimeField(_("reception due at"), null=True, blank=True)
    received_at = models.DateTimeField(_("received at"), null=True, blank=True)
    clock_started_at = models.DateTimeField(_("clock started at"), null=True, blank=True)
    due_at = models.DateTimeField(_("due at"), null=True, blank=True, db_index=True)
    appointment_at = models.DateTimeField(_("appointment"), null=True, blank=True)
    result_recorded_at = models.DateTimeField(_("result recorded at"), null=True, blank=True)
    returned_at = models.DateTimeField(_("returned at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    # Clock (QT 19): working time used before the last (re)start, when it last started, and whether it is stopped
    clock_used_minutes = models.PositiveIntegerField(default=0, editable=False)
    clock_running_since = models.DateTimeField(null=True, blank=True, editable=False)
    clock_paused_at = models.DateTimeField(null=True, blank=True, editable=False)
    allowance_minutes = models.PositiveIntegerField(_("allowance (working minutes)"), default=0)
    # Outcome
    timeliness = models.CharField(_("timeliness"), max_length=10, choices=Timeliness.choices, blank=True)
    counts_as_late = models.BooleanField(
        _("counts as late"), default=False, help_text=_("Set by an apology and reschedule (QT 19.1).")
    )
    supplement_count = models.PositiveSmallIntegerField(default=0, editable=False)
    apology_count = models.PositiveSmallIntegerField(default=0, editable=False)
    result_signer = models.CharField(_("result signed by"), max_length=255, blank=True)
    consignment_number = models.CharField(_("postal consignment number"), max_length=50, blank=True)
    # Concurrency: every action bumps it; a stale form is refused.
    revision = models.PositiveIntegerField(default=0, editable=False)
    lookup_token = models.CharField(max_length=32, default="", editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords(excluded_fields=["form_data"])
    objects = DossierQuerySet.as_manager()

    class Meta:
        verbose_name = _("dossier")
        verbose_name_plural = _("dossiers")
        ordering = ["-received_at", "-submitted_at", "-pk"]
        indexes = [
            models.Index(fields=["agency", "status"]),
            models.Index(fields=["current_holder", "status"]),
            # The open dossiers only (a few percent of the table): the backlog chart reads them without the rest
            # (730 → 24 ms on 1M dossiers on SQLite).
            models.Index(
                fields=["agency", "status", "due_at", "counts_as_late", "received_at"],
                condition=models.Q(closed_at__isnull=True, result_recorded_at__isnull=True),
                name="dossier_open",
            ),
        ]

    def __str__(self):
        return self.code

    def save(self, *args, **kwargs):
        if not self.lookup_token:
            self.lookup_token = secrets.token_hex(16)
        super().save(*args, **kwargs)

    @property
    def is_open(self):
        return self.status in OPEN_STATUSES

    @property
    def status_plain(self):
        return STATUS_PLAIN.get(self.status, "")


class DocumentKind(models.TextChoices):
    SUBMITTED = "submitted", _("Submitted document")
    SUPPLEMENT = "supplement", _("Supplementary document")
    SLIP = "slip", _("Slip")
    RESULT = "result", _("Result")
    WITHDRAWAL = "withdrawal", _("Withdrawal request")
    PAYMENT = "payment", _("Payment receipt")


def dossier_file_path(instance, filename):
    return f"dossiers/{instance.dossier.agency_id}/{instance.dossier_id}/{secrets.token_hex(8)}-{filename}"


class DossierDocument(models.Model):
    """A file of a dossier. Stored privately; served only through the scoped download view."""

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="documents")
    kind = models.CharField(_("kind"), max_length=12, choices=DocumentKind.choices, default=DocumentKind.SUBMITTED)
    name = models.CharField(_("name"), max_length=500)
    procedure_document = models.ForeignKey(
        "catalog.ProcedureDocument", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    file = models.FileField(_("file"), upload_to=dossier_file_path, storage=private_storage, max_length=500)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("dossier document")
        verbose_name_plural = _("dossier documents")
        ordering = ["created_at", "pk"]

    def __str__(self):
        return self.name


class StepRun(models.Model):  # noqa: DJ008
    """One stay of a dossier at a process step: the basis of per-step and per-agency time (QT 20)."""

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="step_runs")
    step = models.ForeignKey("workflow.ProcessStep", on_delete=models.PROTECT, related_name="runs")
    cycle = models.PositiveSmallIntegerField(default=1)
    agency = models.ForeignKey("catalog.Agency", on_delete=models.PROTECT, related_name="+")
    holder = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    arrived_at = models.DateTimeField()
    departed_at = models.DateTimeField(null=True, blank=True)
    due_at = models.DateTimeField(null=True, blank=True)
    allowance_minutes = models.PositiveIntegerField(default=0)
    used_minutes = models.PositiveIntegerField(default=0)
    overdue = models.BooleanField(default=False)

    class Meta:
        verbose_name = _("step timer")
        verbose_name_plural = _("step timers")
        ordering = ["arrived_at", "pk"]
        indexes = [models.Index(fields=["holder", "departed_at"])]


class DossierCodeCounter(models.Model):  # noqa: DJ008
    """Last daily sequence number per agency; incremented under a row lock so codes have no gaps."""

    agency = models.ForeignKey("catalog.Agency", on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["agency", "day"], name="dossier_code_counter_unique")]
