"""Filing as an organisation (AG 12.1d; DESIGN 5.1): the designer marks which fields give the applicant's details,
without code; the dossier then records the kind, the organisation's name and its tax code from the answers, and
the officials' screen, the receipt and the public lookup show them."""

import copy

import pytest
from django.core.exceptions import ValidationError

from eforms.checks import check_definition
from eforms.models import ApplicantField, FieldType, FormField, FormSection
from tests.eforms.test_wizard import STEP1, STEP2, pdf_upload, start
from tests.factories.citizens import stored_document
from tests.factories.eforms import SECTIONS, build_form_through_admin, unit_admin
from workflow.dossiers import services as dossier_services
from workflow.models import ApplicantKind, Dossier, SlipKind
from workflow.slips.rendering import render_slip_body

pytestmark = pytest.mark.django_db

TAX_CODE = "5701234567"
COMPANY = "Công ty TNHH Xây dựng Hạ Long"


def mapped_sections():
    """The builder's test form with its applicant fields marked, and a company-name field for organisations."""
    sections = copy.deepcopy(SECTIONS)
    first = sections[0]["fields"]
    marks = {
        "ho_ten": "full_name",
        "so_cccd": "id_number",
        "dien_thoai": "phone",
        "thu_dien_tu": "email",
        "dia_chi": "address",
        "la_doanh_nghiep": "as_organisation",
        "ma_so_thue": "tax_code",
    }
    for field in first:
        field["applicant_field"] = marks.get(field["code"], "")
    first.append(
        {
            "code": "ten_doanh_nghiep",
            "type": "text",
            "label": "Tên doanh nghiệp",
            "required": True,
            "condition_field": "la_doanh_nghiep",
            "condition_operator": "equals",
            "condition_value": "yes",
            "applicant_field": "organisation_name",
        }
    )
    return sections


@pytest.fixture
def mapped_eform(client, unit):
    eform = build_form_through_admin(client, unit_admin(unit.agency), unit.procedure, sections=mapped_sections())
    client.logout()
    return eform


def submit(client, wizard, unit, user, step1, django_capture_on_commit_callbacks):
    """Walk the wizard with ``step1`` as the first page's answers and submit; the dossier it made."""
    steps = [
        ("s1", step1, {}),
        ("s2", STEP2, {"ban_ve": pdf_upload()}),
        (
            "documents",
            {f"doc_{unit.id_doc.pk}_stored": str(stored_document(user).pk)},
            {f"doc_{unit.plan_doc.pk}": pdf_upload("thiet-ke.pdf")},
        ),
        ("delivery", {"agency": str(unit.agency.pk), "delivery": "online"}, {}),
    ]
    for step, values, files in steps:
        response = wizard.post(step, values, files=files)
        assert wizard.current_step(response) != step, response.context["form"].errors
    with django_capture_on_commit_callbacks(execute=True):
        response = wizard.post("review", {"token": str(wizard.draft.submission_token), "confirm": "on"})
    assert response.status_code == 302, response.context and response.context["form"].errors
    return Dossier.objects.get(applicant_user=user)


def test_filing_as_an_organisation_records_it_and_the_lookup_and_receipt_show_it(
    client, unit, mapped_eform, applicant, django_capture_on_commit_callbacks
):
    # The marks were saved by the builder's own screen.
    marked = dict(
        FormField.objects.filter(section__version__eform=mapped_eform)
        .exclude(applicant_field="")
        .values_list("code", "applicant_field")
    )
    assert marked["ten_doanh_nghiep"] == ApplicantField.ORGANISATION_NAME
    assert marked["la_doanh_nghiep"] == ApplicantField.AS_ORGANISATION

    wizard = start(client, applicant, mapped_eform)
    step1 = {**STEP1, "la_doanh_nghiep": "yes", "ma_so_thue": TAX_CODE, "ten_doanh_nghiep": COMPANY}
    dossier = submit(client, wizard, unit, applicant, step1, django_capture_on_commit_callbacks)

    assert dossier.applicant_kind == ApplicantKind.BUSINESS
    assert dossier.organisation_name == COMPANY
    assert dossier.applicant_id_number == TAX_CODE
    assert dossier.applicant_name == "Trần Thị Bình"  # the person filing for it
    assert dossier.applicant_address == "Số 5 Lê Lợi, Phường Hà Tu, Quảng Ninh"  # the address the form gave

    # The officer reads it on the dossier screen and on the receipt.
    dossier = dossier_services.dossier_receive_online(actor=unit.officer, dossier_id=dossier.pk)
    receipt = render_slip_body(dossier, SlipKind.RECEIPT)
    assert f"({COMPANY})" in receipt and f"Mã số thuế: {TAX_CODE}" in receipt

    # The public lookup shows the organisation (AG 12.1d).
    client.logout()
    assert client.get(f"/api/v1/lookup/{dossier.code}/").json()["organisation_name"] == COMPANY
    page = client.get("/tra-cuu/", {"code": dossier.code}).content.decode()
    assert COMPANY in page


def test_filing_as_a_person_ignores_the_organisation_in_the_profile(
    client, unit, mapped_eform, applicant, django_capture_on_commit_callbacks
):
    profile = applicant.citizen_profile
    profile.organisation_name, profile.tax_code = COMPANY, TAX_CODE
    profile.save()
    wizard = start(client, applicant, mapped_eform)
    dossier = submit(client, wizard, unit, applicant, STEP1, django_capture_on_commit_callbacks)
    assert dossier.applicant_kind == ApplicantKind.CITIZEN
    assert dossier.organisation_name == ""
    assert dossier.applicant_id_number == STEP1["so_cccd"]


def test_a_form_without_marks_keeps_the_profile_rule(
    client, unit, eform, applicant, django_capture_on_commit_callbacks
):
    profile = applicant.citizen_profile
    profile.organisation_name, profile.tax_code = COMPANY, TAX_CODE
    profile.save()
    wizard = start(client, applicant, eform)
    dossier = submit(client, wizard, unit, applicant, STEP1, django_capture_on_commit_callbacks)
    assert (dossier.applicant_kind, dossier.organisation_name) == (ApplicantKind.BUSINESS, COMPANY)
    assert dossier.applicant_id_number == TAX_CODE


def test_the_builder_refuses_a_mark_that_does_not_fit():
    field = FormField(code="ten", label="Tên", type=FieldType.TEXT, applicant_field=ApplicantField.AS_ORGANISATION)
    with pytest.raises(ValidationError) as error:
        field.clean()
    assert "applicant_field" in error.value.message_dict

    section = FormSection(title="Người đề nghị")
    flag = FormField(code="la_to_chuc", label="Tổ chức?", type=FieldType.YES_NO, applicant_field="as_organisation")
    name = FormField(code="ho_ten", label="Họ tên", type=FieldType.TEXT, applicant_field="full_name")
    again = FormField(code="ho_ten_2", label="Họ tên", type=FieldType.TEXT, applicant_field="full_name")
    problems = check_definition([(section, [flag, name, again])])
    assert [(p.field_index, p.attribute) for p in problems] == [(2, "applicant_field"), (0, "applicant_field")]
