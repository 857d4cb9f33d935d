"""The e-form engine without HTTP: identifier formats, conditions, prefill, tables, addresses, whole-form checks."""

import pytest
from django.core.exceptions import ValidationError
from django.utils.datastructures import MultiValueDict

from eforms import engine
from eforms.checks import check_definition
from eforms.models import FormField, FormSection
from eforms.validators import normalise_citizen_id, normalise_passport, normalise_phone, normalise_tax_code


@pytest.mark.parametrize(
    "typed,stored",
    [
        ("0912 345 678", "0912345678"),
        ("+84 912345678", "0912345678"),
        ("0203.3835.000", "02033835000"),
        ("84-912-345-678", "0912345678"),
    ],
)
def test_phone_numbers_are_normalised(typed, stored):
    assert normalise_phone(typed) == stored


@pytest.mark.parametrize("bad", ["12345", "0112345678", "091234567", "abc"])
def test_bad_phone_numbers_are_refused(bad):
    with pytest.raises(ValidationError):
        normalise_phone(bad)


def test_identifiers():
    assert normalise_citizen_id("022 190 001 234") == "022190001234"
    for bad in ("02219000123", "999190001234", "02219000123x"):
        with pytest.raises(ValidationError):
            normalise_citizen_id(bad)
    assert normalise_passport("c1234567") == "C1234567"
    with pytest.raises(ValidationError):
        normalise_passport("1234567")
    assert normalise_tax_code("0101234567") == "0101234567"
    assert normalise_tax_code("0101234567-001") == "0101234567-001"
    for bad in ("010123456", "0101234567001", "0101234567-01"):
        with pytest.raises(ValidationError):
            normalise_tax_code(bad)


def test_conditions():
    equals = engine.Condition("loai", "equals", ("a",))
    one_of = engine.Condition("loai", "in", ("a", "b"))
    filled = engine.Condition("loai", "filled", ())
    assert equals.holds({"loai": "a"}) and not equals.holds({"loai": "b"}) and not equals.holds({})
    assert one_of.holds({"loai": "b"}) and one_of.holds({"loai": ["c", "b"]}) and not one_of.holds({"loai": ["c"]})
    assert filled.holds({"loai": "x"}) and not filled.holds({"loai": "  "}) and not filled.holds({"loai": []})
    assert engine.Condition("so", "equals", ("2",)).holds({"so": 2.0})


def _definition(fields, sections=None):
    section = FormSection(title="Một")
    rows = [FormField(**f) for f in fields]
    definition = engine.Definition(
        version_id=0,
        version_number=1,
        frozen=False,
        form_code="1.000001.TK1",
        title="Tờ khai",
        procedure_id=0,
        requires_signature=False,
        sections=engine.compile_sections(sections or [(section, rows)]),
    )
    return definition


def _form(definition, data, answers=None, prefill=None):
    section = definition.sections[0]
    form = engine.section_form_class(definition, section)(
        data=MultiValueDict({f"s1-{k}": v if isinstance(v, list) else [v] for k, v in data.items()}),
        prefix="s1",
        answers=answers or {},
        prefill=prefill,
    )
    form.is_valid()
    return form


def test_required_applies_only_when_the_condition_holds():
    definition = _definition(
        [
            {"code": "co", "type": "yesno", "label": "Có?", "required": True},
            {
                "code": "ly_do",
                "type": "text",
                "label": "Lý do",
                "required": True,
                "condition_field": "co",
                "condition_operator": "equals",
                "condition_value": "yes",
            },
        ]
    )
    assert _form(definition, {"co": "no"}).is_valid()
    form = _form(definition, {"co": "yes"})
    assert "ly_do" in form.errors
    form = _form(definition, {"co": "no", "ly_do": "bỏ qua"})
    assert form.values == {"co": "no"} and [f.code for f in form.dropped] == ["ly_do"]


