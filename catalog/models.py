"""The procedure catalog: agencies, sectors, procedures and their FAQ.

Catalog rows are plain Django models edited as Wagtail snippets, so the
import/export, the API and the public pages all read the same tables.
"""

import unicodedata
from decimal import Decimal

from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from modelcluster.models import ClusterableModel
from simple_history.models import HistoricalRecords
from wagtail.fields import RichTextField

from catalog.search import fold
from portal.core.history import ChildHistoricalRecords
from portal.core.names import display_name

agency_code_validator = RegexValidator(
    r"^[0-9A-Z]{3}\.[0-9A-Z]{2}\.[0-9A-Z]{2}\.[A-Z][0-9]{2}$",
    _("Use the national identifier format, e.g. 000.00.15.H12."),
)
procedure_code_validator = RegexValidator(
    r"^[0-9]\.[0-9]{6}(\.[0-9A-Z.]+)?$",
    _("Use the national procedure code format, e.g. 1.001612."),
)


class NfcTextMixin:
    """Every text a catalog row stores is in composed Unicode (NFC), whatever typed or imported it.

    Files exported by some systems (and text pasted from them) carry decomposed Vietnamese ("e" + U+0302 + U+0301
    for "ế"): it looks the same but a search or a comparison with composed text misses it. The admin forms, the
    import and the API all end in ``clean_fields`` / ``save``, so normalising there covers every way in.
    """

    def normalise_text(self):
        for field in self._meta.concrete_fields:
            if isinstance(field, (models.CharField, models.TextField)):
                value = getattr(self, field.attname)
                if isinstance(value, str) and not unicodedata.is_normalized("NFC", value):
                    setattr(self, field.attname, unicodedata.normalize("NFC", value))

    def clean_fields(self, exclude=None):
        self.normalise_text()
        super().clean_fields(exclude=exclude)

    def save(self, *args, **kwargs):
        self.normalise_text()
        super().save(*args, **kwargs)


class AgencyLevel(models.TextChoices):
    PROVINCE = "province", _("Province")
    COMMUNE = "commune", _("Commune / ward")


class AgencyQuerySet(models.QuerySet):
    def active(self):
        return self.filter(is_active=True)

    def visible_to(self, user):
        """The agencies ``user`` sees in filters and screens: all for supervisors, their own unit otherwise."""
        from catalog.officials.scoping import ALL, visible_agency_ids

        ids = visible_agency_ids(user)
        return self if ids is ALL else self.filter(pk__in=ids)


