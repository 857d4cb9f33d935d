"""One engine turns a form version (rows) into Django forms, evaluates conditions and formats answers.

The wizard, the admin preview, the review page, the PDF and the bench all go
through here, so a rule (a condition, a prefill, a format) exists once.

A version is first compiled into a plain :class:`Definition` (dataclasses, no
database access afterwards). Published and retired versions never change, so
their definitions and form classes are cached per process; a draft (edited in
the admin) is compiled afresh every time.

Values are kept as JSON: text as strings, numbers as JSON numbers, dates as
ISO strings, yes/no as ``"yes"``/``"no"``, several choices as a list, an
address as a dict, a table as a list of dicts, a file as a reference dict.
"""

import re
import threading
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from django import forms
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.core.validators import RegexValidator
from django.utils.formats import number_format
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from eforms import divisions, presets
from eforms import validators as vn
from eforms.files import describe_upload, is_reference
from eforms.formfields import (
    DATE_INPUT_FORMATS,
    YES_NO_CHOICES,
    AddressField,
    EFormFileField,
    NumberField,
    StaticTextField,
    TableField,
    number_to_json,
    parse_date,
)
from eforms.models import (
    COMPARISONS,
    ConditionOperator,
    FieldType,
    FormField,
    FormSection,
    PrefillSource,
    VersionStatus,
    parse_choices,
)
from portal.core.formatting import format_date

# --- compiled definition ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Condition:
    field: str
    operator: str
    values: tuple

    def holds(self, answers) -> bool:
        """Whether the item shows, given the answers so far (an unanswered or hidden field is empty)."""
        value = answers.get(self.field)
        if self.operator == ConditionOperator.FILLED:
            return is_filled(value)
        if self.operator in COMPARISONS:
            return _compares(value, self.operator, self.values[0] if self.values else "")
        given = [str(v) for v in value] if isinstance(value, list) else [_condition_text(value)]
        # "equals" on a multi-choice means "this option is ticked": the admin sees one value per choice.
        return any(v in self.values for v in given if v != "")

    def as_attrs(self):
        return {"field": self.field, "operator": self.operator, "values": "|".join(self.values)}


def _compares(value, operator, bound) -> bool:
    """A number (JSON number or text) or an ISO date against the condition's bound; an empty answer fails."""
    if not is_filled(value):
        return False
    try:
        if isinstance(value, (int, float, Decimal)) or not re.fullmatch(r"\d{4}-\d{2}-\d{2}", str(value)):
            left, right = Decimal(str(value)), Decimal(bound)
        else:
            left, right = date.fromisoformat(str(value)), date.fromisoformat(bound)
    except (InvalidOperation, ValueError):
        return False
    return left >= right if operator == ConditionOperator.AT_LEAST else left <= right


def _condition_text(value):
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def is_filled(value) -> bool:
    if value is None:
        return False
    if isinstance(value, str):
        return value.strip() != ""
    if isinstance(value, (list, tuple)):
        return len(value) > 0
    if isinstance(value, dict):
        return any(is_filled(v) for k, v in value.items() if k in ("province", "commune", "street", "name"))
    return True


def _condition_of(item):
    if not item.condition_field:
        return None
    return Condition(
        item.condition_field, item.condition_operator or ConditionOperator.FILLED, tuple(item.condition_values())
    )


@dataclass
class FieldDef:
    code: str
    label: str
    type: str
    help_text: str = ""
    required: bool = False
    min_length: int | None = None
    max_length: int | None = None
    min_value: Decimal | None = None
    max_value: Decimal | None = None
    pattern: str = ""
    pattern_message: str = ""
    preset: str = ""
    min_date: date | None = None
    max_date: date | None = None
    default: str = ""
    choices: tuple = ()
    file_types: tuple = ()
    max_bytes: int = 0
    columns: tuple = ()
    min_rows: int | None = None
    max_rows: int | None = None
    province: str = ""
    content: str = ""
    prefill_source: str = ""
    editable_after_prefill: bool = True
    applicant_field: str = ""
    condition: Condition | None = None

    @property
    def holds_value(self):
        return self.type != FieldType.STATIC

    def choice_label(self, value):
        for choice_value, label in self.choices:
            if choice_value == value:
                return label
        return value


@dataclass
class SectionDef:
    key: str  # the wizard step name
    title: str
    help_text: str = ""
    condition: Condition | None = None
    fields: list = field(default_factory=list)


