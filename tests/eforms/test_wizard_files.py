"""Files in the wizard survive everything but "Remove": "More rows", "Back", "Save and continue later", a new
session; the step and the review page show what is attached (name, size) with "Replace" and "Remove".

Issue 14.4: a file chosen on a step was lost when the citizen pressed "More rows" ("Thêm dòng") on that step,
and no step said a file was already attached.
"""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils.translation import gettext

from eforms.models import FormDraft
from tests.eforms.test_wizard import STEP1, STEP2, documents_to_review, pdf_upload, start
from tests.factories.citizens import PDF, stored_document
from tests.factories.eforms import SECTIONS, build_form_through_admin, unit_admin
from workflow.models import Dossier

pytestmark = pytest.mark.django_db

DRAWING = PDF + b"%" + b"x" * (2560 - len(PDF) - 1)  # 2,5 KB


def drawing(name="ban-ve.pdf"):
    return pdf_upload(name, DRAWING)


def kept_files(wizard, step="s2"):
    """The files the filling keeps for ``step`` (the checkpoint on the draft, what a new session resumes)."""
    state = FormDraft.objects.get(pk=wizard.draft.pk).state
    return state.get("step_files", {}).get(step, {})


def private_files(tmp_path):
    root = tmp_path / "private"
    return sorted(p.name for p in root.rglob("*") if p.is_file()) if root.exists() else []


def attached(html, name="ban-ve.pdf", size="2,5 KB"):
    """Whether the step shows the file as attached: its name and size, with "Remove"."""
    start = html.find('class="eform-current-file"')
    return start >= 0 and f"<strong>{name}</strong> ({size})" in html[start : start + 600]


def to_documents_and_review(wizard, unit, user):
    return documents_to_review(wizard, unit, user, title="Căn cước mặt trước")


def submit(wizard):
    response = wizard.post("review", {"token": str(wizard.draft.submission_token), "confirm": "on"})
    assert response.status_code == 302, response.context["form"].errors
    return Dossier.objects.get()


def drawing_in(dossier):
    names = [d.name for d in dossier.documents.all()]
    drawings = [d for d in dossier.documents.all() if d.name.startswith("Bản vẽ mặt bằng")]
    assert len(drawings) == 1, names
    return drawings[0]


def test_a_file_chosen_before_more_rows_stays_attached_and_reaches_the_dossier(client, unit, eform, applicant):
    wizard = start(client, applicant, eform)
    wizard.post("s1", STEP1)
    response = wizard.post("s2", STEP2, files={"ban_ve": drawing()}, wizard_refresh="1")
    assert wizard.current_step(response) == "s2" and not response.context["form"].errors
    html = response.content.decode()
    assert 'name="s2-nha_thau-2-ten"' in html  # the rows were added ...
    assert attached(html)  # ... and the step says the file is attached, with its size
    assert 'name="eform_remove_file" value="s2-ban_ve"' in html
    assert set(kept_files(wizard)) == {"s2-ban_ve"}

    response = wizard.post("s2", STEP2)  # "Next" without choosing the file again
    assert wizard.current_step(response) == "documents", response.context["form"].errors
    to_documents_and_review(wizard, unit, applicant)
    assert drawing_in(submit(wizard)).file.read() == DRAWING


def test_back_and_forward_keep_the_file_and_show_it(client, unit, eform, applicant):
    wizard = start(client, applicant, eform)
    wizard.post("s1", STEP1)
    # Chosen, then "Back" at once (the step is not sent): the file is kept all the same.
    response = wizard.post("s2", {"loai_cong_trinh": "nha_o"}, files={"ban_ve": drawing()}, wizard_goto_step="s1")
    assert wizard.current_step(response) == "s1"
    response = wizard.post("s1", STEP1)
    assert wizard.current_step(response) == "s2"
    html = response.content.decode()
    assert attached(html) and not response.context["form"].errors  # not sent yet: no errors shown
    response = wizard.post("s2", STEP2)
    assert wizard.current_step(response) == "documents", response.context["form"].errors
    # Back from the documents step to the form's step: still attached.
    response = wizard.post("documents", {}, wizard_goto_step="s2")
    assert wizard.current_step(response) == "s2" and attached(response.content.decode())
    wizard.post("s2", STEP2)
    to_documents_and_review(wizard, unit, applicant)
    assert drawing_in(submit(wizard)).file.read() == DRAWING


def test_a_saved_draft_resumed_in_a_new_session_keeps_its_files(client, unit, eform, applicant):
    wizard = start(client, applicant, eform)
    wizard.post("s1", STEP1)
    response = wizard.post("s2", {"loai_cong_trinh": "nha_o"}, files={"ban_ve": drawing()}, eform_save="1")
    assert response.status_code == 302
    client.logout()
    client.force_login(applicant)  # another day: only the checkpoint on the filling remains
    listing = client.get("/nop-truc-tuyen/").content.decode()
    assert "1 tệp đã đính kèm" in listing and "ban-ve.pdf" in listing
    resumed = client.get(wizard.url)
    assert wizard.current_step(resumed) == "s2" and attached(resumed.content.decode())
    response = wizard.post("s2", STEP2)
    assert wizard.current_step(response) == "documents", response.context["form"].errors
    to_documents_and_review(wizard, unit, applicant)
    assert drawing_in(submit(wizard)).file.read() == DRAWING


