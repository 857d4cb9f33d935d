"""A form version as one versioned JSON document: what the builder edits, exports and imports (issue 17).

The builder in the admin loads a draft as this document, edits it in the browser and posts it back; an export
is the same document with a checksum, to be imported under another procedure or in another environment. One
reader (:func:`read`) turns a document into unsaved section and field rows and lists every problem with where it
is ("Section 2, field 3 «Số CCCD»: …"), using the models' own checks and the whole-form checks of
:mod:`eforms.checks`, so the builder, an import and the wizard obey the same rules. Nothing is written unless
the whole document is sound (:func:`eforms.services.version_replace_definition`).

Layout (``schema`` 1)::

    {"format": "tthc-eform", "schema": 1,
     "form": {"code": "1.011876.TK1", "title": "…", "requires_signature": false},
     "sections": [{"title": "…", "help_text": "", "condition": null | {"field", "operator", "values": [...]},
                   "fields": [{"code", "label", "type", "help_text", "required", "preset", "pattern",
                               "pattern_message", "min_length", "max_length", "min_value", "max_value",
                               "min_date", "max_date", "default", "choices": [{"value", "label"}],
                               "file_types": [...], "max_file_mb", "columns": [{"code", "label", "type"}],
                               "min_rows", "max_rows", "province", "content", "prefill",
                               "editable_after_prefill", "applicant_field", "condition"}]}],
     "exported_at": "…", "checksum": "sha256:…"}
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from eforms.checks import Problem, check_definition
from eforms.models import FieldType, FormField, FormSection, TableColumnType

FORMAT = "tthc-eform"
SCHEMA = 1
MAX_BYTES = 2 * 1024 * 1024
MAX_SECTIONS = 50
MAX_FIELDS = 500

#: Field attributes copied as they are (text, flags and whole numbers).
TEXT_KEYS = ("code", "label", "type", "help_text", "preset", "pattern", "pattern_message", "default", "content")
FLAG_KEYS = ("required", "editable_after_prefill")
INTEGER_KEYS = ("min_length", "max_length", "max_file_mb", "min_rows", "max_rows")
DECIMAL_KEYS = ("min_value", "max_value")
DATE_KEYS = ("min_date", "max_date")
#: Document key → model attribute where they differ.
RENAMED = {"province": "address_province", "prefill": "prefill_source"}


class DocumentRefused(Exception):
    """The document is not a form definition this system can read; ``problems`` says where and why."""

    def __init__(self, problems):
        self.problems = problems
        super().__init__("; ".join(str(p) for p in problems))


@dataclass
class Located(Problem):
    """A problem with the label of the field or section it is on, for messages people can find."""

    where_label: str = ""

    def __str__(self):
        if self.section_index is None:  # the whole file
            return str(self.message)
        where = _("Section %(n)s") % {"n": self.section_index + 1}
        if self.field_index is not None:
            where += ", " + _("field %(n)s") % {"n": self.field_index + 1}
        if self.where_label:
            where += f" «{self.where_label}»"
        return f"{where}: {self.message}"


# --- writing ----------------------------------------------------------------------------------------------------


def _condition(item):
    if not item.condition_field:
        return None
    return {"field": item.condition_field, "operator": item.condition_operator, "values": item.condition_values()}


def _number(value):
    if value is None:
        return None
    return int(value) if value == value.to_integral_value() else float(value)


def field_document(row: FormField) -> dict:
    doc = {key: getattr(row, key) for key in TEXT_KEYS}
    doc.update({key: getattr(row, key) for key in FLAG_KEYS})
    doc.update({key: getattr(row, key) for key in INTEGER_KEYS})
    doc.update({key: _number(getattr(row, key)) for key in DECIMAL_KEYS})
    doc.update({key: getattr(row, key).isoformat() if getattr(row, key) else None for key in DATE_KEYS})
    doc.update({key: getattr(row, attribute) for key, attribute in RENAMED.items()})
    doc["applicant_field"] = row.applicant_field
    doc["choices"] = [{"value": v, "label": label} for v, label in row.choice_list()]
    doc["file_types"] = [t.strip() for t in (row.file_types or "").split(",") if t.strip()]
    doc["columns"] = [dict(c) for c in (row.table_columns or [])]
    doc["condition"] = _condition(row)
    return doc


def version_document(version) -> dict:
    """The document of ``version``'s saved sections and fields."""
    sections = [(s, list(s.fields.all())) for s in version.sections.all().prefetch_related("fields")]
    eform = version.eform
    return {
        "format": FORMAT,
        "schema": SCHEMA,
        "form": {"code": eform.code, "title": eform.title, "requires_signature": eform.requires_signature},
        "sections": [
            {
                "title": section.title,
                "help_text": section.help_text,
                "condition": _condition(section),
                "fields": [field_document(f) for f in fields],
            }
            for section, fields in sections
        ],
    }


