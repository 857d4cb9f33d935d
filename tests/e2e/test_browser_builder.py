"""A department admin builds the reference form in the builder, in Chromium, without any syntax (issue 17).

The reference form: 2 sections, a text field with a named check, a CCCD field, a choice, a field shown only for
one choice value, a file upload and a repeating table with 2 columns. The test counts every click, choice and
typed input in the builder (before: 55 with the inline-panel editor) and checks that no control of the builder
asks for a regular expression, JSON or an English keyword; the live preview follows the edits and applies the
condition; publishing freezes the version; a citizen then submits a dossier through it. axe-core finds no
serious or critical violation on the builder.
"""

import re

import pytest

from eforms import services
from eforms.models import EForm, FormField, VersionStatus
from tests.e2e.browser import PASSWORD, PDF, TIMEOUT, admin_sign_in
from tests.e2e.look import SERIOUS, axe_violations
from tests.eforms.conftest import _fresh_engine_cache, applicant, unit  # noqa: F401 (fixtures)
from tests.eforms.test_wizard import documents_to_review, pdf_upload, start
from tests.factories.eforms import unit_admin
from workflow.models import Dossier

pytest.importorskip("playwright.sync_api", reason="Playwright for Python is not installed")

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

MAX_ACTIONS = 25


@pytest.fixture(autouse=True)
def _orm_beside_playwright(monkeypatch, settings):
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    settings.RATELIMIT_ENABLED = False


class Counted:
    """The admin's hands: every click, choice in a list and typed input is one action."""

    def __init__(self, page):
        self.page, self.actions = page, []

    def click(self, selector):
        self.page.locator(selector).click()
        self.actions.append(("click", selector))

    def type(self, selector, text):
        self.page.locator(selector).fill(text)
        self.actions.append(("type", selector))

    def choose(self, selector, value=None, label=None):
        self.page.locator(selector).select_option(value=value, label=label)
        self.actions.append(("choose", selector))


def signed_up_admin(unit):
    admin = unit_admin(unit.agency, username="quantri.xd")
    admin.set_password(PASSWORD)
    admin.save(update_fields=["password"])
    return admin


def field(s, f, inner=""):
    return f'[data-eb-field="{s}:{f}"] {inner}'.strip()


