"""Interactive e-forms (biểu mẫu điện tử tương tác, QN 16) as data.

An :class:`EForm` belongs to one procedure; its code is the procedure's
national code plus the form symbol (QN 16.3b), e.g. ``1.001612.TK1``. Its
content lives in numbered :class:`FormVersion` s: department admins edit a
*draft*, publish it (the previous published version is retired), and start a
new draft by copying the published one. A published or retired version never
changes: saving or deleting its sections or fields raises
:class:`~eforms.errors.VersionFrozen`.

Each :class:`FormSection` is one wizard step; each :class:`FormField` is one
question, identified by its ``code`` (unique within the version), which is the
key of its value in the submission and for "the value you gave last time".
One engine (:mod:`eforms.engine`) turns these rows into Django forms.
"""

import re
import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.utils.functional import lazy
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from modelcluster.models import ClusterableModel
from simple_history.models import HistoricalRecords
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel, MultiFieldPanel
from wagtail.models import Orderable

from eforms.errors import VersionFrozen
from eforms.presets import Preset, offered
from portal.core.formatting import format_datetime
from portal.core.history import ChildHistoricalRecords

symbol_validator = RegexValidator(
    r"^[0-9A-Z]{1,20}$", _("Use capital letters and digits only, e.g. TK1."), code="symbol"
)
field_code_validator = RegexValidator(
    r"^[a-z][a-z0-9_]{0,49}$",
    _("Start with a letter; use lower-case letters, digits and underscores only (e.g. ho_ten)."),
    code="field_code",
)

#: File types an admin may allow on a file field; the content check is in eforms.files.
FILE_TYPES = ("pdf", "jpg", "jpeg", "png", "doc", "docx", "xls", "xlsx", "zip")
MAX_FILE_MB = 20
MAX_TABLE_ROWS = 100


class VersionStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")
    RETIRED = "retired", _("Retired")


class FieldType(models.TextChoices):
    TEXT = "text", _("Text")
    TEXTAREA = "textarea", _("Long text")
    NUMBER = "number", _("Number")
    DATE = "date", _("Date")
    CHOICE = "choice", _("Choice (one)")
    MULTI_CHOICE = "multichoice", _("Choice (several)")
    YES_NO = "yesno", _("Yes / no")
    EMAIL = "email", _("E-mail")
    PHONE = "phone", _("Phone number")
    CITIZEN_ID = "citizen_id", _("Citizen identity number (CCCD)")
    PASSPORT = "passport", _("Passport number")
    TAX_CODE = "tax_code", _("Tax code")
    ADDRESS = "address", _("Address (province, commune)")
    FILE = "file", _("File upload")
    TABLE = "table", _("Repeating rows (table)")
    STATIC = "static", _("Read-only text")


#: Types that hold no answer.
NO_VALUE_TYPES = {FieldType.STATIC}
#: Types whose values can drive an equals/in condition.
CONDITION_SOURCE_TYPES = {
    FieldType.TEXT,
    FieldType.NUMBER,
    FieldType.CHOICE,
    FieldType.MULTI_CHOICE,
    FieldType.YES_NO,
    FieldType.EMAIL,
    FieldType.PHONE,
    FieldType.CITIZEN_ID,
    FieldType.PASSPORT,
    FieldType.TAX_CODE,
}


class PrefillSource(models.TextChoices):
    """Where a value comes from before the applicant types (QN 16.3c, BN 11.3)."""

    FULL_NAME = "full_name", _("Applicant's full name")
    ID_NUMBER = "id_number", _("Applicant's ID number")
    DATE_OF_BIRTH = "date_of_birth", _("Applicant's date of birth")
    GENDER = "gender", _("Applicant's gender")
    ADDRESS = "address", _("Applicant's address")
    PHONE = "phone", _("Applicant's phone")
    EMAIL = "email", _("Applicant's e-mail")
    ORGANISATION_NAME = "organisation_name", _("Organisation name")
    TAX_CODE = "tax_code", _("Organisation's tax code")
    LAST_VALUE = "last_value", _("The value this applicant gave last time in this field")


