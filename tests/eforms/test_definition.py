"""Form definitions as files (issue 17): export a form, import it under another procedure with the same behaviour;
a malformed or tampered file is refused with messages naming the section and field, and changes nothing. Also
the named checks (presets) and the comparisons a condition can make."""

import json
from datetime import date, timedelta

import pytest
from django.urls import reverse

from eforms import definition, engine, services
from eforms.errors import InvalidDefinition
from eforms.models import EForm, FormVersion, VersionStatus
from tests.factories import ProcedureFactory
from tests.factories.eforms import unit_admin

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin(unit):
    return unit_admin(unit.agency, username="quantri.xd")


@pytest.fixture
def second_form(unit, admin):
    """A form of another procedure the same unit implements, with an empty draft."""
    procedure = ProcedureFactory(name="Cấp giấy phép sửa chữa nhà ở")
    procedure.agencies.add(unit.agency)
    return services.eform_create(actor=admin, procedure=procedure, symbol="TK1", title="Tờ khai sửa chữa")


def exported(eform):
    return definition.export(eform.versions.get(status=VersionStatus.PUBLISHED))


#: Answers for both forms: a business (so the tax code and the project name show) building a workshop (so the third
#: section shows) without its capacity; then the same with a bad tax code and phone number.
ANSWERS = {
    "s1-ho_ten": "Trần Thị Bình",
    "s1-so_cccd": "022190001234",
    "s1-dien_thoai": "0912 345 678",
    "s1-dia_chi_0": "22",
    "s1-dia_chi_1": "06652",  # Phường Hà Tu, Quảng Ninh
    "s1-dia_chi_2": "Số 5 Lê Lợi",
    "s1-la_doanh_nghiep": "yes",
    "s1-ma_so_thue": "0101234567",
    "s2-loai_cong_trinh": "nha_xuong",
    "s2-dien_tich": "50",
    "s2-ten_du_an": "Xưởng cơ khí",
}
BAD_FIRST_STEP = {**ANSWERS, "s1-ma_so_thue": "12345", "s1-dien_thoai": "12"}


def outcome(version, answers):
    data = {key: {k: v for k, v in answers.items() if k.startswith(f"{key}-")} for key in ("s1", "s2", "s3")}
    result = engine.validate_all(engine.load_definition(version), data)
    return {key: sorted(errors) for key, errors in result.errors.items()}, result.visible_sections, result.values


def test_an_exported_form_imported_under_another_procedure_behaves_the_same(client, unit, admin, eform, second_form):
    data = exported(eform)
    document = json.loads(data)
    assert document["format"] == "tthc-eform" and document["schema"] == 1
    assert document["checksum"] == definition.checksum(document)

    client.force_login(admin)
    response = client.post(
        reverse("eform_versions:import", args=[second_form.pk]), {"definition": _file(data)}, follow=False
    )
    draft = second_form.versions.get(status=VersionStatus.DRAFT)
    assert response.status_code == 302 and response["Location"] == reverse("eform_versions:edit", args=[draft.pk])
    source = eform.versions.get(status=VersionStatus.PUBLISHED)
    assert definition.version_document(draft)["sections"] == definition.version_document(source)["sections"]

    services.version_publish(actor=admin, version_id=draft.pk)
    # The same answers meet the same checks and conditions on both forms.
    for answers in (ANSWERS, BAD_FIRST_STEP):
        assert outcome(source, answers) == outcome(draft, answers)
    errors, visible, values = outcome(draft, ANSWERS)
    assert visible == ["s1", "s2", "s3"] and errors == {"s3": ["cong_suat"]}  # the workshop's section shows
    assert values["dien_thoai"] == "0912345678" and values["ten_du_an"] == "Xưởng cơ khí"
    errors, visible, _values = outcome(draft, BAD_FIRST_STEP)
    assert errors == {"s1": ["dien_thoai", "ma_so_thue"], "s3": ["cong_suat"]}


def _file(data, name="tk1.json"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, data, content_type="application/json")


def _resigned(document):
    document["checksum"] = definition.checksum(document)
    return json.dumps(document, ensure_ascii=False).encode()