def _canonical(document) -> bytes:
    body = {key: document.get(key) for key in ("format", "schema", "form", "sections")}
    return json.dumps(body, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()


def checksum(document) -> str:
    return "sha256:" + hashlib.sha256(_canonical(document)).hexdigest()


def export(version) -> bytes:
    """The downloadable file: the document with its export time, its source version and a checksum."""
    document = version_document(version)
    document["source"] = {"version": version.number, "status": version.status}
    document["exported_at"] = timezone.now().isoformat(timespec="seconds")
    document["checksum"] = checksum(document)
    return json.dumps(document, ensure_ascii=False, indent=2).encode()


# --- reading ----------------------------------------------------------------------------------------------------


def parse_file(data: bytes) -> dict:
    """An uploaded export: JSON, the right format, and unchanged since it was exported (its checksum)."""
    if len(data) > MAX_BYTES:
        raise DocumentRefused([_refusal(_("The file is larger than 2 MB: it is not a form definition."))])
    try:
        document = json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError):
        raise DocumentRefused([_refusal(_("The file is not a form definition exported from this system."))]) from None
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise DocumentRefused([_refusal(_("The file is not a form definition exported from this system."))])
    if document.get("checksum") != checksum(document):
        raise DocumentRefused(
            [_refusal(_("The file was changed after it was exported (its checksum does not match): export it again."))]
        )
    return document


def _refusal(message):
    return Located(None, None, None, message)


def read(document) -> tuple[list, list]:
    """``(sections, problems)``: unsaved ``[(FormSection, [FormField…])]`` and every problem found.

    Structure errors (a wrong type, an unknown key value) are found first and stop the reading of that item;
    the models' own checks and the whole-form checks then run on what could be read.
    """
    problems = []
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise DocumentRefused([_refusal(_("This is not a form definition."))])
    if document.get("schema") != SCHEMA:
        message = _("This definition uses layout %(n)s; this system reads layout 1.") % {"n": document.get("schema")}
        raise DocumentRefused([_refusal(message)])
    raw_sections = document.get("sections")
    if not isinstance(raw_sections, list):
        raise DocumentRefused([_refusal(_("The definition has no list of sections."))])
    field_count = sum(len(s.get("fields") or []) for s in raw_sections if isinstance(s, dict))
    if len(raw_sections) > MAX_SECTIONS or field_count > MAX_FIELDS:
        raise DocumentRefused([_refusal(_("The definition is too large (at most 50 sections and 500 fields)."))])
    sections = []
    for s_index, raw in enumerate(raw_sections):
        if not isinstance(raw, dict):
            problems.append(Located(s_index, None, None, _("This section is not readable.")))
            continue
        section = FormSection(title=_text(raw.get("title")), help_text=_text(raw.get("help_text")), sort_order=s_index)
        problems += _read_condition(section, raw.get("condition"), s_index, None, section.title)
        fields = []
        raw_fields = raw.get("fields") or []
        if not isinstance(raw_fields, list):
            problems.append(Located(s_index, None, None, _("The fields of this section are not a list.")))
            raw_fields = []
        for f_index, raw_field in enumerate(raw_fields):
            row, found = _read_field(raw_field, s_index, f_index)
            if row is not None:
                found = found or _model_problems(row, s_index, f_index, row.label, exclude=["section"])
                fields.append(row)
            problems += found
        problems += _model_problems(section, s_index, None, section.title, exclude=["version"])
        sections.append((section, fields))
    labels = [[f.label for f in fields] for _section, fields in sections]
    for problem in check_definition(sections):
        if not problem.incomplete:
            label = labels[problem.section_index][problem.field_index] if problem.field_index is not None else ""
            problems.append(
                Located(problem.section_index, problem.field_index, problem.attribute, problem.message, False, label)
            )
    return sections, problems


def _text(value) -> str:
    return value.strip() if isinstance(value, str) else ""


def _read_condition(item, raw, s_index, f_index, label):
    if raw in (None, {}, ""):
        return []
    if not isinstance(raw, dict) or not isinstance(raw.get("values", []), list):
        return [Located(s_index, f_index, "condition_field", _("The condition is not readable."), False, label)]
    item.condition_field = _text(raw.get("field"))
    item.condition_operator = _text(raw.get("operator"))
    values = [str(v).strip() for v in raw.get("values", []) if str(v).strip()]
    if any("," in v for v in values) and item.condition_operator == "in":
        message = _("A condition value cannot contain a comma.")
        return [Located(s_index, f_index, "condition_value", message, False, label)]
    item.condition_value = ", ".join(values) if item.condition_operator == "in" else (values[0] if values else "")
    return []