@dataclass
class Definition:
    version_id: int
    version_number: int
    frozen: bool
    form_code: str
    title: str
    procedure_id: int
    requires_signature: bool
    sections: list

    def __post_init__(self):
        self.fields_by_code = {f.code: f for s in self.sections for f in s.fields}
        self.section_of = {f.code: s.key for s in self.sections for f in s.fields}
        self.sections_by_key = {s.key: s for s in self.sections}

    @property
    def fields(self):
        return [f for s in self.sections for f in s.fields]


def section_key(index) -> str:
    return f"s{index + 1}"


def _field_def(row: FormField) -> FieldDef:
    return FieldDef(
        code=row.code,
        label=row.label,
        type=row.type,
        help_text=row.help_text,
        required=row.required,
        min_length=row.min_length,
        max_length=row.max_length,
        min_value=row.min_value,
        max_value=row.max_value,
        pattern=row.pattern,
        pattern_message=row.pattern_message,
        preset=row.preset,
        min_date=row.min_date,
        max_date=row.max_date,
        default=row.default,
        choices=tuple(parse_choices(row.choices)) if row.type in (FieldType.CHOICE, FieldType.MULTI_CHOICE) else (),
        file_types=tuple(row.allowed_file_types()) if row.type == FieldType.FILE else (),
        max_bytes=row.max_file_bytes() if row.type == FieldType.FILE else 0,
        columns=tuple(dict(c) for c in (row.table_columns or [])) if row.type == FieldType.TABLE else (),
        min_rows=row.min_rows,
        max_rows=row.max_rows,
        province=row.address_province,
        content=row.content,
        prefill_source=row.prefill_source,
        editable_after_prefill=row.editable_after_prefill,
        applicant_field=row.applicant_field,
        condition=_condition_of(row),
    )


def compile_sections(sections_with_fields):
    """``[(section, [field, ...]), ...]`` (saved or not) → ``[SectionDef]``; used by the preview of unsaved edits."""
    return [
        SectionDef(
            key=section_key(index),
            title=section.title,
            help_text=section.help_text,
            condition=_condition_of(section),
            fields=[_field_def(f) for f in fields],
        )
        for index, (section, fields) in enumerate(sections_with_fields)
    ]


_cache = {}
_cache_lock = threading.Lock()


def definition_of(version, sections_with_fields, *, unsaved=False) -> Definition:
    """The definition of ``version`` with the given ``[(section, [field, ...])]``: its saved rows, or (``unsaved``)
    the builder's edits for the live preview — never frozen, so never cached as the version's."""
    eform = version.eform
    return Definition(
        version_id=version.pk,
        version_number=version.number,
        frozen=not unsaved and version.status != VersionStatus.DRAFT,
        form_code=eform.code,
        title=eform.title,
        procedure_id=eform.procedure_id,
        requires_signature=eform.requires_signature,
        sections=compile_sections(sections_with_fields),
    )


def load_definition(version) -> Definition:
    """The compiled definition of ``version`` (an instance with ``eform`` loaded, or an id)."""
    version_id = getattr(version, "pk", version)
    cached = _cache.get(version_id)
    if cached is not None:
        return cached
    from eforms.models import FormVersion

    if not hasattr(version, "pk"):
        version = FormVersion.objects.select_related("eform").get(pk=version_id)
    sections = list(FormSection.objects.filter(version_id=version_id).order_by("sort_order", "pk"))
    fields_by_section = {}
    for row in FormField.objects.filter(section__version_id=version_id).order_by("sort_order", "pk"):
        fields_by_section.setdefault(row.section_id, []).append(row)
    definition = definition_of(version, [(s, fields_by_section.get(s.pk, [])) for s in sections])
    if definition.frozen:
        with _cache_lock:
            _cache[version_id] = definition
    return definition


def clear_cache():
    with _cache_lock:
        _cache.clear()
        _class_cache.clear()


# --- Django form fields -------------------------------------------------------------------------------------


class NormalisedCharField(forms.CharField):
    """A text input whose value is normalised by one of :mod:`eforms.validators` (phone, ID numbers)."""

    def __init__(self, *, normalise, **kwargs):
        self.normalise = normalise
        super().__init__(**kwargs)

    def to_python(self, value):
        value = super().to_python(value)
        if value in self.empty_values:
            return value
        return self.normalise(value)