def test_a_file_changed_after_export_is_refused_and_changes_nothing(client, unit, admin, eform, second_form):
    document = json.loads(exported(eform))
    document["sections"][0]["fields"][0]["label"] = "Họ tên (đã sửa tay)"
    tampered = json.dumps(document, ensure_ascii=False).encode()
    before = FormVersion.objects.filter(eform=second_form).count()
    with pytest.raises(InvalidDefinition) as refused:
        services.definition_import(actor=admin, eform_id=second_form.pk, data=tampered)
    assert str(refused.value.problems[0]) == "Tệp đã bị sửa sau khi xuất (mã kiểm tra không khớp): hãy xuất lại."
    assert FormVersion.objects.filter(eform=second_form).count() == before
    assert not second_form.versions.get().sections.exists()


NOT_A_DEFINITION = "Tệp không phải là định nghĩa biểu mẫu xuất từ hệ thống này."


@pytest.mark.parametrize(
    "data, message",
    [
        (b"\x89PNG not json", NOT_A_DEFINITION),
        (b'{"format": "something-else"}', NOT_A_DEFINITION),
        (b"[1, 2]", NOT_A_DEFINITION),
    ],
)
def test_a_file_that_is_not_a_definition_is_refused(admin, second_form, data, message):
    with pytest.raises(InvalidDefinition) as refused:
        services.definition_import(actor=admin, eform_id=second_form.pk, data=data)
    assert str(refused.value.problems[0]) == message


def test_rule_breaking_rows_are_listed_by_section_and_field_and_nothing_is_written(
    client, unit, admin, eform, second_form
):
    document = json.loads(exported(eform))
    first, second = document["sections"][0]["fields"], document["sections"][1]["fields"]
    second[2]["type"] = "slider"  # section 2, field 3: "Diện tích xây dựng (m²)"
    first[1]["code"] = "ho_ten"  # section 1, field 2: a code already used by field 1
    first[9]["condition"] = {"field": "loai_cong_trinh", "operator": "equals", "values": ["nha_o"]}  # a later field
    second[1]["choices"] = [{"value": "a|b", "label": "Nhà"}]
    data = _resigned(document)

    client.force_login(admin)
    response = client.post(reverse("eform_versions:import", args=[second_form.pk]), {"definition": _file(data)})
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert "Phần 2, trường thông tin 3 «Diện tích xây dựng (m²)»: Không rõ loại trường “slider”." in page
    assert "Phần 1, trường thông tin 2 «Số căn cước»" in page
    assert "Phần 1, trường thông tin 10 «Mã số thuế»" in page
    assert "Phần 2, trường thông tin 2 «Loại công trình»" in page
    assert not second_form.versions.get().sections.exists()  # nothing written
    assert EForm.objects.get(pk=second_form.pk).versions.count() == 1


def test_only_a_draft_is_replaced_and_a_published_version_stays(admin, eform):
    published = eform.versions.get(status=VersionStatus.PUBLISHED)
    document = definition.version_document(published)
    with pytest.raises(InvalidDefinition.__mro__[1]):  # EFormError: NotADraft
        services.version_replace_definition(actor=admin, version_id=published.pk, document=document)


# --- presets and comparisons --------------------------------------------------------------------------------------


def _one_section(*fields):
    return {"format": "tthc-eform", "schema": 1, "sections": [{"title": "Thông tin", "fields": list(fields)}]}


def _field(code, label, type_="text", **extra):
    return {"code": code, "label": label, "type": type_, **extra}


def _draft_with(admin, second_form, document):
    draft = second_form.versions.get(status=VersionStatus.DRAFT)
    services.version_replace_definition(actor=admin, version_id=draft.pk, document=document)
    return engine.load_definition(draft)


def _errors(definition_, data):
    result = engine.validate_all(definition_, {"s1": {f"s1-{k}": v for k, v in data.items()}})
    return {code: [str(m) for m in messages] for code, messages in result.errors.get("s1", {}).items()}, result.values


