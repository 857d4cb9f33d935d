"""Whole-form checks of a definition: what one field's own ``clean()`` cannot see.

Used by the admin editor (errors shown beside the offending field) and by
:func:`eforms.services.form_publish` (a form with problems is not published).
Works on unsaved objects, so the editor can check before saving.
"""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _

from eforms.models import COMPARISONS, CONDITION_SOURCE_TYPES, ApplicantField, ConditionOperator, FieldType


@dataclass
class Problem:
    section_index: int
    field_index: int | None  # None: the problem is on the section itself (or the whole form)
    attribute: str | None
    message: str
    #: An incomplete form (no section, an empty section) may be saved as a draft but not published.
    incomplete: bool = False

    def __str__(self):
        where = _("section %(n)s") % {"n": self.section_index + 1}
        if self.field_index is not None:
            where += ", " + _("field %(n)s") % {"n": self.field_index + 1}
        return f"{where}: {self.message}"


def _allowed_values(field):
    if field.type == FieldType.YES_NO:
        return {"yes", "no"}
    if field.type in (FieldType.CHOICE, FieldType.MULTI_CHOICE):
        return {value for value, _label in field.choice_list()}
    return None


def _check_condition(item, earlier, section_index, field_index):
    """``earlier``: code → field of every field before ``item``."""
    if not item.condition_field:
        return []
    source = earlier.get(item.condition_field)
    if source is None:
        return [
            Problem(
                section_index,
                field_index,
                "condition_field",
                _("“%(code)s” is not the code of a field placed before this one.") % {"code": item.condition_field},
            )
        ]
    if not source.holds_value or source.type == FieldType.FILE:
        return [
            Problem(
                section_index, field_index, "condition_field", _("A condition cannot depend on a field of this type.")
            )
        ]
    if item.condition_operator == ConditionOperator.FILLED:
        return []
    if item.condition_operator in COMPARISONS:
        return _check_comparison(item, source, section_index, field_index)
    if source.type not in CONDITION_SOURCE_TYPES:
        return [
            Problem(
                section_index,
                field_index,
                "condition_operator",
                _("Fields of this type can only be tested with “is filled in”."),
            )
        ]
    allowed = _allowed_values(source)
    if allowed is not None:
        unknown = [v for v in item.condition_values() if v not in allowed]
        if unknown:
            return [
                Problem(
                    section_index,
                    field_index,
                    "condition_value",
                    _("Not a value of “%(code)s”: %(values)s. Use one of: %(allowed)s.")
                    % {"code": source.code, "values": ", ".join(unknown), "allowed": ", ".join(sorted(allowed))},
                )
            ]
    return []


def _check_comparison(item, source, section_index, field_index):
    if source.type not in (FieldType.NUMBER, FieldType.DATE):
        return [
            Problem(
                section_index,
                field_index,
                "condition_operator",
                _("Only numbers and dates can be compared; choose “equals” or “is filled in”."),
            )
        ]
    value = (item.condition_values() or [""])[0]
    try:
        Decimal(value) if source.type == FieldType.NUMBER else date.fromisoformat(value)
    except (InvalidOperation, ValueError):
        message = _("Enter a number.") if source.type == FieldType.NUMBER else _("Enter a date.")
        return [Problem(section_index, field_index, "condition_value", message)]
    return []


def check_definition(sections):
    """``sections``: ``[(section, [field, ...]), ...]`` in order. Returns a list of :class:`Problem`."""
    problems = []
    if not sections:
        problems.append(Problem(0, None, None, _("Add at least one section."), incomplete=True))
    earlier = {}
    seen = {}
    mapped = {}
    for s_index, (section, fields) in enumerate(sections):
        problems += _check_condition(section, earlier, s_index, None)
        if not fields:
            problems.append(Problem(s_index, None, None, _("Add at least one field to this section."), incomplete=True))
        for f_index, field in enumerate(fields):
            if field.code in seen:
                problems.append(
                    Problem(
                        s_index,
                        f_index,
                        "code",
                        _("The code “%(code)s” is already used by another field.") % {"code": field.code},
                    )
                )
            problems += _check_condition(field, earlier, s_index, f_index)
            problems += _check_applicant_field(field, mapped, s_index, f_index)
            seen[field.code] = field
            earlier[field.code] = field
    if ApplicantField.AS_ORGANISATION in mapped and ApplicantField.ORGANISATION_NAME not in mapped:
        s_index, f_index = mapped[ApplicantField.AS_ORGANISATION]
        problems.append(
            Problem(
                s_index,
                f_index,
                "applicant_field",
                _("Mark the field that gives the organisation's name too, so the dossier records it."),
            )
        )
    return problems


def _check_applicant_field(field, mapped, section_index, field_index):
    """Each detail of the applicant comes from one field; ``mapped``: detail → (section, field) seen so far."""
    detail = getattr(field, "applicant_field", "")
    if not detail:
        return []
    if detail in mapped:
        return [
            Problem(
                section_index,
                field_index,
                "applicant_field",
                _("Another field already gives this detail of the applicant."),
            )
        ]
    mapped[detail] = (section_index, field_index)
    return []


def version_problems(version):
    """The problems of a saved version."""
    sections = [(section, list(section.fields.all())) for section in version.sections.all()]
    return check_definition(sections)