class FullMatchValidator(RegexValidator):
    def __init__(self, pattern, message):
        super().__init__(
            regex=rf"(?:{pattern})\Z", message=message or _("The answer is not in the expected format."), code="pattern"
        )

    def __call__(self, value):
        # The admin's pattern applies to the whole answer, not a substring.
        if not re.match(self.regex, str(value)):
            raise ValidationError(self.message, code=self.code)


class DateBoundsValidator:
    """The earliest and latest date of a date field (its range, or "not after today" / "from today on"),
    computed when the answer is checked so "today" is the day of filling."""

    def __init__(self, fdef):
        self.preset, self.min_date, self.max_date = fdef.preset, fdef.min_date, fdef.max_date

    def __call__(self, value):
        earliest, latest = presets.date_bounds(self.preset, self.min_date, self.max_date)
        if earliest and value < earliest:
            raise ValidationError(
                _("The date must be on or after %(date)s.") % {"date": format_date(earliest)}, code="min_date"
            )
        if latest and value > latest:
            raise ValidationError(
                _("The date must be on or before %(date)s.") % {"date": format_date(latest)}, code="max_date"
            )


class DateField(forms.DateField):
    widget = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    input_formats = DATE_INPUT_FORMATS


IDENTIFIER_TYPES = {
    FieldType.PHONE: (vn.normalise_phone, {"inputmode": "tel", "autocomplete": "tel"}),
    FieldType.CITIZEN_ID: (vn.normalise_citizen_id, {"inputmode": "numeric", "maxlength": 12}),
    FieldType.PASSPORT: (vn.normalise_passport, {"maxlength": 9}),
    FieldType.TAX_CODE: (vn.normalise_tax_code, {"inputmode": "numeric", "maxlength": 14}),
}


def make_field(fdef: FieldDef) -> forms.Field:
    """The Django field of one e-form field (required is decided by the form, conditions included)."""
    common = {"label": fdef.label, "help_text": fdef.help_text, "required": fdef.required}
    kind = fdef.type
    text_validators = [FullMatchValidator(fdef.pattern, fdef.pattern_message)] if fdef.pattern else []
    lengths = {"min_length": fdef.min_length, "max_length": fdef.max_length}
    if kind == FieldType.TEXT and fdef.preset in presets.TEXT_NORMALISERS:
        return NormalisedCharField(
            normalise=presets.TEXT_NORMALISERS[fdef.preset],
            widget=forms.TextInput(attrs=presets.TEXT_ATTRS.get(fdef.preset, {})),
            **common,
        )
    if kind == FieldType.TEXT:
        return forms.CharField(validators=text_validators, **lengths, **common)
    if kind == FieldType.TEXTAREA:
        return forms.CharField(
            widget=forms.Textarea(attrs={"rows": 4}), validators=text_validators, **lengths, **common
        )
    if kind == FieldType.NUMBER:
        return NumberField(
            min_value=fdef.min_value,
            max_value=fdef.max_value,
            widget=forms.TextInput(attrs={"inputmode": "decimal"}),
            **common,
        )
    if kind == FieldType.DATE:
        return DateField(validators=[DateBoundsValidator(fdef)], **common)
    if kind == FieldType.CHOICE:
        if len(fdef.choices) <= 5:
            return forms.ChoiceField(choices=list(fdef.choices), widget=forms.RadioSelect, **common)
        return forms.ChoiceField(choices=[("", gettext("— Choose —"))] + list(fdef.choices), **common)
    if kind == FieldType.MULTI_CHOICE:
        return forms.MultipleChoiceField(choices=list(fdef.choices), widget=forms.CheckboxSelectMultiple, **common)
    if kind == FieldType.YES_NO:
        return forms.ChoiceField(choices=YES_NO_CHOICES, widget=forms.RadioSelect, **common)
    if kind == FieldType.EMAIL:
        return forms.EmailField(widget=forms.EmailInput(attrs={"autocomplete": "email"}), **lengths, **common)
    if kind in IDENTIFIER_TYPES:
        normalise, attrs = IDENTIFIER_TYPES[kind]
        return NormalisedCharField(
            normalise=normalise, widget=forms.TextInput(attrs=attrs), validators=text_validators, **common
        )
    if kind == FieldType.ADDRESS:
        return AddressField(province_code=fdef.province, **common)
    if kind == FieldType.FILE:
        return EFormFileField(allowed_types=fdef.file_types, max_bytes=fdef.max_bytes, **common)
    if kind == FieldType.TABLE:
        return TableField(columns=fdef.columns, min_rows=fdef.min_rows, max_rows=fdef.max_rows, **common)
    if kind == FieldType.STATIC:
        return StaticTextField(content=fdef.content, label=fdef.label)
    raise ValueError(f"unknown field type {kind}")