class Agency(NfcTextMixin, models.Model):
    code = models.CharField(_("identifier code"), max_length=20, unique=True, validators=[agency_code_validator])
    name = models.CharField(_("name"), max_length=255)
    short_name = models.CharField(_("short name"), max_length=100, blank=True)
    level = models.CharField(_("level"), max_length=10, choices=AgencyLevel.choices, default=AgencyLevel.PROVINCE)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent agency"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    address = models.CharField(_("address"), max_length=255, blank=True)
    phone = models.CharField(_("phone"), max_length=50, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    hotline = models.CharField(_("hotline"), max_length=50, blank=True)
    working_hours_note = models.CharField(_("working hours"), max_length=255, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    history = HistoricalRecords()
    objects = AgencyQuerySet.as_manager()

    class Meta:
        verbose_name = _("agency")
        verbose_name_plural = _("agencies")
        ordering = ["level", "name"]

    def __str__(self):
        return self.name


class Sector(NfcTextMixin, models.Model):
    code = models.CharField(_("code"), max_length=30, unique=True)
    name = models.CharField(_("name"), max_length=255)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("sector")
        verbose_name_plural = _("sectors")
        ordering = ["name"]

    def __str__(self):
        return self.name


class ProcedureLevel(models.TextChoices):
    PROVINCE = "province", _("Province")
    COMMUNE = "commune", _("Commune")
    BOTH = "both", _("Province and commune")


class OnlineLevel(models.TextChoices):
    FULL = "full", _("Full online service")
    PARTIAL = "partial", _("Partial online service")
    NONE = "none", _("Information only")


class TimeUnit(models.TextChoices):
    DAY = "day", _("working days")
    HOUR = "hour", _("working hours")


class ProcedureStatus(models.TextChoices):
    IN_FORCE = "in_force", _("In force")
    AMENDED = "amended", _("Amended")
    ABOLISHED = "abolished", _("Abolished")


class ProcedureQuerySet(models.QuerySet):
    def published(self):
        return self.exclude(status=ProcedureStatus.ABOLISHED)

    def search(self, query):
        """The procedures matching ``query`` by the catalog search (:mod:`catalog.search`): ignoring
        diacritics and case, tolerant of typos. A filter only; :meth:`ranked` also orders by relevance."""
        from catalog.search import ranked_ids

        if not fold(query):
            return self
        return self.filter(pk__in=ranked_ids(query))

    def ranked(self, query):
        """This queryset's procedures matching ``query``, most relevant first (a lazily paged sequence)."""
        from catalog.search import RankedResults

        return RankedResults(self, query)

    def at_level(self, level):
        if level in (ProcedureLevel.PROVINCE, ProcedureLevel.COMMUNE):
            return self.filter(level__in=[level, ProcedureLevel.BOTH])
        return self.filter(level=level)

    def for_listing(self):
        return self.select_related("sector").prefetch_related("agencies")

    def implemented_for(self, user):
        """The procedures ``user``'s unit implements (every one for supervisors): what its admins may build
        processes and e-forms for."""
        from catalog.officials.scoping import ALL, visible_agency_ids

        agency_ids = visible_agency_ids(user)
        if agency_ids is ALL:
            return self
        return self.filter(pk__in=Procedure.objects.filter(agencies__in=agency_ids).values("pk"))


class Procedure(NfcTextMixin, ClusterableModel):
    national_code = models.CharField(
        _("national code"), max_length=40, unique=True, validators=[procedure_code_validator]
    )
    name = models.CharField(_("name"), max_length=500)
    sector = models.ForeignKey(Sector, verbose_name=_("sector"), on_delete=models.PROTECT, related_name="procedures")
    agencies = models.ManyToManyField(Agency, verbose_name=_("implementing agencies"), related_name="procedures")
    level = models.CharField(_("level"), max_length=10, choices=ProcedureLevel.choices, default=ProcedureLevel.PROVINCE)
    online_level = models.CharField(
        _("online service level"), max_length=10, choices=OnlineLevel.choices, default=OnlineLevel.PARTIAL
    )
    processing_time = models.DecimalField(
        _("processing time"), max_digits=6, decimal_places=2, validators=[MinValueValidator(Decimal("0"))]
    )
    processing_time_unit = models.CharField(
        _("time unit"), max_length=5, choices=TimeUnit.choices, default=TimeUnit.DAY
    )
    processing_time_note = models.CharField(_("processing time note"), max_length=500, blank=True)
    applicant_subjects = models.CharField(_("who may apply"), max_length=255, blank=True)
    applicant_steps = RichTextField(_("steps for the applicant"), blank=True)
    requirements = RichTextField(_("requirements and conditions"), blank=True)
    submit_online = models.BooleanField(_("submission online"), default=True)
    submit_counter = models.BooleanField(_("submission at the counter"), default=True)
    submit_post = models.BooleanField(_("submission by post"), default=False)
    postal_return = models.BooleanField(_("result returned by post"), default=False)
    result_type = models.CharField(_("result"), max_length=500, blank=True)
    legal_basis = models.TextField(_("legal basis"), blank=True)
    publishing_decision = models.CharField(_("publishing decision"), max_length=255, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=ProcedureStatus.choices, default=ProcedureStatus.IN_FORCE
    )
    usage_count = models.PositiveIntegerField(_("dossiers filed"), default=0, editable=False)
    search_text = models.TextField(_("search text"), editable=False, default="")
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    history = HistoricalRecords(excluded_fields=["search_text", "usage_count"])
    objects = ProcedureQuerySet.as_manager()

    class Meta:
        verbose_name = _("procedure")
        verbose_name_plural = _("procedures")
        ordering = ["national_code"]

    def __str__(self):
        return f"{self.national_code} – {self.name}"

    def save(self, *args, **kwargs):
        # Folded copy for accent-insensitive search; derived, never edited.
        self.search_text = fold(f"{self.national_code} {self.name}")
        super().save(*args, **kwargs)

    @property
    def processing_minutes(self) -> int:
        """Allowed working time in minutes (N working days = N x 8 working hours)."""
        from workflow.worktime import DAY_MINUTES

        per_unit = DAY_MINUTES if self.processing_time_unit == TimeUnit.DAY else 60
        return int(self.processing_time * per_unit)

    @property
    def is_postal_allowed(self):
        return self.submit_post or self.postal_return

    @property
    def channels(self):
        return [
            label
            for flag, label in (
                (self.submit_online, _("Online")),
                (self.submit_counter, _("At the counter")),
                (self.submit_post, _("By post")),
            )
            if flag
        ]


class FeeKind(models.TextChoices):
    FEE = "fee", _("Fee")
    CHARGE = "charge", _("Charge")


class ProcedureFee(NfcTextMixin, models.Model):
    procedure = ParentalKey(Procedure, on_delete=models.CASCADE, related_name="fees")
    kind = models.CharField(_("kind"), max_length=10, choices=FeeKind.choices, default=FeeKind.CHARGE)
    name = models.CharField(_("name"), max_length=255)
    amount = models.DecimalField(_("amount (VND)"), max_digits=14, decimal_places=0, validators=[MinValueValidator(0)])
    note = models.CharField(_("note"), max_length=500, blank=True)
    sort_order = models.PositiveIntegerField(default=0, editable=False)

    history = ChildHistoricalRecords()

    class Meta:
        verbose_name = _("fee or charge")
        verbose_name_plural = _("fees and charges")
        ordering = ["sort_order", "pk"]

    def __str__(self):
        return f"{self.name}: {self.amount:,.0f} đ"


class ProcedureDocument(NfcTextMixin, models.Model):
    procedure = ParentalKey(Procedure, on_delete=models.CASCADE, related_name="documents")
    name = models.CharField(_("document"), max_length=500)
    originals = models.PositiveSmallIntegerField(_("originals"), default=1)
    copies = models.PositiveSmallIntegerField(_("copies"), default=0)
    mandatory = models.BooleanField(_("mandatory"), default=True)
    template = models.ForeignKey(
        "wagtaildocs.Document",
        verbose_name=_("template file"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    sort_order = models.PositiveIntegerField(default=0, editable=False)

    history = ChildHistoricalRecords()

    class Meta:
        verbose_name = _("required document")
        verbose_name_plural = _("required documents")
        ordering = ["sort_order", "pk"]

    def __str__(self):
        return self.name


class FaqEntry(NfcTextMixin, models.Model):
    sector = models.ForeignKey(Sector, verbose_name=_("sector"), on_delete=models.CASCADE, related_name="faq_entries")
    procedure = models.ForeignKey(
        Procedure,
        verbose_name=_("procedure"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="faq_entries",
    )
    question = models.CharField(_("question"), max_length=500)
    answer = RichTextField(_("answer"))
    is_published = models.BooleanField(_("published"), default=True)
    sort_order = models.PositiveIntegerField(_("order"), default=0)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("FAQ entry")
        verbose_name_plural = _("FAQ")
        ordering = ["sector__name", "sort_order", "pk"]

    def __str__(self):
        return self.question


class MaintenanceNoticeQuerySet(models.QuerySet):
    def upcoming_or_current(self, now):
        return self.filter(is_published=True, ends_at__gt=now).order_by("starts_at")


class MaintenanceNotice(NfcTextMixin, models.Model):
    """Planned downtime, shown on every page from N working days ahead (TN 9-10, BN 9)."""

    title = models.CharField(_("title"), max_length=255)
    body = models.TextField(_("details"), blank=True)
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    is_published = models.BooleanField(_("published"), default=True)

    history = HistoricalRecords()
    objects = MaintenanceNoticeQuerySet.as_manager()

    class Meta:
        verbose_name = _("maintenance notice")
        verbose_name_plural = _("maintenance notices")
        ordering = ["-starts_at"]

    def __str__(self):
        return self.title

    def clean(self):
        from django.core.exceptions import ValidationError

        if self.starts_at and self.ends_at and self.ends_at <= self.starts_at:
            raise ValidationError({"ends_at": _("The end must be after the start.")})


class OfficialQuerySet(models.QuerySet):
    def active(self):
        return self.filter(user__is_active=True)

    def of_agency(self, agency):
        return self.filter(agency=agency)


class Official(NfcTextMixin, models.Model):
    """A back-office account's place in the organisation: every official belongs to one unit (TN 8, BN 7)."""

    user = models.OneToOneField(
        "auth.User", verbose_name=_("account"), on_delete=models.CASCADE, related_name="official"
    )
    agency = models.ForeignKey(Agency, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="officials")
    position = models.CharField(_("job position"), max_length=150, blank=True)
    phone = models.CharField(_("phone"), max_length=50, blank=True)

    history = HistoricalRecords()
    objects = OfficialQuerySet.as_manager()

    class Meta:
        verbose_name = _("official")
        verbose_name_plural = _("officials")
        ordering = ["agency__name", "user__last_name", "user__first_name"]
        permissions = [
            ("view_all_units", _("Can see every unit's work (supervisor)")),
            ("manage_unit_officials", _("Can create and revoke the own unit's official accounts (unit admin)")),
        ]

    def __str__(self):
        return self.display_name

    @property
    def display_name(self):
        return display_name(self.user)


class RoleGroup(models.Model):
    """Which back-office role (``catalog.officials.roles``) a Django group stands for.

    Code looks role groups up by this stable ``code``, never by the group's name: a system admin may rename a
    group in Settings → Groups without breaking permissions, notifications or scoping.
    """

    group = models.OneToOneField("auth.Group", verbose_name=_("group"), on_delete=models.CASCADE, related_name="role")
    code = models.SlugField(_("role code"), unique=True)

    class Meta:
        verbose_name = _("role group")
        verbose_name_plural = _("role groups")
        ordering = ["code"]

    def __str__(self):
        return f"{self.code}: {self.group.name}"


# --- access log of citizens' personal data (DESIGN 10, TN 17.10d, BN 7.4) ---------------------------------


class AccessKind(models.TextChoices):
    DOSSIER_DETAIL = "dossier_detail", _("Dossier detail")
    DOCUMENT_DOWNLOAD = "document_download", _("Dossier document download")
    SLIP_DOWNLOAD = "slip_download", _("Slip download")
    API_DOSSIER_DETAIL = "api_dossier_detail", _("Dossier detail (API)")
    API_DOCUMENT_DOWNLOAD = "api_document_download", _("Dossier document download (API)")
    FEEDBACK_DETAIL = "feedback_detail", _("Feedback detail (sender's contacts)")
    QUESTION_DETAIL = "question_detail", _("Citizen question (asker's contacts)")
    CITIZEN_ACCOUNT = "citizen_account", _("Citizen account (admin)")


class ImmutableAccessLogError(Exception):
    pass


class PersonalDataAccessQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise ImmutableAccessLogError("The access log cannot be changed.")

    def delete(self):
        raise ImmutableAccessLogError("The access log cannot be deleted.")


class PersonalDataAccess(models.Model):
    """One view of a citizen's personal data by an official: append-only, never edited or deleted.

    Written only by :func:`catalog.access_log.services.record_access`; supervisors and the system admin read the list,
    the police role reads only the aggregated statistics (BN 7.4). Database triggers (migration 0004) refuse
    UPDATE and DELETE on the table as well, whatever the client.
    """

    # No database constraint and nothing done on delete: deleting an account or a unit leaves its entries as
    # they are (the name is kept in user_name); the triggers would refuse any change anyway.
    user = models.ForeignKey(
        "auth.User",
        verbose_name=_("official"),
        null=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    user_name = models.CharField(_("official"), max_length=255)
    agency = models.ForeignKey(
        Agency,
        verbose_name=_("unit"),
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    at = models.DateTimeField(_("at"), db_index=True)
    kind = models.CharField(_("what"), max_length=30, choices=AccessKind.choices)
    object_id = models.CharField(_("object id"), max_length=64, blank=True)
    dossier_id = models.PositiveIntegerField(_("dossier id"), null=True, blank=True)
    dossier_code = models.CharField(_("dossier code"), max_length=40, blank=True, db_index=True)
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)

    objects = PersonalDataAccessQuerySet.as_manager()

    class Meta:
        verbose_name = _("personal data access")
        verbose_name_plural = _("personal data access log")
        ordering = ["-at", "-pk"]
        default_permissions = ("view",)
        permissions = [
            ("view_access_statistics", _("Can see the citizen-data access statistics (police)")),
        ]
        indexes = [models.Index(fields=["agency", "at"])]

    def __str__(self):
        return f"{self.user_name} {self.get_kind_display()} {self.dossier_code or self.object_id}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ImmutableAccessLogError("The access log cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ImmutableAccessLogError("The access log cannot be deleted.")


# --- catalog import runs (catalog/import_runs.py) ---------------------------------------------------------


class ImportRunStatus(models.TextChoices):
    QUEUED = "queued", _("Waiting to start")
    RUNNING = "running", _("Importing")
    DONE = "done", _("Imported")
    REFUSED = "refused", _("Not imported: the file has errors")
    FAILED = "failed", _("Failed")


class ImportRun(models.Model):
    """One confirmed import of a catalog sheet, run in the background: who, when, which file, what it did."""

    model_key = models.CharField(_("sheet"), max_length=20)
    filename = models.CharField(_("file name"), max_length=255)
    file_sha256 = models.CharField(_("file SHA-256"), max_length=64)
    file_path = models.CharField(max_length=255, editable=False)
    file_format = models.CharField(max_length=5, editable=False)
    user = models.ForeignKey(
        "auth.User", verbose_name=_("imported by"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    status = models.CharField(
        _("status"), max_length=10, choices=ImportRunStatus.choices, default=ImportRunStatus.QUEUED
    )
    created_at = models.DateTimeField(_("confirmed at"), auto_now_add=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    total_rows = models.PositiveIntegerField(_("rows"), default=0)
    new_count = models.PositiveIntegerField(_("new"), default=0)
    update_count = models.PositiveIntegerField(_("updated"), default=0)
    unchanged_count = models.PositiveIntegerField(_("unchanged"), default=0)
    error_count = models.PositiveIntegerField(_("rows with errors"), default=0)
    #: [{"row", "column", "message"}] of a refused or failed run (the first 500).
    errors = models.JSONField(_("errors"), default=list, blank=True)

    class Meta:
        verbose_name = _("catalog import")
        verbose_name_plural = _("catalog imports")
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"{self.filename} ({self.get_status_display()})"

    @property
    def is_finished(self):
        return self.status in (ImportRunStatus.DONE, ImportRunStatus.REFUSED, ImportRunStatus.FAILED)