class ApplicantField(models.TextChoices):
    """Which detail of the dossier's applicant a field's answer gives (DESIGN 5.1; AG 12.1d: the organisation).

    The designer maps fields to the applicant without code: on submission the answers fill the dossier's
    applicant (kind, organisation name, tax code, name, ID, contacts), overriding the account's profile.
    """

    AS_ORGANISATION = "as_organisation", _("Files as an organisation (yes = organisation)")
    ORGANISATION_NAME = "organisation_name", _("Organisation name")
    TAX_CODE = "tax_code", _("Organisation's tax code")
    FULL_NAME = "full_name", _("Applicant's full name")
    ID_NUMBER = "id_number", _("Applicant's ID number")
    ADDRESS = "address", _("Applicant's address")
    PHONE = "phone", _("Applicant's phone")
    EMAIL = "email", _("Applicant's e-mail")


#: The field types whose answer can give each applicant detail.
APPLICANT_FIELD_TYPES = {
    ApplicantField.AS_ORGANISATION: {FieldType.YES_NO},
    ApplicantField.ORGANISATION_NAME: {FieldType.TEXT},
    ApplicantField.TAX_CODE: {FieldType.TAX_CODE, FieldType.TEXT},
    ApplicantField.FULL_NAME: {FieldType.TEXT},
    ApplicantField.ID_NUMBER: {FieldType.CITIZEN_ID, FieldType.PASSPORT, FieldType.TEXT},
    ApplicantField.ADDRESS: {FieldType.ADDRESS, FieldType.TEXT, FieldType.TEXTAREA},
    ApplicantField.PHONE: {FieldType.PHONE},
    ApplicantField.EMAIL: {FieldType.EMAIL},
}


#: The keys of the profile dict the citizen side passes to eforms.engine.resolve_prefill.
PROFILE_KEYS = tuple(s.value for s in PrefillSource if s != PrefillSource.LAST_VALUE)


class ConditionOperator(models.TextChoices):
    EQUALS = "equals", _("equals")
    IN = "in", _("is one of")
    FILLED = "filled", _("is filled in")
    AT_LEAST = "gte", _("is at least")
    AT_MOST = "lte", _("is at most")


#: Operators that compare a number or a date.
COMPARISONS = {ConditionOperator.AT_LEAST, ConditionOperator.AT_MOST}


class TableColumnType(models.TextChoices):
    TEXT = "text", _("Text")
    NUMBER = "number", _("Number")
    DATE = "date", _("Date")


class TableColumnsField(models.JSONField):
    """``[{"code", "label", "type"}, ...]``, edited in the builder as rows (label and type; the code derived)."""


def parse_choices(text):
    """``"value|label"`` lines → ``[(value, label), ...]`` (a line without ``|`` is its own label)."""
    choices = []
    for line in (text or "").splitlines():
        line = line.strip()
        if not line:
            continue
        value, _sep, label = line.partition("|")
        value, label = value.strip(), label.strip()
        choices.append((value, label or value))
    return choices