def test_a_text_field_with_the_cccd_preset_checks_and_normalises_like_a_cccd_field(admin, second_form):
    form = _draft_with(
        admin,
        second_form,
        _one_section(
            _field("so_dinh_danh", "Số định danh", preset="citizen_id", required=True),
            _field("lien_he", "Điện thoại liên hệ", preset="phone"),
        ),
    )
    errors, values = _errors(form, {"so_dinh_danh": "0221 9000 1234", "lien_he": "+84 912 345 678"})
    assert errors == {} and values == {"so_dinh_danh": "022190001234", "lien_he": "0912345678"}
    errors, _values = _errors(form, {"so_dinh_danh": "12345", "lien_he": "12"})
    assert errors["so_dinh_danh"] == ["Số định danh cá nhân (CCCD) gồm đúng 12 chữ số."]
    assert set(errors) == {"so_dinh_danh", "lien_he"}


def test_date_presets_and_ranges(admin, second_form):
    today = date.today()
    form = _draft_with(
        admin,
        second_form,
        _one_section(
            _field("ngay_sinh", "Ngày sinh", "date", preset="past_date"),
            _field(
                "ngay_khoi_cong",
                "Ngày khởi công",
                "date",
                preset="date_range",
                min_date="2026-01-01",
                max_date="2027-12-31",
            ),
        ),
    )
    tomorrow = (today + timedelta(days=1)).isoformat()
    errors, _values = _errors(form, {"ngay_sinh": tomorrow, "ngay_khoi_cong": "2025-12-31"})
    assert set(errors) == {"ngay_sinh", "ngay_khoi_cong"}
    assert errors["ngay_khoi_cong"] == ["Ngày phải từ 01/01/2026 trở đi."]
    errors, _values = _errors(form, {"ngay_sinh": "1990-05-17", "ngay_khoi_cong": "2027-12-31"})
    assert errors == {}


def test_a_condition_can_compare_a_number(admin, second_form):
    form = _draft_with(
        admin,
        second_form,
        _one_section(
            _field("so_tang", "Số tầng", "number", required=True),
            _field(
                "tham_dinh_pccc",
                "Số văn bản thẩm duyệt PCCC",
                required=True,
                condition={"field": "so_tang", "operator": "gte", "values": ["7"]},
            ),
        ),
    )
    errors, _values = _errors(form, {"so_tang": "3"})
    assert errors == {}  # 3 floors: not asked
    errors, _values = _errors(form, {"so_tang": "7"})
    assert list(errors) == ["tham_dinh_pccc"]  # 7 floors: required


def test_a_comparison_on_a_choice_or_with_a_bad_bound_is_refused(admin, second_form):
    draft = second_form.versions.get(status=VersionStatus.DRAFT)
    document = _one_section(
        _field("loai", "Loại", "choice", choices=[{"value": "a", "label": "A"}]),
        _field("ghi_chu", "Ghi chú", condition={"field": "loai", "operator": "gte", "values": ["1"]}),
        _field("so", "Số", "number"),
        _field("ghi_chu_2", "Ghi chú 2", condition={"field": "so", "operator": "lte", "values": ["nhiều"]}),
    )
    with pytest.raises(InvalidDefinition) as refused:
        services.version_replace_definition(actor=admin, version_id=draft.pk, document=document)
    texts = [str(p) for p in refused.value.problems]
    assert any("trường thông tin 2 «Ghi chú»" in t and "so sánh" in t for t in texts)
    assert any("trường thông tin 4 «Ghi chú 2»" in t for t in texts)


def test_the_builder_copies_another_forms_sections_and_saves_them(client, unit, admin, eform, second_form):
    """ "Start from another form": the builder loads the chosen version's document, then saves it as its own."""
    source = eform.versions.get(status=VersionStatus.PUBLISHED)
    draft = second_form.versions.get(status=VersionStatus.DRAFT)
    client.force_login(admin)
    page = client.get(reverse("eform_versions:edit", args=[draft.pk]))
    assert page.status_code == 200 and f'"id": {source.pk}' in page.content.decode()  # offered as a source
    copied = client.get(reverse("eform_versions:document", args=[source.pk])).json()
    response = client.post(reverse("eform_versions:edit", args=[draft.pk]), copied, content_type="application/json")
    assert response.status_code == 200 and response.json()["ok"]
    assert definition.version_document(draft)["sections"] == definition.version_document(source)["sections"]
    preview = client.post(
        reverse("eform_versions:live_preview", args=[draft.pk]), copied, content_type="application/json"
    )
    html = preview.content.decode()
    assert "Bước 3: Thông tin nhà xưởng" in html and 'data-eform-show-if="s1-la_doanh_nghiep"' in html