def to_json(fdef: FieldDef, value):
    """A cleaned Python value as stored in the submission."""
    if value is None:
        return None
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return number_to_json(value)
    if isinstance(value, UploadedFile) or (hasattr(value, "read") and hasattr(value, "name")):
        return describe_upload(value)
    if isinstance(value, (list, tuple)):
        return list(value)
    return value


# --- the step form -------------------------------------------------------------------------------------


class SectionForm(forms.Form):
    """The form of one section (one wizard step).

    ``answers`` holds the values of the earlier steps. A field whose condition
    depends on an earlier step is left out when the condition fails; one whose
    condition depends on this step is rendered (JavaScript hides it) and, when
    its condition fails once the step is cleaned, its value is dropped and
    ``required`` does not apply. ``dropped`` lists the fields whose posted
    values were thrown away; ``ignored_keys`` the posted names that are no
    field of this step at all (a tampered post).
    """

    template_name = "eforms/includes/section_form.html"
    section: SectionDef = None
    field_defs: dict = None

    def __init__(self, *args, answers=None, prefill=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.answers = answers or {}
        self.prefill = prefill or {}
        self.dropped = []
        self.hidden = set()
        for fdef in self.section.fields:
            condition = fdef.condition
            if condition and condition.field in self.answers and not condition.holds(self.answers):
                del self.fields[fdef.code]  # decided by an earlier step: not asked at all
                self.hidden.add(fdef.code)
                continue
            field_obj = self.fields[fdef.code]
            if fdef.code in self.prefill and is_filled(self.prefill[fdef.code]):
                self.initial.setdefault(fdef.code, self.prefill[fdef.code])
                if not fdef.editable_after_prefill:
                    field_obj.disabled = True  # the posted value is ignored; the prefilled one is used
                    field_obj.prefilled_locked = True
            elif fdef.default and fdef.holds_value:
                self.initial.setdefault(fdef.code, default_value(fdef))

    def _clean_fields(self):
        answers = dict(self.answers)
        for name, bf in self._bound_items():
            fdef = self.field_defs[name]
            if fdef.condition and not fdef.condition.holds(answers):
                self.hidden.add(name)
                if _posted_something(bf):
                    self.dropped.append(fdef)
                continue
            try:
                value = bf.field._clean_bound_field(bf)
            except ValidationError as error:
                self.add_error(name, error)
                continue
            self.cleaned_data[name] = value
            if fdef.holds_value:
                answers[name] = to_json(fdef, value)

    @property
    def values(self):
        """The JSON values of the visible fields that hold an answer (after ``is_valid()``)."""
        result = {}
        for fdef in self.section.fields:
            if fdef.code in self.cleaned_data and fdef.holds_value and fdef.code not in self.hidden:
                result[fdef.code] = to_json(fdef, self.cleaned_data[fdef.code])
        return result

    def ignored_keys(self):
        """Posted names under this step's prefix that no visible field reads."""
        if not self.is_bound:
            return []
        prefix = f"{self.prefix}-" if self.prefix else ""
        known = []
        for name in self.fields:
            known.append(self.add_prefix(name))
        ignored = []
        for key in list(self.data.keys()) + list(self.files.keys()):
            if not key.startswith(prefix):
                continue
            if any(key == k or key.startswith(f"{k}_") or key.startswith(f"{k}-") for k in known):
                continue
            ignored.append(key[len(prefix) :])
        return ignored

    def rows(self):
        """What the template needs per visible field: the bound field, its type, its same-step condition."""
        result = []
        for bf in self:
            fdef = self.field_defs[bf.name]
            condition = None
            if fdef.condition and fdef.condition.field in self.field_defs:
                controller = self.field_defs[fdef.condition.field]
                condition = {
                    "name": self.add_prefix(controller.code),
                    "operator": fdef.condition.operator,
                    "values": "|".join(fdef.condition.values),
                    "note": condition_note(fdef.condition, controller),
                }
            result.append(
                {
                    "bf": bf,
                    "fdef": fdef,
                    "condition": condition,
                    "locked": getattr(bf.field, "prefilled_locked", False),
                    "fieldset": getattr(bf.field.widget, "use_fieldset", False),
                }
            )
        return result


def condition_note(condition, controller):
    """The condition in words, shown when JavaScript cannot hide the field."""
    if condition.operator == ConditionOperator.FILLED:
        return gettext("Answer only if “%(label)s” is filled in.") % {"label": controller.label}
    if condition.operator in COMPARISONS:
        bound = display_value(controller, condition.values[0]) if condition.values else ""
        text = (
            gettext("Answer only if “%(label)s” is at least %(value)s.")
            if condition.operator == ConditionOperator.AT_LEAST
            else gettext("Answer only if “%(label)s” is at most %(value)s.")
        )
        return text % {"label": controller.label, "value": bound}
    shown = [
        display_value(controller, v) if controller.type != FieldType.MULTI_CHOICE else str(controller.choice_label(v))
        for v in condition.values
    ]
    return gettext("Answer only if “%(label)s” is %(values)s.") % {
        "label": controller.label,
        "values": gettext(" or ").join(f"“{v}”" for v in shown),
    }


def _posted_something(bf) -> bool:
    try:
        value = bf.data
    except Exception:  # noqa: BLE001 — a widget that cannot read tampered data counts as posted
        return True
    return is_filled(value) if not isinstance(value, list) else any(is_filled(v) for v in value)


def default_value(fdef: FieldDef):
    if fdef.type == FieldType.MULTI_CHOICE:
        return [v.strip() for v in fdef.default.split(",") if v.strip()]
    return fdef.default


_class_cache = {}


def section_form_class(definition: Definition, section: SectionDef):
    """The form class of one section; cached for frozen versions."""
    key = (definition.version_id, section.key)
    if definition.frozen and key in _class_cache:
        return _class_cache[key]
    attrs = {fdef.code: make_field(fdef) for fdef in section.fields}
    attrs.update(section=section, field_defs={f.code: f for f in section.fields})
    form_class = type(f"SectionForm_{definition.version_id}_{section.key}", (SectionForm,), attrs)
    if definition.frozen:
        with _cache_lock:
            _class_cache[key] = form_class
    return form_class


def section_visible(section: SectionDef, answers) -> bool:
    return section.condition is None or section.condition.holds(answers)


# --- prefill (QN 16.3c, BN 11.3) ------------------------------------------------------------------------


def profile_values(profile) -> dict:
    """The prefill sources of a citizen profile (``portal.CitizenProfile`` or None) as JSON values."""
    if profile is None:
        return {}
    from eforms.models import PROFILE_KEYS

    result = {}
    for key in PROFILE_KEYS:
        value = getattr(profile, key, "")
        if isinstance(value, date):
            value = value.isoformat()
        if value not in (None, ""):
            result[key] = value
    return result


def resolve_prefill(definition: Definition, profile: dict, last_values: dict) -> dict:
    """code → value for every field with a prefill source that has a value."""
    result = {}
    for fdef in definition.fields:
        source = fdef.prefill_source
        if not source:
            continue
        if source == PrefillSource.LAST_VALUE:
            value = last_values.get(fdef.code)
        else:
            value = profile.get(source)
        value = _fit(fdef, value)
        if is_filled(value):
            result[fdef.code] = value
    return result


def _fit(fdef, value):
    """A profile or earlier value in the shape the field expects (or None when it does not fit)."""
    if value is None:
        return None
    kind = fdef.type
    if kind == FieldType.ADDRESS:
        if isinstance(value, dict):
            return value
        return {"province": fdef.province, "commune": "", "street": str(value)}
    if isinstance(value, dict):
        return None
    if kind == FieldType.MULTI_CHOICE:
        return value if isinstance(value, list) else [str(value)]
    if isinstance(value, list):
        return None
    if kind in (FieldType.CHOICE, FieldType.YES_NO):
        allowed = [c[0] for c in fdef.choices] if kind == FieldType.CHOICE else ["yes", "no"]
        return str(value) if str(value) in allowed else None
    return value


# --- the dossier's applicant (DESIGN 5.1, AG 12.1d) ------------------------------------------------------


def applicant_answers(definition: Definition, values: dict) -> dict:
    """applicant detail (:class:`~eforms.models.ApplicantField`) → the answer as text, for every mapped field.

    A detail whose field is mapped but was hidden or left empty is ``""``, so the caller can tell "the form
    asks and the answer is empty" from "the form does not ask".
    """
    result = {}
    for fdef in definition.fields:
        if not fdef.applicant_field:
            continue
        value = values.get(fdef.code)
        if fdef.type in (FieldType.YES_NO, FieldType.CHOICE):
            text = str(value or "")  # the stored value ("yes"/"no"), not its translated label
        else:
            text = display_value(fdef, value).strip()
        if text or fdef.applicant_field not in result:
            result[fdef.applicant_field] = text
    return result


# --- whole submission -----------------------------------------------------------------------------------


@dataclass
class Outcome:
    values: dict  # code -> JSON value, visible fields only, in form order
    errors: dict  # section key -> form errors
    visible_sections: list
    dropped: list
    forms: dict


def validate_all(definition: Definition, step_data: dict, step_files: dict | None = None, prefill=None) -> Outcome:
    """Validate every section from the stored step data, conditions re-evaluated in order (what submit does)."""
    answers, errors, visible, dropped, built = {}, {}, [], [], {}
    for section in definition.sections:
        if not section_visible(section, answers):
            continue
        visible.append(section.key)
        form = section_form_class(definition, section)(
            data=step_data.get(section.key) or {},
            files=(step_files or {}).get(section.key) or {},
            prefix=section.key,
            answers=answers,
            prefill=prefill,
        )
        built[section.key] = form
        if form.is_valid():
            answers.update(form.values)
            dropped += form.dropped
        else:
            errors[section.key] = form.errors
    return Outcome(values=answers, errors=errors, visible_sections=visible, dropped=dropped, forms=built)


# --- display (review page, PDF, officials' screen) -------------------------------------------------------


def display_value(fdef: FieldDef, value) -> str:
    if value is None or value == "" or value == []:
        return ""
    kind = fdef.type
    if kind == FieldType.CHOICE:
        return str(fdef.choice_label(value))
    if kind == FieldType.MULTI_CHOICE:
        return "; ".join(str(fdef.choice_label(v)) for v in value)
    if kind == FieldType.YES_NO:
        return gettext("Yes") if value == "yes" else gettext("No")
    if kind == FieldType.DATE:
        parsed = parse_date(str(value))
        return format_date(parsed) if parsed else str(value)
    if kind == FieldType.NUMBER:
        return number_format(value, use_l10n=True, force_grouping=True)
    if kind == FieldType.ADDRESS and isinstance(value, dict):
        return address_text(value)
    if kind == FieldType.FILE and is_reference(value):
        return value["name"]
    return str(value)


def address_text(value: dict) -> str:
    commune = value.get("commune_name") or divisions.commune_name(value.get("commune", ""))
    province = value.get("province_name") or divisions.province_name(value.get("province", ""))
    return ", ".join(p for p in (value.get("street", ""), commune, province) if p)


def display_sections(definition: Definition, values: dict):
    """``[{"title", "items": [{"label", "type", "text" | "columns"/"rows" | "content"}]}]`` of the visible parts."""
    result = []
    for section in definition.sections:
        if not section_visible(section, values):
            continue
        items = []
        for fdef in section.fields:
            if fdef.condition and not fdef.condition.holds(values):
                continue
            item = {"code": fdef.code, "label": fdef.label, "type": fdef.type}
            value = values.get(fdef.code)
            if fdef.type == FieldType.STATIC:
                item["content"] = fdef.content
            elif fdef.type == FieldType.TABLE:
                item["columns"] = list(fdef.columns)
                item["rows"] = [[_cell(c, row.get(c["code"])) for c in fdef.columns] for row in (value or [])]
            else:
                item["text"] = display_value(fdef, value)
            items.append(item)
        result.append({"key": section.key, "title": section.title, "items": items})
    return result


def _cell(column, value):
    if value is None:
        return ""
    if column.get("type") == "date":
        parsed = parse_date(str(value))
        return format_date(parsed) if parsed else str(value)
    if column.get("type") == "number":
        return number_format(value, use_l10n=True, force_grouping=True)
    return str(value)