class EForm(models.Model):
    procedure = models.ForeignKey(
        "catalog.Procedure", verbose_name=_("procedure"), on_delete=models.PROTECT, related_name="eforms"
    )
    symbol = models.CharField(
        _("form symbol"),
        max_length=20,
        validators=[symbol_validator],
        help_text=_(
            "The symbol of the application form in the procedure, e.g. TK1. "
            "The form code is the procedure code followed by this symbol."
        ),
    )
    code = models.CharField(_("form code"), max_length=64, unique=True, editable=False)
    title = models.CharField(_("title"), max_length=500)
    requires_signature = models.BooleanField(
        _("requires the applicant's digital signature"),
        default=False,
        help_text=_("Tick when the online service requires the applicant to sign the form digitally (QN 16.3d)."),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("e-form")
        verbose_name_plural = _("e-forms")
        ordering = ["code"]

    def __str__(self):
        return f"{self.code} – {self.title}"

    @staticmethod
    def make_code(national_code, symbol):
        return f"{national_code}.{symbol}"

    def clean(self):
        if self.symbol:
            self.symbol = self.symbol.strip().upper()
        if self.procedure_id and self.symbol:
            code = self.make_code(self.procedure.national_code, self.symbol)
            if EForm.objects.filter(code=code).exclude(pk=self.pk).exists():
                raise ValidationError({"symbol": _("The procedure already has a form with this symbol.")})

    def save(self, *args, **kwargs):
        self.symbol = (self.symbol or "").strip().upper()
        self.code = self.make_code(self.procedure.national_code, self.symbol)
        super().save(*args, **kwargs)

    @property
    def published_version(self):
        return self.versions.filter(status=VersionStatus.PUBLISHED).first()

    @property
    def draft_version(self):
        return self.versions.filter(status=VersionStatus.DRAFT).first()


class FormVersion(ClusterableModel):
    eform = models.ForeignKey(EForm, verbose_name=_("e-form"), on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField(_("version"), editable=False)
    status = models.CharField(
        _("status"), max_length=10, choices=VersionStatus.choices, default=VersionStatus.DRAFT, editable=False
    )
    note = models.CharField(
        _("change note"), max_length=500, blank=True, help_text=_("What changed in this version (for other admins).")
    )
    published_at = models.DateTimeField(_("published at"), null=True, blank=True, editable=False)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("published by"),
        null=True,
        blank=True,
        editable=False,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    history = HistoricalRecords()

    panels = [
        FieldPanel("note"),
        InlinePanel("sections", heading=_("Sections (one wizard step each)"), label=_("Section")),
    ]

    class Meta:
        verbose_name = _("e-form version")
        verbose_name_plural = _("e-form versions")
        ordering = ["eform__code", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["eform", "number"], name="eforms_version_unique_number"),
            models.UniqueConstraint(
                fields=["eform"], condition=models.Q(status="published"), name="eforms_one_published_version"
            ),
            models.UniqueConstraint(
                fields=["eform"], condition=models.Q(status="draft"), name="eforms_one_draft_version"
            ),
        ]

    def __str__(self):
        return f"{self.eform.code} v{self.number} ({self.get_status_display()})"

    @property
    def is_draft(self):
        return self.status == VersionStatus.DRAFT

    def stored_status(self):
        if not self.pk:
            return VersionStatus.DRAFT
        return FormVersion.objects.filter(pk=self.pk).values_list("status", flat=True).first() or VersionStatus.DRAFT

    def save(self, *args, **kwargs):
        # Only the services change a frozen version, and only its status (published → retired).
        if self.pk and not getattr(self, "_status_transition", False):
            if self.stored_status() != VersionStatus.DRAFT:
                raise VersionFrozen(self)
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        if self.stored_status() != VersionStatus.DRAFT:
            raise VersionFrozen(self)
        return super().delete(*args, **kwargs)


def _guard_version(version_id):
    status = FormVersion.objects.filter(pk=version_id).values_list("status", flat=True).first()
    if status is not None and status != VersionStatus.DRAFT:
        raise VersionFrozen(version_id)


class ConditionMixin(models.Model):
    """Show this item only when an earlier field has a given value (DESIGN 4: conditional display)."""

    condition_field = models.CharField(
        _("show only if field"),
        max_length=50,
        blank=True,
        help_text=_("Code of an earlier field. Leave empty to always show."),
    )
    condition_operator = models.CharField(_("condition"), max_length=10, choices=ConditionOperator.choices, blank=True)
    condition_value = models.CharField(
        _("value(s)"),
        max_length=500,
        blank=True,
        help_text=_(
            "For “equals”: one value; for “is one of”: values separated by commas. For yes/no fields use yes or no."
        ),
    )

    class Meta:
        abstract = True

    @property
    def has_condition(self):
        return bool(self.condition_field)

    def condition_values(self):
        if self.condition_operator == ConditionOperator.IN:
            return [v.strip() for v in self.condition_value.split(",") if v.strip()]
        if self.condition_operator == ConditionOperator.EQUALS or self.condition_operator in COMPARISONS:
            return [self.condition_value.strip()]
        return []

    def clean_condition(self):
        errors = {}
        if self.condition_field:
            if not self.condition_operator:
                errors["condition_operator"] = _("Choose how the field is compared.")
            elif self.condition_operator != ConditionOperator.FILLED and not self.condition_values():
                errors["condition_value"] = _("Enter the value(s) that show this item.")
        elif self.condition_operator or self.condition_value:
            errors["condition_field"] = _("Enter the code of the field the condition depends on.")
        return errors


class FormSection(ClusterableModel, ConditionMixin, Orderable):
    version = ParentalKey(FormVersion, verbose_name=_("version"), on_delete=models.CASCADE, related_name="sections")
    title = models.CharField(_("title"), max_length=255)
    help_text = models.TextField(_("help"), blank=True)

    history = ChildHistoricalRecords()

    panels = [
        FieldPanel("title"),
        FieldPanel("help_text"),
        MultiFieldPanel(
            [
                FieldPanel("condition_field"),
                FieldRowPanel([FieldPanel("condition_operator"), FieldPanel("condition_value")]),
            ],
            heading=_("Show this section only if…"),
        ),
        InlinePanel("fields", heading=_("Fields"), label=_("Field")),
    ]

    class Meta(Orderable.Meta):
        verbose_name = _("form section")
        verbose_name_plural = _("form sections")

    def __str__(self):
        return self.title

    def clean(self):
        errors = self.clean_condition()
        if errors:
            raise ValidationError(errors)

    def save(self, *args, **kwargs):
        _guard_version(self.version_id)
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        _guard_version(self.version_id)
        return super().delete(*args, **kwargs)


class FormField(ConditionMixin, Orderable):
    section = ParentalKey(FormSection, verbose_name=_("section"), on_delete=models.CASCADE, related_name="fields")
    code = models.CharField(
        _("code"),
        max_length=50,
        validators=[field_code_validator],
        help_text=_("Unique within the form, e.g. ho_ten. It names the value in the submitted data."),
    )
    label = models.CharField(_("label"), max_length=500)
    help_text = models.TextField(_("help text"), blank=True)
    type = models.CharField(_("type"), max_length=12, choices=FieldType.choices, default=FieldType.TEXT)
    required = models.BooleanField(_("required"), default=False)
    # Validation
    min_length = models.PositiveIntegerField(_("minimum length"), null=True, blank=True)
    max_length = models.PositiveIntegerField(_("maximum length"), null=True, blank=True)
    min_value = models.DecimalField(_("minimum value"), max_digits=18, decimal_places=4, null=True, blank=True)
    max_value = models.DecimalField(_("maximum value"), max_digits=18, decimal_places=4, null=True, blank=True)
    pattern = models.CharField(
        _("pattern (regular expression)"),
        max_length=200,
        blank=True,
        help_text=_("The whole answer must match, e.g. [0-9]{6} for six digits."),
    )
    pattern_message = models.CharField(_("message when the pattern does not match"), max_length=255, blank=True)
    preset = models.CharField(_("check"), max_length=20, choices=Preset.choices, blank=True)
    min_date = models.DateField(_("earliest date"), null=True, blank=True)
    max_date = models.DateField(_("latest date"), null=True, blank=True)
    default = models.CharField(
        _("default value"),
        max_length=500,
        blank=True,
        help_text=_(
            "For several choices separate values with commas; for dates use YYYY-MM-DD; for yes/no use yes or no."
        ),
    )
    choices = models.TextField(
        _("choices"), blank=True, help_text=_("One per line: value|label, e.g. ca_nhan|Cá nhân.")
    )
    # Files
    file_types = models.CharField(
        _("allowed file types"),
        max_length=100,
        blank=True,
        # Formatted lazily: a translation resolved at import time would be frozen in one language.
        help_text=lazy(
            lambda: (
                _("Comma-separated extensions among: %(types)s. Empty: PDF, JPG and PNG.")
                % {"types": ", ".join(FILE_TYPES)}
            ),
            str,
        )(),
    )
    max_file_mb = models.PositiveSmallIntegerField(_("maximum file size (MB)"), null=True, blank=True)
    # Repeating rows
    table_columns = TableColumnsField(
        _("table columns"),
        default=list,
        blank=True,
        help_text=_("One column per line: code|label|type, where type is text, number or date."),
    )
    min_rows = models.PositiveSmallIntegerField(_("minimum rows"), null=True, blank=True)
    max_rows = models.PositiveSmallIntegerField(_("maximum rows"), null=True, blank=True)
    # Address
    address_province = models.CharField(
        _("limit to province (code)"),
        max_length=2,
        blank=True,
        help_text=_("For address fields: the 2-digit code of the only province allowed, e.g. 22 for Quảng Ninh."),
    )
    # Read-only text
    content = models.TextField(_("text shown (read-only text fields)"), blank=True)
    # Prefill
    prefill_source = models.CharField(_("prefill from"), max_length=20, choices=PrefillSource.choices, blank=True)
    editable_after_prefill = models.BooleanField(
        _("applicant may change the prefilled value"),
        default=True,
        help_text=_("Untick to keep the prefilled value read-only (e.g. the name from the national e-ID)."),
    )
    # The dossier's applicant
    applicant_field = models.CharField(
        _("fills the applicant's"),
        max_length=20,
        choices=ApplicantField.choices,
        blank=True,
        help_text=_(
            "The dossier records this answer as the applicant's detail, shown to officials, on the slips and "
            "on the public lookup. For “files as an organisation” use a yes/no field; the organisation's name "
            "and tax code then come from the fields marked for them."
        ),
    )

    history = ChildHistoricalRecords()

    panels = [
        FieldRowPanel([FieldPanel("code"), FieldPanel("type"), FieldPanel("required")]),
        FieldPanel("label"),
        FieldPanel("help_text"),
        MultiFieldPanel(
            [
                FieldRowPanel([FieldPanel("min_length"), FieldPanel("max_length")]),
                FieldRowPanel([FieldPanel("min_value"), FieldPanel("max_value")]),
                FieldRowPanel([FieldPanel("pattern"), FieldPanel("pattern_message")]),
                FieldPanel("default"),
            ],
            heading=_("Validation and default"),
        ),
        FieldPanel("choices"),
        MultiFieldPanel(
            [
                FieldRowPanel([FieldPanel("file_types"), FieldPanel("max_file_mb")]),
                FieldPanel("table_columns"),
                FieldRowPanel([FieldPanel("min_rows"), FieldPanel("max_rows")]),
                FieldPanel("address_province"),
                FieldPanel("content"),
            ],
            heading=_("Files, tables, addresses and read-only text"),
        ),
        MultiFieldPanel(
            [
                FieldRowPanel([FieldPanel("prefill_source"), FieldPanel("editable_after_prefill")]),
                FieldPanel("applicant_field"),
            ],
            heading=_("Prefill and the applicant"),
        ),
        MultiFieldPanel(
            [
                FieldPanel("condition_field"),
                FieldRowPanel([FieldPanel("condition_operator"), FieldPanel("condition_value")]),
            ],
            heading=_("Show this field only if…"),
        ),
    ]

    class Meta(Orderable.Meta):
        verbose_name = _("form field")
        verbose_name_plural = _("form fields")

    def __str__(self):
        return f"{self.code} – {self.label}"

    # --- derived configuration --------------------------------------------------
    def choice_list(self):
        return parse_choices(self.choices)

    def allowed_file_types(self):
        types = [t.strip().lower().lstrip(".") for t in (self.file_types or "").split(",") if t.strip()]
        return types or ["pdf", "jpg", "jpeg", "png"]

    def max_file_bytes(self):
        return min(self.max_file_mb or MAX_FILE_MB, MAX_FILE_MB) * 1024 * 1024

    @property
    def holds_value(self):
        return self.type not in NO_VALUE_TYPES

    def clean(self):
        errors = self.clean_condition()
        if self.condition_field and self.condition_field == self.code:
            errors["condition_field"] = _("A field cannot depend on itself.")
        if self.min_length is not None and self.max_length is not None and self.min_length > self.max_length:
            errors["max_length"] = _("The maximum length is smaller than the minimum length.")
        if self.min_value is not None and self.max_value is not None and self.min_value > self.max_value:
            errors["max_value"] = _("The maximum value is smaller than the minimum value.")
        if self.pattern:
            try:
                re.compile(self.pattern)
            except re.error as exc:
                errors["pattern"] = _("This is not a valid regular expression: %(error)s") % {"error": exc}
        if self.preset and self.preset not in offered(self.type):
            errors["preset"] = _("This check does not apply to a field of this type.")
        if self.preset == Preset.PATTERN and not self.pattern:
            errors["pattern"] = _("Enter the pattern, or choose another check.")
        if self.min_date and self.max_date and self.min_date > self.max_date:
            errors["max_date"] = _("The latest date is before the earliest date.")
        if self.type in (FieldType.CHOICE, FieldType.MULTI_CHOICE):
            values = [value for value, _label in self.choice_list()]
            if not values:
                errors["choices"] = _("Enter at least one choice.")
            elif len(set(values)) != len(values):
                errors["choices"] = _("Each choice needs a different value.")
        if self.type == FieldType.FILE:
            unknown = sorted(set(self.allowed_file_types()) - set(FILE_TYPES))
            if unknown:
                errors["file_types"] = _("Not allowed: %(types)s.") % {"types": ", ".join(unknown)}
            if self.max_file_mb is not None and not 1 <= self.max_file_mb <= MAX_FILE_MB:
                errors["max_file_mb"] = _("Between 1 and %(max)s MB.") % {"max": MAX_FILE_MB}
        if self.type == FieldType.TABLE:
            if not self.table_columns:
                errors["table_columns"] = _("Enter at least one column.")
            if self.max_rows is not None and not 1 <= self.max_rows <= MAX_TABLE_ROWS:
                errors["max_rows"] = _("Between 1 and %(max)s rows.") % {"max": MAX_TABLE_ROWS}
            if self.min_rows and self.max_rows and self.min_rows > self.max_rows:
                errors["max_rows"] = _("The maximum is smaller than the minimum.")
        if self.type == FieldType.ADDRESS and self.address_province:
            from eforms.divisions import is_province

            if not is_province(self.address_province):
                errors["address_province"] = _("Unknown province code.")
        if self.type == FieldType.STATIC:
            if not self.content:
                errors["content"] = _("Enter the text to show.")
        if self.prefill_source and self.type in (FieldType.STATIC, FieldType.FILE, FieldType.TABLE):
            errors["prefill_source"] = _("This type of field cannot be prefilled.")
        if self.applicant_field and self.type not in APPLICANT_FIELD_TYPES.get(self.applicant_field, ()):
            errors["applicant_field"] = _("A field of this type cannot give this detail of the applicant.")
        if errors:
            raise ValidationError(errors)

    def save(self, *args, **kwargs):
        section_version = FormSection.objects.filter(pk=self.section_id).values_list("version_id", flat=True).first()
        if section_version is not None:
            _guard_version(section_version)
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        section_version = FormSection.objects.filter(pk=self.section_id).values_list("version_id", flat=True).first()
        if section_version is not None:
            _guard_version(section_version)
        return super().delete(*args, **kwargs)


class DraftStatus(models.TextChoices):
    OPEN = "open", _("Being filled in")
    SUBMITTED = "submitted", _("Submitted")


class FormDraftQuerySet(models.QuerySet):
    def open(self):
        return self.filter(status=DraftStatus.OPEN)

    def owned_by(self, user):
        if not (user and user.is_authenticated):
            return self.none()
        return self.filter(user=user)


class FormDraft(models.Model):
    """One applicant's filling of one form version, from the first step to the dossier it became.

    ``state`` is the wizard's own storage (step data and references to the
    files kept in private storage), checkpointed on every step so the
    applicant can resume on another day or device. Once submitted the row
    stays as the record of what was filled in: ``values`` (cleaned, in field
    order), the version it was filled with and the dossier it created; the
    ``submission_token`` makes the final submit idempotent.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("applicant account"),
        on_delete=models.CASCADE,
        related_name="eform_drafts",
    )
    # PROTECT: the version a dossier was filled with must outlive it.
    version = models.ForeignKey(
        FormVersion, verbose_name=_("form version"), on_delete=models.PROTECT, related_name="drafts"
    )
    status = models.CharField(_("status"), max_length=10, choices=DraftStatus.choices, default=DraftStatus.OPEN)
    current_step = models.CharField(_("current step"), max_length=20, default="", blank=True)
    state = models.JSONField(_("wizard state"), default=dict, blank=True)
    prefill = models.JSONField(_("prefilled values"), default=dict, blank=True)
    values = models.JSONField(_("values"), default=dict, blank=True)
    submission_token = models.UUIDField(_("submission token"), default=uuid.uuid4, unique=True, editable=False)
    dossier = models.OneToOneField(
        "workflow.Dossier",
        verbose_name=_("dossier"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="eform_draft",
    )
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = FormDraftQuerySet.as_manager()

    class Meta:
        verbose_name = _("e-form filling")
        verbose_name_plural = _("e-form fillings")
        ordering = ["-updated_at"]
        indexes = [models.Index(fields=["user", "status", "-updated_at"])]

    def __str__(self):
        return f"{self.version.eform.code} – {self.user} ({format_datetime(self.updated_at)})"

    @property
    def is_submitted(self):
        return self.status == DraftStatus.SUBMITTED

    @property
    def attached_files(self):
        """``[{"name", "size"}]`` of the files kept in ``state`` (uploaded to this filling and not removed)."""
        return [
            {"name": info.get("name", ""), "size": info.get("size")}
            for step_files in (self.state or {}).get("step_files", {}).values()
            for info in step_files.values()
        ]
