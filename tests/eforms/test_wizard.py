"""E-forms end to end: built by a unit admin in the Wagtail admin, filled by a citizen in the wizard, submitted.

DESIGN 4 and 6; QN 16 (e-forms, prefill, code = procedure code + symbol), QN 13.2a (status 1, 8 working hours).
"""

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils.translation import gettext

from catalog.officials import roles
from eforms import engine, services
from eforms.errors import VersionFrozen
from eforms.models import DraftStatus, EForm, FormDraft, FormField, VersionStatus
from tests.factories.citizens import PDF, citizen, construction_unit, stored_document
from tests.factories.eforms import Wizard, unit_admin
from tests.factories.files import HTML_AS_PDF
from tests.factories.world import in_roles
from workflow.models import DocumentKind, Dossier, Status

pytestmark = pytest.mark.django_db

COMMUNE = "06652"  # Phường Hà Tu, Quảng Ninh (22)


def start(client, user, eform):
    client.force_login(user)
    response = client.get(f"/nop-truc-tuyen/bieu-mau/{eform.code}/")
    assert response.status_code == 302
    draft = FormDraft.objects.filter(user=user).latest("created_at")
    return Wizard(client, draft)


STEP1 = {
    "so_cccd": "022190001234",
    "ngay_sinh": "1990-05-17",
    "gioi_tinh": "female",
    "dien_thoai": "0912 345 678",
    "thu_dien_tu": "binh@example.com",
    "dia_chi_0": "22",
    "dia_chi_1": COMMUNE,
    "dia_chi_2": "Số 5 Lê Lợi",
    "la_doanh_nghiep": "no",
}
STEP2 = {
    "loai_cong_trinh": "nha_o",
    "dien_tich": "120,5",
    "mo_ta": "Nhà ở 3 tầng",
    "hang_muc": ["mong", "mai"],
    "nha_thau-0-ten": "Công ty Xây dựng Hạ Long",
    "nha_thau-0-so_nguoi": "12",
    "nha_thau-0-ngay": "2026-03-01",
}


def pdf_upload(name="ban-ve.pdf", content=PDF):
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def fill_to_review(wizard, unit, user):
    response = wizard.post("s1", STEP1)
    assert wizard.current_step(response) == "s2", response.context["form"].errors
    response = wizard.post("s2", STEP2, files={"ban_ve": pdf_upload()})
    assert wizard.current_step(response) == "documents", response.context["form"].errors
    return documents_to_review(wizard, unit, user)


def documents_to_review(wizard, unit, user, title="Căn cước công dân"):
    """From the documents step to the review: the ID from the data store (``title``), the plan uploaded, online."""
    stored = stored_document(user, title=title)
    response = wizard.post(
        "documents",
        {f"doc_{unit.id_doc.pk}_stored": str(stored.pk)},
        files={f"doc_{unit.plan_doc.pk}": pdf_upload("thiet-ke.pdf")},
    )
    assert wizard.current_step(response) == "delivery", response.context["form"].errors
    response = wizard.post("delivery", {"agency": str(unit.agency.pk), "delivery": "online"})
    assert wizard.current_step(response) == "review", response.context["form"].errors
    return response


# --- the whole story -------------------------------------------------------------------------------------