def test_pattern_and_lengths_and_ranges():
    definition = _definition(
        [
            {"code": "ma", "type": "text", "label": "Mã", "pattern": "[0-9]{6}", "pattern_message": "Sáu chữ số"},
            {"code": "so", "type": "number", "label": "Số", "min_value": 1, "max_value": 10},
            {"code": "ten", "type": "text", "label": "Tên", "min_length": 2, "max_length": 5},
        ]
    )
    form = _form(definition, {"ma": "12345a", "so": "11", "ten": "Nguyễn Văn"})
    assert set(form.errors) == {"ma", "so", "ten"} and "Sáu chữ số" in form.errors["ma"][0]
    form = _form(definition, {"ma": "123456", "so": "9,5", "ten": "Anh"})
    assert form.values == {"ma": "123456", "so": 9.5, "ten": "Anh"}


def test_address_must_be_a_commune_of_the_chosen_province():
    definition = _definition([{"code": "dc", "type": "address", "label": "Địa chỉ", "required": True}])
    form = _form(definition, {"dc_0": "01", "dc_1": "06652", "dc_2": "Số 1"})  # a Quảng Ninh ward in Hà Nội
    assert "dc" in form.errors
    form = _form(definition, {"dc_0": "22", "dc_1": "06652", "dc_2": "Số 1"})
    assert form.values["dc"]["commune_name"] == "Phường Hà Tu"
    assert engine.address_text(form.values["dc"]) == "Số 1, Phường Hà Tu, Quảng Ninh"


def test_table_rows_are_checked_cell_by_cell():
    definition = _definition(
        [
            {
                "code": "bang",
                "type": "table",
                "label": "Bảng",
                "max_rows": 2,
                "table_columns": [
                    {"code": "ten", "label": "Tên", "type": "text"},
                    {"code": "so", "label": "Số", "type": "number"},
                ],
            }
        ]
    )
    form = _form(definition, {"bang-0-ten": "A", "bang-0-so": "x", "bang-1-ten": "", "bang-1-so": ""})
    assert "bang" in form.errors
    form = _form(definition, {"bang-0-ten": "A", "bang-0-so": "3", "bang-2-ten": "B", "bang-2-so": ""})
    assert form.values["bang"] == [{"ten": "A", "so": 3}, {"ten": "B", "so": None}]
    form = _form(definition, {f"bang-{i}-ten": "A" for i in range(3)})
    assert "bang" in form.errors


def test_prefill_fits_the_field_and_locks_when_asked():
    definition = _definition(
        [
            {
                "code": "ten",
                "type": "text",
                "label": "Tên",
                "prefill_source": "full_name",
                "editable_after_prefill": False,
            },
            {
                "code": "gt",
                "type": "choice",
                "label": "Giới tính",
                "choices": "male|Nam\nfemale|Nữ",
                "prefill_source": "gender",
            },
            {
                "code": "dc",
                "type": "address",
                "label": "Địa chỉ",
                "prefill_source": "address",
                "address_province": "22",
            },
            {"code": "cu", "type": "text", "label": "Cũ", "prefill_source": "last_value"},
        ]
    )
    prefill = engine.resolve_prefill(
        definition, {"full_name": "Lê Văn Tám", "gender": "robot", "address": "Số 2 Hạ Long"}, {"cu": "lần trước"}
    )
    assert prefill == {
        "ten": "Lê Văn Tám",
        "dc": {"province": "22", "commune": "", "street": "Số 2 Hạ Long"},
        "cu": "lần trước",
    }
    form = _form(definition, {"ten": "Người khác"}, prefill=prefill)
    assert form.cleaned_data["ten"] == "Lê Văn Tám"


def test_a_condition_must_point_to_an_earlier_field():
    section = FormSection(title="Một")
    fields = [
        FormField(code="b", type="text", label="B", condition_field="a", condition_operator="filled"),
        FormField(code="a", type="text", label="A"),
        FormField(code="c", type="choice", label="C", choices="x|X"),
        FormField(
            code="d", type="text", label="D", condition_field="c", condition_operator="equals", condition_value="y"
        ),
        FormField(code="a", type="text", label="A again"),
    ]
    problems = check_definition([(section, fields)])
    attributes = sorted((p.field_index, p.attribute) for p in problems)
    assert attributes == [(0, "condition_field"), (3, "condition_value"), (4, "code")]
