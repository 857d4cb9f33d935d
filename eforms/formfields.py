"""Django form fields and widgets for the e-form field types that Django lacks.

Everything renders and validates without JavaScript: the repeating-rows table
shows empty rows to fill, the address lists communes grouped by province.
"""

import os
import re
from datetime import date
from decimal import Decimal, InvalidOperation
from functools import lru_cache

from django import forms
from django.core.exceptions import ValidationError
from django.utils.html import escape, format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from eforms import divisions
from eforms.files import is_reference, validate_field_upload
from eforms.models import TableColumnType
from portal.core.formatting import format_file_size

DATE_INPUT_FORMATS = ["%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y"]


def parse_date(text):
    from datetime import datetime

    for fmt in DATE_INPUT_FORMATS:
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    return None


def parse_number(text):
    """A decimal from what a person typed (``1.234,5`` and ``1234.5`` both work), or None."""
    raw = str(text).strip().replace(" ", "")
    if "," in raw and "." in raw:
        raw = raw.replace(".", "").replace(",", ".")
    elif "," in raw:
        raw = raw.replace(",", ".")
    try:
        value = Decimal(raw)
    except InvalidOperation:
        return None
    return value if value.is_finite() else None


def number_to_json(value):
    if value is None:
        return None
    value = Decimal(value)
    if value == value.to_integral_value():
        return int(value)
    return float(value)


# --- Number ---------------------------------------------------------------------
class NumberField(forms.DecimalField):
    """A decimal that also accepts a comma as the decimal separator (Vietnamese habit)."""

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if isinstance(value, (int, float, Decimal)):
            return Decimal(str(value))
        number = parse_number(value)
        if number is None:
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        return number


# --- Yes / no -------------------------------------------------------------------
YES_NO_CHOICES = [("yes", _("Yes")), ("no", _("No"))]


def yes_no_coerce(value):
    return value == "yes"


# --- Read-only text ---------------------------------------------------------------
class StaticTextWidget(forms.Widget):
    def __init__(self, content="", attrs=None):
        super().__init__(attrs)
        self.content = content

    def render(self, name, value, attrs=None, renderer=None):
        paragraphs = [p.strip() for p in re.split(r"\n\s*\n", self.content or "") if p.strip()]
        html = "".join(
            format_html("<p>{}</p>", mark_safe("<br>".join(escape(line) for line in p.splitlines())))
            for p in paragraphs
        )
        return format_html('<div class="eform-static">{}</div>', mark_safe(html))

    def value_from_datadict(self, data, files, name):
        return None

    def use_required_attribute(self, initial):
        return False


class StaticTextField(forms.Field):
    """No input: the text is shown, nothing is submitted."""

    def __init__(self, content="", **kwargs):
        kwargs.update(required=False, widget=StaticTextWidget(content))
        super().__init__(**kwargs)

    def clean(self, value):
        return None


# --- File --------------------------------------------------------------------------
class StoredFileInput(forms.FileInput):
    """A file input that shows the file already attached (name, size) with "Remove"; choosing a file replaces it.

    The attached file is the one kept from an earlier post of the step (an upload
    in the wizard's private storage) or a reference of a saved value. With a file
    attached, the input is no longer marked ``required``: the field is satisfied.
    The "Remove" button posts ``eform_remove_file=<input name>`` (no JavaScript).
    """

    template_name = "eforms/widgets/file.html"

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        context["current"] = attached_file(value)
        if context["current"]:
            context["widget"]["attrs"].pop("required", None)
        return context

    def format_value(self, value):
        return value if is_reference(value) else None


def attached_file(value):
    """``{"name", "size", "size_text"}`` of an attached file (a kept upload or a reference), or None."""
    if is_reference(value):
        name, size = value.get("name", ""), value.get("size")
    elif getattr(value, "name", None):
        name, size = os.path.basename(value.name), getattr(value, "size", None)
    else:
        return None
    return {"name": name, "size": size, "size_text": format_file_size(size)}


class EFormFileField(forms.FileField):
    widget = StoredFileInput

    def __init__(self, *, allowed_types, max_bytes, **kwargs):
        self.allowed_types = list(allowed_types)
        self.max_bytes = max_bytes
        super().__init__(**kwargs)
        self.widget.attrs.setdefault("accept", ",".join(f".{t}" for t in self.allowed_types))

    def validate(self, value):
        super().validate(value)
        if value and not is_reference(value):
            validate_field_upload(value, allowed_types=self.allowed_types, max_bytes=self.max_bytes)

    def has_changed(self, initial, data):
        return bool(data) and not is_reference(data)