def test_the_reference_form_in_at_most_25_actions_then_a_citizen_submits_through_it(
    browser, live_server, client, unit, applicant
):
    admin = signed_up_admin(unit)
    eform = services.eform_create(actor=admin, procedure=unit.procedure, symbol="TK2", title="Tờ khai xây dựng")
    draft = eform.versions.get()
    page = admin_sign_in(browser, live_server.url, admin)
    page.set_viewport_size({"width": 1366, "height": 900})
    page.goto(f"{live_server.url}/admin/eforms/versions/edit/{draft.pk}/")
    page.wait_for_selector("[data-eb-section-title]")
    hands = Counted(page)

    # Section 1: a phone number with the "Vietnamese phone number" check, a CCCD, a choice, and a capacity
    # asked only for a workshop.
    hands.type("[data-eb-section-title]", "Thông tin người nộp")
    hands.choose('[data-eb-section="0"] .eb-add-field', "type:text")
    hands.type(field(0, 0, "[data-eb-label]"), "Số điện thoại liên hệ")
    hands.choose(field(0, 0, ".eb-preset select"), "phone")
    hands.choose('[data-eb-section="0"] .eb-add-field', "type:citizen_id")
    hands.click(field(0, 1, ".eb-field-body > .eb-check input"))  # required
    hands.choose('[data-eb-section="0"] .eb-add-field', "type:choice")
    hands.type(field(0, 2, "[data-eb-label]"), "Loại công trình")
    hands.type(field(0, 2, ".eb-rows li:nth-child(1) input"), "Nhà ở riêng lẻ")
    hands.type(field(0, 2, ".eb-rows li:nth-child(2) input"), "Nhà xưởng")
    hands.choose('[data-eb-section="0"] .eb-add-field', "type:number")
    hands.type(field(0, 3, "[data-eb-label]"), "Công suất thiết kế")
    hands.choose(field(0, 3, ".eb-condition select"), label="Loại công trình")
    hands.choose(field(0, 3, ".eb-condition .eb-control:nth-child(3) select"), label="Nhà xưởng")
    # Section 2: a drawing and the contractors as a table of two columns.
    hands.click("[data-eb-add-section]")
    hands.type('[data-eb-section="1"] [data-eb-section-title]', "Hồ sơ kỹ thuật")
    hands.choose('[data-eb-section="1"] .eb-add-field', "type:file")
    hands.type(field(1, 0, "[data-eb-label]"), "Bản vẽ mặt bằng")
    hands.choose('[data-eb-section="1"] .eb-add-field', "type:table")
    hands.type(field(1, 1, "[data-eb-label]"), "Danh sách nhà thầu")
    hands.type(field(1, 1, ".eb-rows li:nth-child(1) input"), "Tên nhà thầu")
    hands.type(field(1, 1, ".eb-rows li:nth-child(2) input"), "Số người")
    hands.choose(field(1, 1, ".eb-rows li:nth-child(2) select"), "number")

    # No control asks for a pattern, JSON or an English keyword (the advanced pattern appears only if chosen).
    labels = " ".join(page.locator(".eb-editor label, .eb-editor legend, .eb-editor summary").all_inner_texts())
    assert not re.search(r"regex|biểu thức chính quy|JSON|value\|label|code\|label|YYYY|\byes\b|\bno\b", labels)
    assert "Mẫu kiểm tra" not in labels

    # The live preview follows the edits, step by step, and applies the condition.
    preview = page.locator("[data-eb-preview]")
    preview.locator("text=Bước 2: Hồ sơ kỹ thuật").wait_for()
    capacity = preview.locator("[data-eform-show-if]").filter(has_text="Công suất thiết kế")
    assert capacity.is_hidden()
    preview.locator("label", has_text="Nhà xưởng").click()
    assert capacity.is_visible()
    assert preview.locator("text=Tên nhà thầu").count() >= 1

    found = axe_violations(page, SERIOUS)
    assert not found, found

    with page.expect_navigation():
        hands.click("[data-eb-publish]")
    assert f"/admin/snippets/eforms/eform/inspect/{eform.pk}/" in page.url
    assert len(hands.actions) <= MAX_ACTIONS, hands.actions
    print(f"builder actions for the reference form: {len(hands.actions)} (before: 55)")

    version = EForm.objects.get(pk=eform.pk).versions.get()
    assert version.status == VersionStatus.PUBLISHED
    rows = {f.code: f for f in FormField.objects.filter(section__version=version)}
    assert [(f.label, f.type) for f in sorted(rows.values(), key=lambda f: (f.section.sort_order, f.sort_order))] == [
        ("Số điện thoại liên hệ", "text"),
        ("Số định danh cá nhân (CCCD)", "citizen_id"),
        ("Loại công trình", "choice"),
        ("Công suất thiết kế", "number"),
        ("Bản vẽ mặt bằng", "file"),
        ("Danh sách nhà thầu", "table"),
    ]
    phone, choice, capacity_row = rows["so_dien_thoai_lien_he"], rows["loai_cong_trinh"], rows["cong_suat_thiet_ke"]
    assert phone.preset == "phone"
    assert choice.choice_list() == [("nha_o_rieng_le", "Nhà ở riêng lẻ"), ("nha_xuong", "Nhà xưởng")]
    assert (capacity_row.condition_field, capacity_row.condition_operator, capacity_row.condition_value) == (
        "loai_cong_trinh",
        "equals",
        "nha_xuong",
    )
    assert rows["danh_sach_nha_thau"].table_columns == [
        {"code": "ten_nha_thau", "label": "Tên nhà thầu", "type": "text"},
        {"code": "so_nguoi", "label": "Số người", "type": "number"},
    ]

    # A citizen submits a dossier through the new form.
    wizard = start(client, applicant, EForm.objects.get(pk=eform.pk))
    response = wizard.post(
        "s1",
        {
            "so_dien_thoai_lien_he": "0912 345 678",
            "so_dinh_danh_ca_nhan_cccd": "022190001234",
            "loai_cong_trinh": "nha_xuong",
            "cong_suat_thiet_ke": "120",
        },
    )
    assert wizard.current_step(response) == "s2", response.context["form"].errors
    response = wizard.post(
        "s2",
        {"danh_sach_nha_thau-0-ten_nha_thau": "Công ty Hạ Long", "danh_sach_nha_thau-0-so_nguoi": "12"},
        files={"ban_ve_mat_bang": pdf_upload(content=PDF)},
    )
    assert wizard.current_step(response) == "documents", response.context["form"].errors
    documents_to_review(wizard, unit, applicant)
    response = wizard.post("review", {"token": str(wizard.draft.submission_token), "confirm": "on"})
    assert response.status_code == 302
    dossier = Dossier.objects.get(procedure=unit.procedure)
    values = dossier.eform_draft.values
    assert values["so_dien_thoai_lien_he"] == "0912345678" and values["cong_suat_thiet_ke"] == 120
    assert values["danh_sach_nha_thau"][0]["ten_nha_thau"] == "Công ty Hạ Long"
    page.context.close()


def test_the_builder_says_what_to_fix_beside_the_field_and_saves_nothing(browser, live_server, unit):
    admin = signed_up_admin(unit)
    eform = services.eform_create(actor=admin, procedure=unit.procedure, symbol="TK3", title="Tờ khai")
    draft = eform.versions.get()
    page = admin_sign_in(browser, live_server.url, admin)
    page.goto(f"{live_server.url}/admin/eforms/versions/edit/{draft.pk}/")
    page.wait_for_selector("[data-eb-section-title]")
    page.locator('[data-eb-section="0"] .eb-add-field').select_option("type:choice")
    page.locator(field(0, 0, "[data-eb-label]")).fill("Giới tính")
    page.locator("[data-eb-save]").click()
    errors = page.locator("[data-eb-errors]")
    errors.wait_for()
    assert "Phần 1, trường thông tin 1 «Giới tính»" in errors.inner_text()
    assert page.locator(field(0, 0, ".error-message")).count() >= 1
    assert not draft.sections.exists()
    page.set_default_timeout(TIMEOUT)
    page.context.close()
