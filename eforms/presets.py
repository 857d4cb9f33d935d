"""Validation presets: the checks a department admin picks by name instead of writing a pattern (issue 17).

Each preset is a rule the engine applies to a field of the listed types. The identity presets reuse the
normalisers of :mod:`eforms.validators` (the same rules as the dedicated field types), so a text field with the
"CCCD" preset accepts and stores exactly what a CCCD field does. Ranges (length, number, date) are the field's
own minimum and maximum; the *advanced pattern* stays for experts.
"""

from datetime import date

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from eforms import validators as vn


class Preset(models.TextChoices):
    CITIZEN_ID = "citizen_id", _("Citizen ID (CCCD, 12 digits)")
    PHONE = "phone", _("Vietnamese phone number")
    TAX_CODE = "tax_code", _("Tax code (10 or 13 digits)")
    PASSPORT = "passport", _("Passport number (1 letter + 7 digits)")
    EMAIL = "email", _("E-mail address")
    DIGITS = "digits", _("Digits only")
    LENGTH = "length", _("Length between…")
    NUMBER_RANGE = "number_range", _("Number between…")
    DATE_RANGE = "date_range", _("Date between…")
    PAST_DATE = "past_date", _("A date not after today (e.g. date of birth)")
    FUTURE_DATE = "future_date", _("A date from today on")
    PATTERN = "pattern", _("Advanced: a pattern (for experts)")


#: Which presets a field type offers, in the order the builder lists them.
PRESETS_BY_TYPE = {
    "text": [
        Preset.CITIZEN_ID,
        Preset.PHONE,
        Preset.TAX_CODE,
        Preset.PASSPORT,
        Preset.EMAIL,
        Preset.DIGITS,
        Preset.LENGTH,
        Preset.PATTERN,
    ],
    "textarea": [Preset.LENGTH, Preset.PATTERN],
    "number": [Preset.NUMBER_RANGE],
    "date": [Preset.DATE_RANGE, Preset.PAST_DATE, Preset.FUTURE_DATE],
}


def _email(value: str) -> str:
    validate_email(value)
    return value.strip()


def _digits(value: str) -> str:
    raw = (value or "").strip()
    if not raw.isdigit():
        raise ValidationError(_("Enter digits only."), code="digits")
    return raw


#: Presets that check and normalise a text answer.
TEXT_NORMALISERS = {
    Preset.CITIZEN_ID: vn.normalise_citizen_id,
    Preset.PHONE: vn.normalise_phone,
    Preset.TAX_CODE: vn.normalise_tax_code,
    Preset.PASSPORT: vn.normalise_passport,
    Preset.EMAIL: _email,
    Preset.DIGITS: _digits,
}

#: Browser hints for the text presets.
TEXT_ATTRS = {
    Preset.CITIZEN_ID: {"inputmode": "numeric", "maxlength": 12},
    Preset.PHONE: {"inputmode": "tel", "autocomplete": "tel"},
    Preset.TAX_CODE: {"inputmode": "numeric", "maxlength": 14},
    Preset.PASSPORT: {"maxlength": 9},
    Preset.EMAIL: {"inputmode": "email", "autocomplete": "email"},
    Preset.DIGITS: {"inputmode": "numeric"},
}


def date_bounds(preset: str, min_date: date | None, max_date: date | None, today: date | None = None):
    """The (earliest, latest) date a date field accepts."""
    today = today or timezone.localdate()
    if preset == Preset.PAST_DATE:
        return min_date, min(max_date, today) if max_date else today
    if preset == Preset.FUTURE_DATE:
        return max(min_date, today) if min_date else today, max_date
    return min_date, max_date


def offered(field_type: str) -> list[Preset]:
    return PRESETS_BY_TYPE.get(field_type, [])