# --- Address ------------------------------------------------------------------------
@lru_cache(maxsize=64)
def _commune_options_html(province_code):
    """The <option>s of the commune select: one province's, or all grouped by province."""
    parts = []
    if province_code:
        for code, name in divisions.communes_of(province_code):
            parts.append(f'<option value="{code}">{escape(name)}</option>')
    else:
        for p_code, p_name in divisions.provinces():
            parts.append(f'<optgroup label="{escape(p_name)}" data-province="{p_code}">')
            for code, name in divisions.communes_of(p_code):
                parts.append(f'<option value="{code}">{escape(name)}</option>')
            parts.append("</optgroup>")
    return "".join(parts)


class CommuneSelect(forms.Widget):
    """A select of communes rendered from a cached string (3,321 options through templates would be slow)."""

    template_name = "eforms/widgets/raw.html"

    def __init__(self, province_code="", attrs=None):
        super().__init__(attrs)
        self.province_code = province_code

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        options = _commune_options_html(self.province_code)
        if value:
            options = options.replace(f'value="{escape(value)}">', f'value="{escape(value)}" selected>', 1)
        attr_html = "".join(
            format_html(' {}="{}"', key, val) if val is not True else format_html(" {}", key)
            for key, val in context["widget"]["attrs"].items()
            if val is not False and val is not None
        )
        empty = escape(_("— Commune / ward —"))
        context["widget"]["html"] = mark_safe(
            f'<select name="{escape(name)}"{attr_html}><option value="">{empty}</option>{options}</select>'
        )
        return context

    def format_value(self, value):
        return value or ""

    def value_from_datadict(self, data, files, name):
        return data.get(name)


class AddressWidget(forms.MultiWidget):
    use_fieldset = True

    def __init__(self, province_code="", attrs=None):
        if province_code:
            province_choices = [(province_code, divisions.province_name(province_code))]
        else:
            province_choices = [("", _("— Province / city —"))] + divisions.provinces()
        widgets = [
            forms.Select(
                choices=province_choices, attrs={"aria-label": _("Province / city"), "data-eform-province": "1"}
            ),
            CommuneSelect(
                province_code, attrs={"aria-label": _("Commune / ward / special zone"), "data-eform-commune": "1"}
            ),
            forms.TextInput(
                attrs={
                    "aria-label": _("House number, street, hamlet"),
                    "placeholder": _("House number, street, hamlet"),
                    "maxlength": 255,
                }
            ),
        ]
        super().__init__(widgets, attrs)

    def decompress(self, value):
        if isinstance(value, dict):
            return [value.get("province", ""), value.get("commune", ""), value.get("street", "")]
        if isinstance(value, (list, tuple)):
            return list(value) + [""] * (3 - len(value))
        return ["", "", value or ""]


class AddressField(forms.MultiValueField):
    """Province → commune from the reference list, plus the street line. Cleaned value: a dict."""

    default_error_messages = {
        "wrong_commune": _("The commune or ward you chose is not in the province you chose."),
        "incomplete": _("Choose the province and the commune or ward, and enter the street address."),
    }

    def __init__(self, *, province_code="", required=True, **kwargs):
        province_choices = (
            [(province_code, divisions.province_name(province_code))] if province_code else divisions.provinces()
        )
        fields = (
            forms.ChoiceField(choices=province_choices, required=required),
            forms.CharField(required=required, max_length=5),
            forms.CharField(required=required, max_length=255),
        )
        self.province_code = province_code
        super().__init__(
            fields, require_all_fields=False, required=required, widget=AddressWidget(province_code), **kwargs
        )

    def clean(self, value):
        if isinstance(value, dict):  # a prefilled, read-only value
            value = self.widget.decompress(value)
        return super().clean(value)

    def compress(self, data_list):
        if not data_list or not any(data_list):
            return None
        province, commune, street = (list(data_list) + ["", "", ""])[:3]
        if commune:
            if divisions.commune_province(commune) is None:
                raise ValidationError(_("Choose a commune or ward from the list."), code="invalid_commune")
            if divisions.commune_province(commune) != province:
                raise ValidationError(self.error_messages["wrong_commune"], code="wrong_commune")
        return {
            "province": province or "",
            "province_name": divisions.province_name(province) if province else "",
            "commune": commune or "",
            "commune_name": divisions.commune_name(commune) if commune else "",
            "street": (street or "").strip(),
        }