def test_admin_builds_publishes_and_citizen_submits_online(
    client, unit, eform, applicant, django_capture_on_commit_callbacks
):
    assert eform.code == f"{unit.procedure.national_code}.TK1"
    version = eform.versions.get()
    assert version.status == VersionStatus.PUBLISHED and version.number == 1
    assert set(FormField.objects.filter(section__version=version).values_list("type", flat=True)) == {
        "text",
        "textarea",
        "number",
        "date",
        "choice",
        "multichoice",
        "yesno",
        "email",
        "phone",
        "citizen_id",
        "passport",
        "tax_code",
        "address",
        "file",
        "table",
        "static",
    }

    # The procedure page offers "Submit online" once the form is published.
    from portal.demo.loader import load_pages

    load_pages()
    page = client.get(f"/thu-tuc-hanh-chinh/{unit.procedure.national_code}/")
    assert f"/nop-truc-tuyen/bieu-mau/{eform.code}/" in page.content.decode()

    wizard = start(client, applicant, eform)
    first = client.get(wizard.url)
    html = first.content.decode()
    # Prefilled from the profile; the name is locked (editable_after_prefill off), the rest editable.
    assert 'value="Trần Thị Bình"' in html and "disabled" in html
    assert 'value="022190001234"' in html
    # Accessible markup: labels, fieldsets with legends, conditional field marked for the script.
    assert '<label for="id_s1-ho_ten">' in html and "<legend>" in html
    assert 'data-eform-show-if="s1-la_doanh_nghiep"' in html

    # A tampered locked field keeps the profile's value.
    wizard.post("s1", {**STEP1, "ho_ten": "Người Khác"})
    review = fill_to_review(wizard, unit, applicant)
    text = review.content.decode()
    assert "Trần Thị Bình" in text and "Người Khác" not in text
    assert "Nhà ở riêng lẻ" in text and "Phường Hà Tu, Quảng Ninh" in text
    assert "Thông tin nhà xưởng" not in text  # section hidden by its condition

    with django_capture_on_commit_callbacks(execute=True):
        response = wizard.post("review", {"token": str(wizard.draft.submission_token), "confirm": "on"})
    assert response.status_code == 302 and response["Location"].endswith("/da-nop/")
    dossier = Dossier.objects.get()
    assert dossier.status == Status.NEW and dossier.applicant_user == applicant
    assert dossier.reception_due_at is not None and dossier.applicant_name == "Trần Thị Bình"
    assert dossier.form_data["form_code"] == eform.code and dossier.form_data["version"] == 1
    values = dossier.form_data["values"]
    assert values["dien_thoai"] == "0912345678" and values["dien_tich"] == 120.5
    assert values["dia_chi"]["commune"] == COMMUNE and values["hang_muc"] == ["mong", "mai"]
    assert values["nha_thau"] == [{"ten": "Công ty Xây dựng Hạ Long", "so_nguoi": 12, "ngay": "2026-03-01"}]
    assert "ma_so_thue" not in values and "cong_suat" not in values

    documents = {d.name: d for d in dossier.documents.all()}
    pdf = next(d for n, d in documents.items() if n.startswith(eform.code))
    content = pdf.file.read()
    assert content.startswith(b"%PDF")
    assert len(documents) == 4  # the filled form, the drawing field, the two required documents
    by_requirement = {d.procedure_document_id for d in documents.values()}
    assert {unit.id_doc.pk, unit.plan_doc.pk} <= by_requirement
    assert all(d.kind == DocumentKind.SUBMITTED for d in documents.values())
    assert "private" in pdf.file.storage.location  # never under the public media root

    ack = client.get(response["Location"])
    assert dossier.code in ack.content.decode()
    assert any(dossier.code in m.subject for m in mail.outbox)

    draft = FormDraft.objects.get(pk=wizard.draft.pk)
    assert draft.status == DraftStatus.SUBMITTED and draft.dossier == dossier and draft.state == {}

    # The one-stop officer sees it waiting for reception.
    in_roles(unit.officer, roles.RECEPTION_OFFICER)
    client.force_login(unit.officer)
    inbox = client.get("/admin/dossiers/reception/")
    assert dossier.code in inbox.content.decode()
    # ... and reads the answers on the dossier screen, hidden sections left out.
    detail = client.get(f"/admin/dossiers/{dossier.pk}/").content.decode()
    assert 'id="dossier-form-heading"' in detail and "Công ty Xây dựng Hạ Long" in detail
    assert "Nhà ở riêng lẻ" in detail and "Thông tin nhà xưởng" not in detail

    # Before acceptance the public lookup shows only code, agency, applicant and date; once the officer
    # receives it, exactly the AG 12 fields.
    from portal.lookup import FULL_KEYS, REDUCED_KEYS
    from workflow.dossiers import services

    client.logout()
    assert tuple(client.get(f"/api/v1/lookup/{dossier.code}/").json()) == REDUCED_KEYS
    services.dossier_receive_online(actor=unit.officer, dossier_id=dossier.pk)
    public = client.get(f"/api/v1/lookup/{dossier.code}/", {"t": dossier.lookup_token}).json()
    assert tuple(public) == FULL_KEYS
    assert public["applicant_name"] == "Trần Thị Bình" and public["status"] == Status.RECEIVED