def _read_field(raw, s_index, f_index):
    if not isinstance(raw, dict):
        return None, [Located(s_index, f_index, None, _("This field is not readable."))]
    label = _text(raw.get("label"))
    problems = []

    def bad(attribute, message):
        problems.append(Located(s_index, f_index, attribute, message, False, label))

    row = FormField(sort_order=f_index)
    for key in TEXT_KEYS:
        value = raw.get(key, "")
        if value is None:
            value = ""
        if not isinstance(value, str):
            bad(key, _("“%(key)s” must be text.") % {"key": key})
            continue
        setattr(row, key, value.strip() if key not in ("content", "help_text") else value)
    if row.type not in FieldType.values:
        bad("type", _("Unknown field type “%(type)s”.") % {"type": row.type})
    for key in FLAG_KEYS:
        value = raw.get(key, key == "editable_after_prefill")
        if not isinstance(value, bool):
            bad(key, _("“%(key)s” must be true or false.") % {"key": key})
            continue
        setattr(row, key, value)
    for key in INTEGER_KEYS:
        value = raw.get(key)
        if value is not None and (isinstance(value, bool) or not isinstance(value, int) or value < 0):
            bad(key, _("“%(key)s” must be a whole number.") % {"key": key})
            continue
        setattr(row, key, value)
    for key in DECIMAL_KEYS:
        value = raw.get(key)
        try:
            setattr(row, key, None if value in (None, "") else Decimal(str(value)))
        except InvalidOperation:
            bad(key, _("“%(key)s” must be a number.") % {"key": key})
    for key in DATE_KEYS:
        value = raw.get(key)
        try:
            setattr(row, key, date.fromisoformat(value) if value else None)
        except (TypeError, ValueError):
            bad(key, _("“%(key)s” must be a date (YYYY-MM-DD).") % {"key": key})
    for key, attribute in RENAMED.items():
        setattr(row, attribute, _text(raw.get(key)))
    row.applicant_field = _text(raw.get("applicant_field"))
    _read_choices(row, raw.get("choices") or [], bad)
    _read_columns(row, raw.get("columns") or [], bad)
    file_types = raw.get("file_types") or []
    if not isinstance(file_types, list) or not all(isinstance(t, str) for t in file_types):
        bad("file_types", _("The file types are not a list."))
    else:
        row.file_types = ", ".join(t.strip().lower().lstrip(".") for t in file_types if t.strip())
    problems += _read_condition(row, raw.get("condition"), s_index, f_index, label)
    return row, problems


def _read_choices(row, raw, bad):
    if not isinstance(raw, list):
        bad("choices", _("The choices are not a list."))
        return
    lines = []
    for number, choice in enumerate(raw, start=1):
        if not isinstance(choice, dict):
            bad("choices", _("Choice %(n)s is not readable.") % {"n": number})
            continue
        value, label = _text(choice.get("value")), _text(choice.get("label"))
        if not value or "|" in value or "\n" in value or "\n" in label:
            bad("choices", _("Choice %(n)s needs a value without “|” and a one-line label.") % {"n": number})
            continue
        lines.append(f"{value}|{label or value}")
    row.choices = "\n".join(lines)


def _read_columns(row, raw, bad):
    if not isinstance(raw, list):
        bad("table_columns", _("The table columns are not a list."))
        return
    columns = []
    for number, column in enumerate(raw, start=1):
        if not isinstance(column, dict):
            bad("table_columns", _("Column %(n)s is not readable.") % {"n": number})
            continue
        code, label = _text(column.get("code")), _text(column.get("label"))
        kind = _text(column.get("type")) or TableColumnType.TEXT
        if not code or not code.replace("_", "").isalnum() or not code[0].isalpha() or not code.isascii():
            bad("table_columns", _("Column %(n)s needs a code of letters, digits and underscores.") % {"n": number})
            continue
        if kind not in TableColumnType.values:
            bad("table_columns", _("Column %(n)s: unknown type “%(type)s”.") % {"n": number, "type": kind})
            continue
        columns.append({"code": code, "label": label or code, "type": kind})
    codes = [c["code"] for c in columns]
    if len(set(codes)) != len(codes):
        bad("table_columns", _("Each column needs a different code."))
    row.table_columns = columns


def _model_problems(obj, s_index, f_index, label, *, exclude):
    try:
        obj.full_clean(exclude=exclude, validate_unique=False, validate_constraints=False)
    except ValidationError as error:
        return [
            Located(s_index, f_index, attribute if attribute != "__all__" else None, message, False, label)
            for attribute, messages in error.message_dict.items()
            for message in messages
        ]
    return []