# --- Repeating rows (table) ----------------------------------------------------------
class TableWidget(forms.Widget):
    """Inputs named ``<name>-<row>-<column>``; shows ``max(min_rows, filled rows + 2)`` rows."""

    template_name = "eforms/widgets/table.html"
    use_fieldset = True

    def __init__(self, columns, min_rows=0, max_rows=20, attrs=None):
        super().__init__(attrs)
        self.columns = columns
        self.min_rows = min_rows or 0
        self.max_rows = max_rows

    def value_from_datadict(self, data, files, name):
        codes = {c["code"] for c in self.columns}
        pattern = re.compile(rf"^{re.escape(name)}-(\d{{1,4}})-([a-z][a-z0-9_]*)$", re.IGNORECASE)
        rows = {}
        for key in data.keys():
            match = pattern.match(key)
            if match and match.group(2) in codes:
                rows.setdefault(int(match.group(1)), {})[match.group(2)] = data.get(key)
        return [rows[index] for index in sorted(rows)]

    def value_omitted_from_data(self, data, files, name):
        prefix = f"{name}-"
        return not any(key.startswith(prefix) for key in data.keys())

    def format_value(self, value):
        return value

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        rows = [r for r in (value or []) if isinstance(r, dict) and any(v not in (None, "") for v in r.values())]
        count = max(self.min_rows, len(rows) + 2, 1)
        if self.max_rows:
            count = min(count, max(self.max_rows, len(rows)))
        input_types = {TableColumnType.NUMBER: "text", TableColumnType.DATE: "date"}
        table = []
        for index in range(count):
            row = rows[index] if index < len(rows) else {}
            cells = []
            for column in self.columns:
                cell = row.get(column["code"])
                cells.append(
                    {
                        "name": f"{name}-{index}-{column['code']}",
                        "value": "" if cell is None else cell,
                        "type": input_types.get(column["type"], "text"),
                        "inputmode": "decimal" if column["type"] == TableColumnType.NUMBER else "",
                        "label": _("Row %(row)s, %(column)s") % {"row": index + 1, "column": column["label"]},
                        "column": column["label"],  # shown above the input when a row is a card (phone)
                    }
                )
            table.append({"number": index + 1, "cells": cells})
        context["widget"].update(
            {"columns": self.columns, "rows": table, "disabled": context["widget"]["attrs"].get("disabled")}
        )
        return context

    def use_required_attribute(self, initial):
        return False


class TableField(forms.Field):
    """Cleaned value: a list of dicts (dates as ISO strings, numbers as JSON numbers); empty rows dropped.

    A filled row needs its first column; number and date cells are checked one by one.
    """

    default_error_messages = {
        "too_few": _("Fill in at least %(min)s row(s)."),
        "too_many": _("Fill in at most %(max)s rows."),
    }

    def __init__(self, *, columns, min_rows=None, max_rows=None, **kwargs):
        self.columns = list(columns)
        self.min_rows = min_rows or 0
        self.max_rows = max_rows or 20
        kwargs.setdefault("widget", TableWidget(self.columns, self.min_rows, self.max_rows))
        super().__init__(**kwargs)

    def clean(self, value):
        if isinstance(value, str) or value is None:
            value = []
        rows, errors = [], []
        for _row_number, raw in enumerate(value, start=1):
            if not isinstance(raw, dict):
                continue
            texts = {
                c["code"]: ("" if raw.get(c["code"]) is None else str(raw.get(c["code"]))).strip() for c in self.columns
            }
            if not any(texts.values()):
                continue
            row = {}
            for position, column in enumerate(self.columns):
                text, label = texts[column["code"]], column["label"]
                if not text:
                    if position == 0:
                        errors.append(
                            ValidationError(
                                _("Row %(row)s: “%(column)s” is required."),
                                params={"row": len(rows) + 1, "column": label},
                                code="cell_required",
                            )
                        )
                    row[column["code"]] = None
                elif column["type"] == TableColumnType.NUMBER:
                    number = parse_number(text)
                    if number is None:
                        errors.append(
                            ValidationError(
                                _("Row %(row)s: “%(column)s” must be a number."),
                                params={"row": len(rows) + 1, "column": label},
                                code="cell_number",
                            )
                        )
                    row[column["code"]] = number_to_json(number)
                elif column["type"] == TableColumnType.DATE:
                    parsed = parse_date(text)
                    if parsed is None:
                        errors.append(
                            ValidationError(
                                _("Row %(row)s: “%(column)s” must be a date (dd/mm/yyyy)."),
                                params={"row": len(rows) + 1, "column": label},
                                code="cell_date",
                            )
                        )
                    row[column["code"]] = parsed.isoformat() if parsed else None
                else:
                    if len(text) > 500:
                        errors.append(
                            ValidationError(
                                _("Row %(row)s: “%(column)s” is too long."),
                                params={"row": len(rows) + 1, "column": label},
                                code="cell_length",
                            )
                        )
                    row[column["code"]] = text
            rows.append(row)
        if len(rows) > self.max_rows:
            errors.append(
                ValidationError(self.error_messages["too_many"], params={"max": self.max_rows}, code="too_many")
            )
        if errors:
            raise ValidationError(errors)
        if not rows and self.required:
            raise ValidationError(self.error_messages["required"], code="required")
        if rows and len(rows) < self.min_rows or (self.required and len(rows) < self.min_rows):
            raise ValidationError(self.error_messages["too_few"], params={"min": self.min_rows}, code="too_few")
        return rows

    def has_changed(self, initial, data):
        return True


def iso_date(value):
    if isinstance(value, date):
        return value.isoformat()
    return value
