"""Vietnamese identifier formats used by e-form fields.

Each ``normalise_*`` function takes what a person typed, returns the canonical
form stored in the submission, and raises
:class:`django.core.exceptions.ValidationError` with a translated message.
"""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

#: Province codes of the 63 provinces before 2025, used as the first three
#: digits of a citizen identity number (Circular 59/2021/TT-BCA, appendix I).
CITIZEN_ID_PROVINCE_CODES = frozenset(
    f"{n:03d}"
    for n in (
        1,
        2,
        4,
        6,
        8,
        10,
        11,
        12,
        14,
        15,
        17,
        19,
        20,
        22,
        24,
        25,
        26,
        27,
        30,
        31,
        33,
        34,
        35,
        36,
        37,
        38,
        40,
        42,
        44,
        45,
        46,
        48,
        49,
        51,
        52,
        54,
        56,
        58,
        60,
        62,
        64,
        66,
        67,
        68,
        70,
        72,
        74,
        75,
        77,
        79,
        80,
        82,
        83,
        84,
        86,
        87,
        89,
        91,
        92,
        93,
        94,
        95,
        96,
    )
)

_SEPARATORS = re.compile(r"[\s.\-()]")
_MOBILE = re.compile(r"^0[35789]\d{8}$")  # 10 digits: 03x, 05x, 07x, 08x, 09x
_LANDLINE = re.compile(r"^02\d{9}$")  # 11 digits: 02 + area code + subscriber number
_CITIZEN_ID = re.compile(r"^\d{12}$")
_PASSPORT = re.compile(r"^[A-Z]\d{7}$")
_TAX_CODE = re.compile(r"^\d{10}(-\d{3})?$")


def normalise_phone(value: str) -> str:
    """``0912 345 678``, ``+84 912345678``, ``0203.3835.000`` → ``0912345678`` / ``02033835000``."""
    raw = _SEPARATORS.sub("", value or "")
    if raw.startswith("+84"):
        raw = "0" + raw[3:]
    elif raw.startswith("84") and len(raw) in (11, 12):
        raw = "0" + raw[2:]
    if _MOBILE.match(raw) or _LANDLINE.match(raw):
        return raw
    raise ValidationError(
        _(
            "Enter a Vietnamese phone number: a mobile number of 10 digits starting with 0 (or +84), "
            "or a landline number of 11 digits starting with 02."
        ),
        code="phone",
    )


def normalise_citizen_id(value: str) -> str:
    raw = re.sub(r"\s", "", value or "")
    if not _CITIZEN_ID.match(raw):
        raise ValidationError(_("A citizen identity number has exactly 12 digits."), code="citizen_id")
    if raw[:3] not in CITIZEN_ID_PROVINCE_CODES:
        raise ValidationError(
            _("The first three digits of a citizen identity number must be a province code (001–096)."),
            code="citizen_id_province",
        )
    return raw


def normalise_passport(value: str) -> str:
    raw = re.sub(r"\s", "", value or "").upper()
    if not _PASSPORT.match(raw):
        raise ValidationError(
            _("A passport number is one letter followed by 7 digits, e.g. C1234567."), code="passport"
        )
    return raw


def normalise_tax_code(value: str) -> str:
    raw = re.sub(r"\s", "", value or "")
    if not _TAX_CODE.match(raw):
        raise ValidationError(
            _("A tax code has 10 digits, or 13 for a branch: 10 digits, a hyphen and 3 digits (0101234567-001)."),
            code="tax_code",
        )
    return raw