def test_pdf_keeps_vietnamese_text(unit, eform, tmp_path):
    from eforms.pdf import render_form_html, render_form_pdf
    from tests.workflow.slips.test_slips import assert_vietnamese_glyphs, pdf_expanded, pdf_text

    definition = engine.load_definition(eform.versions.get())
    values = {
        "ho_ten": "Nguyễn Thị Hồng Nhung",
        "loai_cong_trinh": "nha_o",
        "nha_thau": [{"ten": "Đội thi công số 1", "so_nguoi": 3, "ngay": "2026-01-02"}],
    }
    html = render_form_html(definition, values, applicant_name="Nguyễn Thị Hồng Nhung")
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in html and eform.code in html
    assert "Đội thi công số 1" in html and "02/01/2026" in html
    pdf = render_form_pdf(definition, values, applicant_name="Nguyễn Thị Hồng Nhung")
    assert pdf.startswith(b"%PDF") and b"DejaVu" in pdf_expanded(pdf)
    assert_vietnamese_glyphs(pdf, "Nguyễn Thị Hồng Nhung", "Đội thi công", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM")
    text = pdf_text(pdf, tmp_path)
    if text is not None:
        assert "Nguyễn Thị Hồng Nhung" in text and eform.code in text


def test_prefill_reuses_the_value_given_last_time(client, unit, eform, applicant):
    FormDraft.objects.create(
        user=applicant,
        version=eform.versions.get(),
        status=DraftStatus.SUBMITTED,
        values={"mo_ta": "Nhà cấp 4 trên đất ở"},
        submitted_at="2026-01-05T08:00Z",
    )
    draft = services.draft_start(user=applicant, eform_code=eform.code, profile=applicant.citizen_profile)
    assert draft.prefill["mo_ta"] == "Nhà cấp 4 trên đất ở"
    assert draft.prefill["ho_ten"] == "Trần Thị Bình" and draft.prefill["ngay_sinh"] == "1990-05-17"
    assert draft.prefill["gioi_tinh"] == "female"


def test_draft_is_saved_and_resumed_in_a_new_session(client, unit, eform, applicant):
    wizard = start(client, applicant, eform)
    wizard.post("s1", STEP1)
    response = wizard.post("s2", {"loai_cong_trinh": "nha_xuong"}, eform_save="1")
    assert response.status_code == 302 and response["Location"] == "/nop-truc-tuyen/"
    client.logout()
    client.force_login(applicant)  # a new session: only the checkpoint on the filling remains
    listing = client.get("/nop-truc-tuyen/")
    assert eform.code in listing.content.decode()
    resumed = client.get(wizard.url)
    assert wizard.current_step(resumed) == "s2"
    assert (
        'value="nha_xuong" checked' in resumed.content.decode().replace('" id', '"').replace(" required", "")
        or "nha_xuong" in resumed.content.decode()
    )
    # Going to the start page again continues the same filling instead of opening a second one.
    assert client.get(f"/nop-truc-tuyen/bieu-mau/{eform.code}/")["Location"] == wizard.url
    # The conditional section now applies.
    response = wizard.post("s2", {**STEP2, "loai_cong_trinh": "nha_xuong"})
    assert wizard.current_step(response) == "s3"


def test_more_table_rows_without_javascript(client, unit, eform, applicant):
    wizard = start(client, applicant, eform)
    wizard.post("s1", STEP1)
    rows = {f"nha_thau-{i}-ten": f"Nhà thầu {i}" for i in range(3)}
    response = wizard.post("s2", {"loai_cong_trinh": "nha_o", **rows}, wizard_refresh="1")
    assert wizard.current_step(response) == "s2" and not response.context["form"].errors
    html = response.content.decode()
    assert 'value="Nhà thầu 2"' in html and 'name="s2-nha_thau-4-ten"' in html


def test_another_users_draft_is_not_found(client, unit, eform, applicant):
    wizard = start(client, applicant, eform)
    other = citizen()
    client.force_login(other)
    assert client.get(wizard.url).status_code == 404
    assert client.post(wizard.url, {f"{wizard.prefix}-current_step": "s1"}).status_code == 404
    assert client.post(f"/nop-truc-tuyen/ho-so/{wizard.draft.pk}/xoa/").status_code == 404
    assert client.get(f"/nop-truc-tuyen/ho-so/{wizard.draft.pk}/da-nop/").status_code == 404


def test_staff_and_anonymous_cannot_use_the_wizard(client, unit, eform):
    assert client.get(f"/nop-truc-tuyen/bieu-mau/{eform.code}/").status_code == 302  # to sign-in
    client.force_login(unit.officer)
    assert client.get(f"/nop-truc-tuyen/bieu-mau/{eform.code}/").status_code == 403


# --- bad input ---------------------------------------------------------------------------------------------


def test_unknown_fields_are_ignored_with_a_message(client, unit, eform, applicant):
    wizard = start(client, applicant, eform)
    response = wizard.post("s1", {**STEP1, "is_admin": "1", "cong_suat": "999"})
    assert wizard.current_step(response) == "s2"
    messages = [str(m) for m in response.context["messages"]]
    assert gettext("Some submitted data did not belong to this form and was ignored.") in messages
    state = FormDraft.objects.get(pk=wizard.draft.pk).state
    assert "s1-is_admin" not in state["step_data"]["s1"] and "csrfmiddlewaretoken" not in state["step_data"]["s1"]


def test_a_value_outside_the_choices_is_refused(client, unit, eform, applicant):
    wizard = start(client, applicant, eform)
    response = wizard.post("s1", {**STEP1, "gioi_tinh": "robot"})
    assert wizard.current_step(response) == "s1"
    assert "gioi_tinh" in response.context["form"].errors
    wizard.post("s1", STEP1)
    response = wizard.post("s2", {**STEP2, "hang_muc": ["mong", "tang_ham"]})
    assert "hang_muc" in response.context["form"].errors


def test_values_of_hidden_conditional_fields_are_dropped(client, unit, eform, applicant):
    wizard = start(client, applicant, eform)
    # Same page: "no" hides the tax code; its (even invalid) value is dropped, not validated.
    response = wizard.post("s1", {**STEP1, "ma_so_thue": "123"})
    assert wizard.current_step(response) == "s2"
    assert gettext("Your answer to “%(label)s” was not kept: the question does not apply.") % {
        "label": "Mã số thuế"
    } in [str(m) for m in response.context["messages"]]
    # Earlier page decided it: the field is not offered, a forged value is ignored.
    assert "ten_du_an" not in response.context["form"].fields
    review = fill_rest(wizard, unit, applicant, step2_extra={"ten_du_an": "Dự án giả"})
    assert "Dự án giả" not in review.content.decode()
    wizard.post("review", {"token": str(wizard.draft.submission_token), "confirm": "on"})
    values = Dossier.objects.get().form_data["values"]
    assert "ma_so_thue" not in values and "ten_du_an" not in values


def fill_rest(wizard, unit, user, step2_extra=None):
    response = wizard.post("s2", {**STEP2, **(step2_extra or {})})
    assert wizard.current_step(response) == "documents", response.context["form"].errors
    stored = stored_document(user)
    wizard.post(
        "documents", {f"doc_{unit.id_doc.pk}_stored": str(stored.pk), f"doc_{unit.plan_doc.pk}_stored": str(stored.pk)}
    )
    return wizard.post("delivery", {"agency": str(unit.agency.pk), "delivery": "online"})


def test_conditional_required_field_applies_when_shown(client, unit, eform, applicant):
    wizard = start(client, applicant, eform)
    response = wizard.post("s1", {**STEP1, "la_doanh_nghiep": "yes"})
    assert "ma_so_thue" in response.context["form"].errors
    response = wizard.post("s1", {**STEP1, "la_doanh_nghiep": "yes", "ma_so_thue": "0101234567-001"})
    assert wizard.current_step(response) == "s2"
    assert "ten_du_an" in response.context["form"].fields


def test_a_skipped_step_is_refused(client, unit, eform, applicant):
    wizard = start(client, applicant, eform)
    response = wizard.post("review", {"token": str(wizard.draft.submission_token), "confirm": "on"})
    assert wizard.current_step(response) == "s1"
    assert gettext("Please complete this step first.") in [str(m) for m in response.context["messages"]]
    wizard.post("s1", STEP1)
    response = wizard.post("delivery", {"agency": str(unit.agency.pk), "delivery": "online"})
    assert wizard.current_step(response) == "s2"
    response = wizard.client.post(wizard.url, {"wizard_goto_step": "review"})
    assert wizard.current_step(response) == "s2"
    response = wizard.post("s9", {})
    assert response.status_code == 200 and wizard.current_step(response) == "s2"
    assert not Dossier.objects.exists()


def test_files_are_checked_by_content_and_size_before_storage(client, unit, eform, applicant, tmp_path):
    wizard = start(client, applicant, eform)
    wizard.post("s1", STEP1)
    fake = SimpleUploadedFile("ban-ve.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf")
    response = wizard.post("s2", STEP2, files={"ban_ve": fake})
    assert "ban_ve" in response.context["form"].errors
    html = SimpleUploadedFile("ban-ve.pdf", HTML_AS_PDF, content_type="application/pdf")  # PDF header, HTML body
    response = wizard.post("s2", STEP2, files={"ban_ve": html})
    assert "ban-ve.pdf" in " ".join(response.context["form"].errors["ban_ve"])
    big = SimpleUploadedFile("ban-ve.pdf", PDF + b"0" * (1024 * 1024), content_type="application/pdf")
    response = wizard.post("s2", STEP2, files={"ban_ve": big})
    assert "ban_ve" in response.context["form"].errors
    wrong_type = SimpleUploadedFile("ban-ve.png", b"\x89PNG\r\n\x1a\n" + b"0" * 20, content_type="image/png")
    response = wizard.post("s2", STEP2, files={"ban_ve": wrong_type})
    assert "ban_ve" in response.context["form"].errors
    private = tmp_path / "private"
    assert not private.exists() or not any(p.is_file() for p in private.rglob("*"))
    # Documents step: a renamed executable is refused too.
    wizard.post("s2", STEP2)
    response = wizard.post(
        "documents",
        {},
        files={f"doc_{unit.id_doc.pk}": SimpleUploadedFile("cccd.pdf", b"MZ\x90\x00", content_type="application/pdf")},
    )
    errors = response.context["form"].errors
    assert f"doc_{unit.id_doc.pk}" in errors and f"doc_{unit.plan_doc.pk}" in errors  # mandatory, missing


def test_a_stored_document_of_another_user_cannot_be_picked(client, unit, eform, applicant):
    wizard = start(client, applicant, eform)
    wizard.post("s1", STEP1)
    wizard.post("s2", STEP2)
    stored_document(applicant)  # the applicant has a data store, so the pick list is offered
    foreign = stored_document(citizen())
    response = wizard.post(
        "documents",
        {f"doc_{unit.id_doc.pk}_stored": str(foreign.pk), f"doc_{unit.plan_doc.pk}_stored": str(foreign.pk)},
    )
    assert wizard.current_step(response) == "documents"
    assert f"doc_{unit.id_doc.pk}_stored" in response.context["form"].errors


def test_post_delivery_only_when_the_procedure_allows_it(client, unit, eform, applicant):
    wizard = start(client, applicant, eform)
    wizard.post("s1", STEP1)
    fill_rest(wizard, unit, applicant)
    response = wizard.post("delivery", {"agency": str(unit.agency.pk), "delivery": "post"})
    assert "delivery_address" in response.context["form"].errors
    unit.procedure.postal_return = False
    unit.procedure.save()
    response = wizard.post(
        "delivery", {"agency": str(unit.agency.pk), "delivery": "post", "delivery_address": "Số 5 Lê Lợi"}
    )
    assert "delivery" in response.context["form"].errors


def test_double_submit_creates_one_dossier(client, unit, eform, applicant):
    wizard = start(client, applicant, eform)
    wizard.post("s1", STEP1)
    fill_rest(wizard, unit, applicant)
    final = {"token": str(wizard.draft.submission_token), "confirm": "on"}
    first = wizard.post("review", final)
    second = wizard.post("review", final)
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"]
    assert Dossier.objects.count() == 1
    # The service itself is idempotent too (a retry that reaches it after the first commit).
    dossier, created = services.draft_submit(
        user=applicant,
        draft_id=wizard.draft.pk,
        token=wizard.draft.submission_token,
        values={},
        agency=unit.agency,
        applicant=services.applicant_from(applicant.citizen_profile, applicant),
    )
    assert not created and dossier == Dossier.objects.get()


def test_a_stale_token_is_refused(client, unit, eform, applicant):
    wizard = start(client, applicant, eform)
    wizard.post("s1", STEP1)
    fill_rest(wizard, unit, applicant)
    response = wizard.post("review", {"token": "00000000-0000-0000-0000-000000000000", "confirm": "on"})
    assert response.status_code == 200 and wizard.current_step(response) == "review"
    assert not Dossier.objects.exists()


# --- versions --------------------------------------------------------------------------------------------


def test_published_version_is_frozen_and_edits_make_a_new_draft(client, unit, eform, applicant):
    admin = unit_admin(unit.agency, username="quantri.hai")
    version = eform.versions.get()
    wizard = start(client, applicant, eform)  # a filling started on version 1
    client.force_login(admin)
    response = client.get(f"/admin/eforms/versions/edit/{version.pk}/")
    assert response.status_code == 302  # to the form's page: a published version is not edited
    field = FormField.objects.filter(section__version=version).first()
    field.label = "Đổi nhãn"
    with pytest.raises(VersionFrozen):
        field.save()

    inspect = client.get(f"/admin/snippets/eforms/eform/inspect/{eform.pk}/")
    assert inspect.status_code == 200 and gettext("Create a new draft version") in inspect.content.decode()
    response = client.post(f"/admin/eforms/versions/new-draft/{eform.pk}/")
    assert response.status_code == 302
    draft = eform.versions.get(status=VersionStatus.DRAFT)
    assert draft.number == 2
    assert (
        FormField.objects.filter(section__version=draft).count()
        == FormField.objects.filter(section__version=version).count()
    )
    edit = client.get(f"/admin/eforms/versions/edit/{draft.pk}/")
    assert edit.status_code == 200
    assert client.post(f"/admin/eforms/versions/new-draft/{eform.pk}/").status_code == 302
    assert eform.versions.filter(status=VersionStatus.DRAFT).count() == 1  # one draft at a time

    response = client.post(f"/admin/eforms/versions/publish/{draft.pk}/")
    assert response.status_code == 302
    version.refresh_from_db()
    draft.refresh_from_db()
    assert version.status == VersionStatus.RETIRED and draft.status == VersionStatus.PUBLISHED
    # The filling keeps version 1; new fillings get version 2.
    assert FormDraft.objects.get(pk=wizard.draft.pk).version == version
    new = services.draft_start(user=applicant, eform_code=eform.code)
    assert new.version == draft


def test_publishing_refuses_a_broken_definition(client, unit):
    admin = unit_admin(unit.agency)
    sections = [
        {
            "title": "Một",
            "fields": [
                {
                    "code": "a",
                    "type": "text",
                    "label": "A",
                    "condition_field": "khong_co",
                    "condition_operator": "filled",
                }
            ],
        }
    ]
    client.force_login(admin)
    response = client.post(
        "/admin/snippets/eforms/eform/add/", {"procedure": unit.procedure.pk, "symbol": "TK2", "title": "Tờ khai"}
    )
    edit_url = response["Location"]
    from tests.factories.eforms import save_in_builder

    response = save_in_builder(client, edit_url, sections)
    assert response.status_code == 400  # the condition points to no earlier field: said about that field
    assert [(p["section"], p["field"]) for p in response.json()["problems"]] == [(0, 0)]
    assert "khong_co" in response.json()["problems"][0]["message"]
    eform = EForm.objects.get(code=f"{unit.procedure.national_code}.TK2")
    response = client.post(f"/admin/eforms/versions/publish/{eform.versions.get().pk}/")
    assert eform.versions.get().status == VersionStatus.DRAFT  # empty: refused


def test_form_code_is_unique(client, unit, eform):
    client.force_login(unit_admin(unit.agency, username="quantri.ba"))
    response = client.post(
        "/admin/snippets/eforms/eform/add/", {"procedure": unit.procedure.pk, "symbol": "TK1", "title": "Trùng"}
    )
    assert response.status_code == 200 and EForm.objects.count() == 1


def test_admin_screens_are_scoped_to_the_unit(client, unit, eform):
    other = construction_unit()
    stranger = unit_admin(other.agency, username="quantri.khac")
    client.force_login(stranger)
    listing = client.get("/admin/snippets/eforms/eform/")
    assert eform.code not in listing.content.decode()
    version = eform.versions.get()
    assert client.get(f"/admin/snippets/eforms/eform/inspect/{eform.pk}/").status_code == 404
    assert client.get(f"/admin/eforms/versions/preview/{version.pk}/").status_code == 404
    assert client.post(f"/admin/eforms/versions/new-draft/{eform.pk}/").status_code == 404
    add = client.get("/admin/snippets/eforms/eform/add/")
    assert unit.procedure.name not in add.content.decode() or str(unit.procedure.pk) not in list(
        add.context["form"].fields["procedure"].queryset.values_list("pk", flat=True)
    )  # noqa: E501


def test_preview_checks_answers_like_the_wizard(client, unit, eform):
    client.force_login(unit_admin(unit.agency, username="quantri.bon"))
    version = eform.versions.get()
    url = f"/admin/eforms/versions/preview/{version.pk}/"
    page = client.get(url)
    assert "Nguyễn Văn An" in page.content.decode()  # the sample applicant's prefill
    bad = client.post(url, {"s1-dien_thoai": "123"})
    assert bad.status_code == 400
    good = {f"s1-{k}": v for k, v in STEP1.items()} | {f"s2-{k}": v for k, v in STEP2.items()}
    response = client.post(url, {**good, "pdf": "1"})
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"


# --- performance -------------------------------------------------------------------------------------------


def test_wizard_step_query_count_is_pinned(client, unit, eform, applicant):
    wizard = start(client, applicant, eform)
    wizard.post("s1", STEP1)  # warm the definition cache
    with CaptureQueriesContext(connection) as queries:
        response = wizard.post("s1", STEP1)
    assert wizard.current_step(response) == "s2"
    chrome = ("wagtailcore_page", "maintenancenotice", "auth_permission", "supportsettings")  # base.html's own
    ours = [q["sql"] for q in queries if not any(table in q["sql"] for table in chrome)]
    # session, user, profile, filling, checkpoint, session save (+ a savepoint pair); none per field or section.
    assert len(ours) <= 8, "\n".join(q[:150] for q in ours)
    assert len(queries) <= 14, [q["sql"] for q in queries]