def test_choosing_another_file_replaces_it_and_deletes_the_old_one(client, unit, eform, applicant, tmp_path):
    wizard = start(client, applicant, eform)
    wizard.post("s1", STEP1)
    wizard.post("s2", STEP2, files={"ban_ve": drawing("ban-ve-cu.pdf")}, wizard_refresh="1")
    assert private_files(tmp_path) == ["ban-ve-cu.pdf"]
    response = wizard.post("s2", STEP2, files={"ban_ve": pdf_upload("ban-ve-moi.pdf")})
    assert wizard.current_step(response) == "documents"
    assert private_files(tmp_path) == ["ban-ve-moi.pdf"]  # the replaced file is not left behind
    assert kept_files(wizard)["s2-ban_ve"]["name"] == "ban-ve-moi.pdf"
    to_documents_and_review(wizard, unit, applicant)
    assert drawing_in(submit(wizard)).file.read() == PDF


def test_remove_on_the_step_forgets_the_file(client, unit, eform, applicant, tmp_path):
    wizard = start(client, applicant, eform)
    wizard.post("s1", STEP1)
    wizard.post("s2", STEP2, files={"ban_ve": drawing()})
    response = wizard.post("documents", {}, wizard_goto_step="s2")
    typed = {**STEP2, "mo_ta": "Đã sửa mô tả"}
    response = wizard.post("s2", typed, eform_remove_file="s2-ban_ve")
    assert wizard.current_step(response) == "s2" and not response.context["form"].errors
    html = response.content.decode()
    assert not attached(html) and "Đã sửa mô tả" in html  # what was typed stays
    assert gettext("“%(name)s” was removed.") % {"name": "ban-ve.pdf"} in [str(m) for m in response.context["messages"]]
    assert kept_files(wizard) == {} and private_files(tmp_path) == []
    wizard.post("s2", STEP2)
    to_documents_and_review(wizard, unit, applicant)
    assert not [d for d in submit(wizard).documents.all() if d.name.startswith("Bản vẽ mặt bằng")]


def test_a_refused_file_is_not_kept_by_more_rows(client, unit, eform, applicant, tmp_path):
    wizard = start(client, applicant, eform)
    wizard.post("s1", STEP1)
    fake = SimpleUploadedFile("ban-ve.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf")
    response = wizard.post("s2", STEP2, files={"ban_ve": fake}, wizard_refresh="1")
    assert wizard.current_step(response) == "s2"
    assert any("Bản vẽ mặt bằng" in str(m) for m in response.context["messages"])
    assert kept_files(wizard) == {} and private_files(tmp_path) == []


def test_review_lists_attached_files_with_replace_and_remove(client, unit, eform, applicant):
    wizard = start(client, applicant, eform)
    wizard.post("s1", STEP1)
    wizard.post("s2", STEP2, files={"ban_ve": drawing()})
    review = to_documents_and_review(wizard, unit, applicant)
    html = review.content.decode()
    assert "<strong>ban-ve.pdf</strong> (2,5 KB)" in html
    assert f"<strong>thiet-ke.pdf</strong> ({len(PDF)} B)" in html  # the uploaded document, too
    assert 'name="wizard_goto_step" value="s2"' in html and 'name="eform_remove_file" value="s2-ban_ve"' in html
    assert f'name="eform_remove_file" value="documents-doc_{unit.plan_doc.pk}"' in html

    # "Replace" leads to the file's step, where it is shown attached.
    response = wizard.post("review", {}, wizard_goto_step="s2")
    assert wizard.current_step(response) == "s2" and attached(response.content.decode())
    wizard.post("s2", STEP2)
    wizard.post("documents", {f"doc_{unit.id_doc.pk}_stored": str(stored_document(applicant).pk)})
    wizard.post("delivery", {"agency": str(unit.agency.pk), "delivery": "online"})

    # "Remove" of an optional file on the review page: the review again, without it.
    response = wizard.post("review", {}, eform_remove_file="s2-ban_ve")
    assert wizard.current_step(response) == "review"
    assert "<strong>ban-ve.pdf</strong>" not in response.content.decode()
    # "Remove" of a mandatory document: back to the documents step, which asks for it again.
    response = wizard.post("review", {}, eform_remove_file=f"documents-doc_{unit.plan_doc.pk}")
    assert wizard.current_step(response) == "documents"
    response = wizard.post("documents", {f"doc_{unit.id_doc.pk}_stored": str(stored_document(applicant).pk)})
    assert f"doc_{unit.plan_doc.pk}" in response.context["form"].errors


@pytest.fixture
def required_file_form(client, unit):
    sections = [dict(s, fields=[dict(f) for f in s["fields"]]) for s in SECTIONS]
    for field in sections[1]["fields"]:
        if field["code"] == "ban_ve":
            field["required"] = True
    eform = build_form_through_admin(client, unit_admin(unit.agency), unit.procedure, symbol="tk2", sections=sections)
    client.logout()
    return eform


def test_a_required_file_already_attached_is_not_asked_again(client, unit, required_file_form, applicant):
    wizard = start(client, applicant, required_file_form)
    wizard.post("s1", STEP1)
    response = wizard.post("s2", STEP2)
    assert "ban_ve" in response.context["form"].errors  # required indeed
    response = wizard.post("s2", STEP2, files={"ban_ve": drawing()}, wizard_refresh="1")
    html = response.content.decode()
    assert attached(html)
    file_input = html[html.index('<input type="file" name="s2-ban_ve"') :].split(">", 1)[0]
    assert " required" not in file_input  # the browser does not ask for it again either
    response = wizard.post("s2", STEP2)
    assert wizard.current_step(response) == "documents", response.context["form"].errors
