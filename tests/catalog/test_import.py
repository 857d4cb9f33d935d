"""Catalog import/export: resources, services and the Wagtail admin screens."""

import csv
import hashlib
import io
import re
from decimal import Decimal

import openpyxl
import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.urls import reverse
from django.utils import translation

from catalog.models import Agency, Procedure, ProcedureDocument, ProcedureFee, Sector
from catalog.resources import (
    AgencyColumns,
    ProcedureColumns,
    SectorColumns,
    html_to_text,
)
from catalog.services import catalog_export, catalog_import
from tests.factories.files import inflating_docx

pytestmark = pytest.mark.django_db

P = ProcedureColumns
TRACKED = (Agency, Sector, Procedure, ProcedureDocument, ProcedureFee)


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def snapshot():
    """Row counts of the catalog tables and their history tables."""
    counts = {}
    for model in TRACKED:
        counts[model.__name__] = model.objects.count()
        counts[f"{model.__name__}.history"] = model.history.model.objects.count()
    counts["agencies-m2m"] = Procedure.agencies.through.objects.count()
    return counts


@pytest.fixture
def base_catalog():
    sector = Sector.objects.create(code="LV01", name="Hộ tịch")
    Sector.objects.create(code="LV02", name="Đất đai")
    province = Agency.objects.create(code="000.00.15.H12", name="Sở Tư pháp", level="province")
    commune = Agency.objects.create(code="000.01.20.H12", name="UBND xã Tân Lập", level="commune", parent=province)
    return {"sector": sector, "province": province, "commune": commune}


def procedure_row(**overrides):
    row = {
        P.CODE: "1.001612",
        P.NAME: "Đăng ký khai sinh",
        P.SECTOR_CODE: "LV01",
        P.AGENCY_CODES: "000.00.15.H12; 000.01.20.H12",
        P.LEVEL: "Tỉnh, Xã",
        P.ONLINE_LEVEL: "Toàn trình",
        P.PROCESSING_TIME: "3",
        P.TIME_UNIT: "Ngày làm việc",
        P.TIME_NOTE: "Kể từ ngày nhận đủ hồ sơ",
        P.APPLICANTS: "Công dân Việt Nam",
        P.STEPS: "Bước 1: Nộp hồ sơ\nBước 2: Nhận kết quả",
        P.REQUIREMENTS: "",
        P.CHANNELS: "Trực tuyến; Trực tiếp; Bưu chính",
        P.POSTAL_RETURN: "Có",
        P.RESULT: "Giấy khai sinh",
        P.LEGAL_BASIS: "Luật Hộ tịch 2014\nNghị định 123/2015/NĐ-CP",
        P.PUBLISHING_DECISION: "Quyết định 1872/QĐ-BTP",
        P.STATUS: "Còn hiệu lực",
        P.FEES: "Lệ phí: Đăng ký khai sinh đúng hạn = 0 (miễn)\nPhí: Cấp bản sao trích lục = 8000",
        P.DOCUMENTS: "Tờ khai đăng ký khai sinh | 1 | 0 | Bắt buộc\nGiấy chứng sinh | 1 | 0 | Bắt buộc\n"
        "Giấy tờ tùy thân | 0 | 1 | Không bắt buộc",
    }
    row.update(overrides)
    return row


def second_row(**overrides):
    return procedure_row(
        **{
            P.CODE: "2.002154",
            P.NAME: "Đăng ký kết hôn",
            P.AGENCY_CODES: "000.01.20.H12",
            P.LEVEL: "Xã",
            P.ONLINE_LEVEL: "Một phần",
            P.PROCESSING_TIME: "0,5",
            P.TIME_UNIT: "Giờ làm việc",
            P.CHANNELS: "Trực tiếp",
            P.POSTAL_RETURN: "Không",
            P.STATUS: "Được sửa đổi",
            P.FEES: "",
            P.DOCUMENTS: "Tờ khai đăng ký kết hôn",
            **overrides,
        }
    )


def to_csv(rows, headers=P.ORDER, bom=False, delimiter=","):
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(headers)
    for row in rows:
        writer.writerow([row.get(header, "") for header in headers])
    return buffer.getvalue().encode("utf-8-sig" if bom else "utf-8")


def to_xlsx(rows, headers=P.ORDER, blank_rows_before=()):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(list(headers))
    for index, row in enumerate(rows):
        if index in blank_rows_before:
            sheet.append([])
        sheet.append([row.get(header, "") for header in headers])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def run(file_bytes, *, model_key="procedures", file_format="csv", dry_run=False, user=None):
    return catalog_import(
        model_key=model_key, file_bytes=file_bytes, file_format=file_format, dry_run=dry_run, user=user
    )


# ---------------------------------------------------------------------------
# Dry run and all-or-nothing
# ---------------------------------------------------------------------------


def test_dry_run_reports_broken_row_and_writes_nothing(base_catalog):
    before = snapshot()
    data = to_csv([procedure_row(), second_row(**{P.SECTOR_CODE: "KHONGCO"})])

    result = run(data, dry_run=True)

    assert result.has_errors
    assert result.counts == {"new": 1, "update": 0, "unchanged": 0, "errors": 1}
    [error] = result.errors
    assert error.row == 3
    assert error.column == P.SECTOR_CODE
    assert error.message == "Unknown sector code “KHONGCO”."
    assert [(row.row, row.action) for row in result.rows] == [(2, "new"), (3, "error")]
    assert not result.committed
    assert snapshot() == before


def test_dry_run_of_a_good_file_writes_nothing(base_catalog):
    before = snapshot()
    result = run(to_xlsx([procedure_row(), second_row()]), file_format="xlsx", dry_run=True)
    assert not result.has_errors
    assert result.counts == {"new": 2, "update": 0, "unchanged": 0, "errors": 0}
    assert snapshot() == before


def test_confirmed_import_with_an_error_row_imports_nothing(base_catalog):
    before = snapshot()
    data = to_csv([procedure_row(), second_row(**{P.SECTOR_CODE: "KHONGCO"})])

    result = run(data, dry_run=False)

    assert result.has_errors and not result.committed
    assert [error.row for error in result.errors] == [3]
    assert snapshot() == before


# ---------------------------------------------------------------------------
# Good import, re-import, updates
# ---------------------------------------------------------------------------


def test_good_import_creates_procedures_with_documents_fees_and_agencies(base_catalog, django_user_model):
    user = django_user_model.objects.create_superuser("importer", "i@example.com", "pw-123456789")
    result = run(to_csv([procedure_row(), second_row()]), user=user)

    assert result.committed and not result.errors
    assert result.counts == {"new": 2, "update": 0, "unchanged": 0, "errors": 0}

    birth = Procedure.objects.get(national_code="1.001612")
    assert birth.name == "Đăng ký khai sinh"
    assert birth.sector == base_catalog["sector"]
    assert sorted(birth.agencies.values_list("code", flat=True)) == ["000.00.15.H12", "000.01.20.H12"]
    assert (birth.level, birth.online_level, birth.status) == ("both", "full", "in_force")
    assert birth.processing_time == Decimal("3") and birth.processing_time_unit == "day"
    assert (birth.submit_online, birth.submit_counter, birth.submit_post, birth.postal_return) == (
        True,
        True,
        True,
        True,
    )
    assert birth.applicant_steps == "<p>Bước 1: Nộp hồ sơ</p><p>Bước 2: Nhận kết quả</p>"
    assert birth.legal_basis == "Luật Hộ tịch 2014\nNghị định 123/2015/NĐ-CP"
    assert birth.search_text == "1.001612 dang ky khai sinh"
    assert [(d.name, d.originals, d.copies, d.mandatory) for d in birth.documents.all()] == [
        ("Tờ khai đăng ký khai sinh", 1, 0, True),
        ("Giấy chứng sinh", 1, 0, True),
        ("Giấy tờ tùy thân", 0, 1, False),
    ]
    assert [(f.kind, f.name, f.amount, f.note) for f in birth.fees.all()] == [
        ("charge", "Đăng ký khai sinh đúng hạn", 0, "miễn"),
        ("fee", "Cấp bản sao trích lục", 8000, ""),
    ]
    assert birth.history.count() == 1 and birth.history.first().history_user == user

    marriage = Procedure.objects.get(national_code="2.002154")
    assert marriage.processing_time == Decimal("0.5") and marriage.processing_time_unit == "hour"
    assert (marriage.submit_online, marriage.submit_counter, marriage.submit_post) == (False, True, False)
    assert (marriage.level, marriage.online_level, marriage.status) == ("commune", "partial", "amended")
    assert marriage.fees.count() == 0
    assert [(d.name, d.originals, d.copies, d.mandatory) for d in marriage.documents.all()] == [
        ("Tờ khai đăng ký kết hôn", 1, 0, True)
    ]


@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_importing_the_same_file_again_changes_nothing(base_catalog, file_format):
    data = to_csv([procedure_row(), second_row()]) if file_format == "csv" else to_xlsx([procedure_row(), second_row()])
    assert run(data, file_format=file_format).committed
    before = snapshot()
    updated_at = dict(Procedure.objects.values_list("national_code", "updated_at"))

    result = run(data, file_format=file_format)

    assert result.counts == {"new": 0, "update": 0, "unchanged": 2, "errors": 0}
    assert [row.action for row in result.rows] == ["skip", "skip"]
    assert snapshot() == before
    assert dict(Procedure.objects.values_list("national_code", "updated_at")) == updated_at


def test_changed_cells_update_only_what_changed(base_catalog):
    assert run(to_csv([procedure_row(), second_row()])).committed
    birth = Procedure.objects.get(national_code="1.001612")
    kept_docs = {d.name: d.pk for d in birth.documents.all()}
    doc_history = ProcedureDocument.history.count()

    changed = procedure_row(
        **{
            P.DOCUMENTS: "Tờ khai đăng ký khai sinh | 1 | 0 | Bắt buộc\nGiấy chứng sinh | 1 | 2 | Bắt buộc",
            P.AGENCY_CODES: "000.00.15.H12",
        }
    )
    result = run(to_csv([changed, second_row()]))

    assert result.counts == {"new": 0, "update": 1, "unchanged": 1, "errors": 0}
    assert result.rows[0].changed_columns == [P.AGENCY_CODES, P.DOCUMENTS]
    birth.refresh_from_db()
    assert list(birth.agencies.values_list("code", flat=True)) == ["000.00.15.H12"]
    docs = list(birth.documents.all())
    assert [(d.name, d.copies) for d in docs] == [("Tờ khai đăng ký khai sinh", 0), ("Giấy chứng sinh", 2)]
    # Matched by name: the same rows are kept (and their template files with them).
    assert [d.pk for d in docs] == [kept_docs["Tờ khai đăng ký khai sinh"], kept_docs["Giấy chứng sinh"]]
    # One document changed, one deleted: two history rows, none for the untouched document.
    assert ProcedureDocument.history.count() == doc_history + 2


def test_missing_optional_columns_leave_values_alone(base_catalog):
    assert run(to_csv([procedure_row()])).committed
    headers = (P.CODE, P.NAME, P.SECTOR_CODE, P.AGENCY_CODES, P.PROCESSING_TIME)
    result = run(to_csv([procedure_row(**{P.NAME: "Đăng ký khai sinh (mới)"})], headers=headers))
    assert result.counts["update"] == 1
    birth = Procedure.objects.get()
    assert birth.name == "Đăng ký khai sinh (mới)"
    assert birth.documents.count() == 3 and birth.fees.count() == 2 and birth.postal_return is True


# ---------------------------------------------------------------------------
# Export -> import round trip, formats
# ---------------------------------------------------------------------------


@pytest.fixture
def hand_made_catalog(base_catalog):
    """Records as editors make them in the admin (rich HTML, CRLF text), not via the import."""
    procedure = Procedure.objects.create(
        national_code="1.000001",
        name="Cấp giấy phép xây dựng",
        sector=base_catalog["sector"],
        level="province",
        online_level="none",
        processing_time=Decimal("15.00"),
        applicant_steps="<ol><li>Nộp <b>hồ sơ</b></li><li>Nhận &amp; kiểm tra</li></ol>",
        requirements='<p>Có <a href="https://example.com">giấy phép</a></p><ul><li>Điều kiện A</li></ul>',
        legal_basis="Luật Xây dựng\r\nNghị định 15/2021",
        submit_online=False,
        submit_post=True,
        status="abolished",
    )
    procedure.agencies.set([base_catalog["province"]])
    ProcedureDocument.objects.create(procedure=procedure, name="Đơn đề nghị", originals=1, copies=0, sort_order=0)
    ProcedureDocument.objects.create(
        procedure=procedure, name="Bản vẽ | thiết kế", originals=2, copies=1, mandatory=False, sort_order=1
    )
    ProcedureFee.objects.create(procedure=procedure, kind="fee", name="Thẩm định = hồ sơ", amount=150000, sort_order=0)
    ProcedureFee.objects.create(
        procedure=procedure, kind="charge", name="Cấp phép", amount=75000, note="nhà ở (riêng lẻ)", sort_order=1
    )
    Agency.objects.create(
        code="000.02.20.H12",
        name="UBND xã Mới",
        level="commune",
        parent=base_catalog["commune"],
        email="xa@example.gov.vn",
        phone="0203 123 456",
    )
    return procedure


@pytest.mark.parametrize("file_format", ["xlsx", "csv"])
@pytest.mark.parametrize("model_key", ["procedures", "agencies", "sectors"])
def test_export_then_import_is_a_no_op(hand_made_catalog, model_key, file_format):
    data = catalog_export(model_key=model_key, file_format=file_format)
    before = snapshot()

    result = run(data, model_key=model_key, file_format=file_format)

    assert not result.errors, [str(error) for error in result.errors]
    assert result.new_count == result.update_count == 0
    assert result.unchanged_count == {"procedures": 1, "agencies": 3, "sectors": 2}[model_key]
    assert snapshot() == before


def test_export_layout(hand_made_catalog):
    sheet = openpyxl.load_workbook(io.BytesIO(catalog_export(model_key="procedures", file_format="xlsx"))).active
    assert [cell.value for cell in sheet[1]] == list(P.ORDER)
    row = dict(zip(P.ORDER, (cell.value for cell in sheet[2])))
    assert row[P.CODE] == "1.000001"
    assert row[P.PROCESSING_TIME] == 15
    assert row[P.ONLINE_LEVEL] == "Không" and row[P.STATUS] == "Bãi bỏ" and row[P.LEVEL] == "Tỉnh"
    assert row[P.CHANNELS] == "Trực tiếp; Bưu chính"
    assert row[P.POSTAL_RETURN] == "Không"
    assert row[P.STEPS] == "1. Nộp hồ sơ\n2. Nhận & kiểm tra"
    assert row[P.FEES] == "Phí: Thẩm định = hồ sơ = 150000\nLệ phí: Cấp phép = 75000 (nhà ở (riêng lẻ))"
    assert row[P.DOCUMENTS] == "Đơn đề nghị | 1 | 0 | Bắt buộc\nBản vẽ | thiết kế | 2 | 1 | Không bắt buộc"

    exported = catalog_export(model_key="agencies", file_format="csv").decode("utf-8-sig")
    agencies = list(csv.reader(io.StringIO(exported)))
    assert agencies[0] == list(AgencyColumns.ORDER)
    # Parents come before their children, so the file imports in one pass.
    assert [row[0] for row in agencies[1:]] == ["000.00.15.H12", "000.01.20.H12", "000.02.20.H12"]
    assert catalog_export(model_key="sectors", file_format="csv").startswith("\ufeff".encode())


def test_changed_rich_text_replaces_html_unchanged_keeps_it(hand_made_catalog):
    data = catalog_export(model_key="procedures", file_format="csv")
    text = data.decode("utf-8-sig").replace("Điều kiện A", "Điều kiện B")
    result = run(text.encode())
    assert result.counts["update"] == 1 and result.rows[0].changed_columns == [P.REQUIREMENTS]
    procedure = Procedure.objects.get()
    assert procedure.requirements == "<p>Có giấy phép</p><p>- Điều kiện B</p>"
    assert procedure.applicant_steps.startswith("<ol>")  # untouched column keeps its formatting
    assert html_to_text(procedure.requirements) == "Có giấy phép\n- Điều kiện B"


@pytest.mark.parametrize("bom", [True, False])
def test_csv_with_or_without_bom(base_catalog, bom):
    result = run(to_csv([procedure_row()], bom=bom))
    assert result.committed and result.new_count == 1
    assert Procedure.objects.get().name == "Đăng ký khai sinh"


def test_csv_with_semicolons_and_headers_without_accents(base_catalog):
    headers = [h.upper() for h in P.ORDER]
    data = to_csv([{h.upper(): v for h, v in procedure_row().items()}], headers=headers, bom=True, delimiter=";")
    result = run(data)
    assert result.committed and result.new_count == 1, [str(e) for e in result.errors]


def test_xlsx_numbers_and_blank_rows_keep_spreadsheet_row_numbers(base_catalog):
    rows = [
        procedure_row(**{P.CODE: 1.001612, P.PROCESSING_TIME: 3}),
        second_row(**{P.PROCESSING_TIME: "ba ngày"}),
    ]
    result = run(to_xlsx(rows, blank_rows_before={1}), file_format="xlsx", dry_run=True)
    assert [(row.row, row.action, row.key) for row in result.rows] == [(2, "new", "1.001612"), (4, "error", "2.002154")]
    [error] = result.errors
    assert (error.row, error.column) == (4, P.PROCESSING_TIME)
    assert "must be a number" in error.message


def test_title_row_above_the_header_and_workbook_named_csv(base_catalog):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["DANH MỤC THỦ TỤC HÀNH CHÍNH"])
    sheet.append(list(P.ORDER) + ["STT"])
    sheet.append([procedure_row(**{P.PROCESSING_TIME: "x"}).get(h, "") for h in P.ORDER] + [1])
    buffer = io.BytesIO()
    workbook.save(buffer)

    result = run(buffer.getvalue(), file_format="csv", dry_run=True)

    assert result.ignored_columns == ["STT"]
    assert [(error.row, error.column) for error in result.errors] == [(3, P.PROCESSING_TIME)]


# ---------------------------------------------------------------------------
# Per-row validation messages
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "overrides, column, message",
    [
        ({P.CODE: "1.0016"}, P.CODE, "Use the national procedure code format, e.g. 1.001612."),
        ({P.SECTOR_CODE: ""}, P.SECTOR_CODE, "The sector code is required."),
        ({P.AGENCY_CODES: "000.00.15.H12; 999.99.99.X99"}, P.AGENCY_CODES, "Unknown agency code(s): 999.99.99.X99."),
        ({P.AGENCY_CODES: ""}, P.AGENCY_CODES, "At least one implementing agency code is required."),
        ({P.PROCESSING_TIME: "mười"}, P.PROCESSING_TIME, "The processing time must be a number such as 15 or 0.5"),
        ({P.PROCESSING_TIME: ""}, P.PROCESSING_TIME, "The processing time is required."),
        ({P.LEVEL: "Huyện"}, P.LEVEL, "Unknown value “Huyện”; use one of: Tỉnh / Xã / Tỉnh, Xã."),
        ({P.POSTAL_RETURN: "Có thể"}, P.POSTAL_RETURN, "Use “Có” or “Không”, not “Có thể”."),
        ({P.CHANNELS: "Trực tuyến; Fax"}, P.CHANNELS, "Unknown way of submission “Fax”"),
        ({P.FEES: "Lệ phí: Cấp mới = 50000\nPhí cấp lại 20000"}, P.FEES, "Bad fee line “Phí cấp lại 20000”"),
        ({P.FEES: "Thuế: Cấp mới = 50000"}, P.FEES, "Bad fee line “Thuế: Cấp mới = 50000”"),
        (
            {P.DOCUMENTS: "Tờ khai | một | 0 | Bắt buộc"},
            P.DOCUMENTS,
            "Bad document line “Tờ khai | một | 0 | Bắt buộc”: the number of originals must be a whole number",
        ),
        ({P.DOCUMENTS: "Tờ khai | 1 | 0 | Có lẽ"}, P.DOCUMENTS, "Bad document line “Tờ khai | 1 | 0 | Có lẽ”"),
        ({P.NAME: ""}, P.NAME, "This field cannot be blank."),
    ],
)
def test_row_validation_messages(base_catalog, overrides, column, message):
    result = run(to_csv([second_row(), procedure_row(**overrides)]), dry_run=True)
    assert [(error.row, error.column) for error in result.errors] == [(3, column)]
    assert result.errors[0].message.startswith(message), result.errors[0].message
    assert result.counts["errors"] == 1 and result.counts["new"] == 1


def test_a_row_reports_all_its_errors(base_catalog):
    row = procedure_row(**{P.SECTOR_CODE: "X", P.PROCESSING_TIME: "?", P.DOCUMENTS: "A | x\nB | 1 | y"})
    result = run(to_csv([row]), dry_run=True)
    assert sorted(error.column for error in result.errors) == sorted(
        [P.SECTOR_CODE, P.PROCESSING_TIME, P.DOCUMENTS, P.DOCUMENTS]
    )


def test_duplicate_code_in_the_file(base_catalog):
    result = run(to_csv([procedure_row(), second_row(), procedure_row()]), dry_run=True)
    [error] = result.errors
    assert error.row == 4 and error.message == "The code “1.001612” already appears in row 2 of this file."


def test_missing_required_column_and_unreadable_files(base_catalog):
    headers = [h for h in P.ORDER if h != P.SECTOR_CODE]
    result = run(to_csv([procedure_row()], headers=headers), dry_run=True)
    assert [(e.row, e.message) for e in result.errors] == [(1, "The required column “Mã lĩnh vực” is missing.")]

    assert run(b"not a workbook", file_format="xlsx").errors[0].message == "The file is not an Excel workbook (.xlsx)."
    latin = to_csv([procedure_row()]).decode().encode("utf-16")
    assert "UTF-8" in run(latin).errors[0].message


def test_agencies_and_sectors_import(base_catalog):
    A = AgencyColumns
    rows = [
        {A.CODE: "000.03.20.h12", A.NAME: "UBND phường Một", A.LEVEL: "Xã", A.PARENT_CODE: "000.00.99.H12"},
        {
            A.CODE: "000.00.99.H12",
            A.NAME: "Sở Nội vụ",
            A.SHORT_NAME: "SNV",
            A.LEVEL: "Tỉnh",
            A.EMAIL: "snv@example.gov.vn",
            A.HOTLINE: "1900 1234",
        },
        {
            A.CODE: "000.04.20.H12",
            A.NAME: "UBND xã Hai",
            A.LEVEL: "Huyện",
            A.PARENT_CODE: "000.00.00.X00",
            A.EMAIL: "khong-hop-le",
        },
    ]
    result = run(to_csv(rows, headers=A.ORDER), model_key="agencies", dry_run=True)
    assert [(row.row, row.action) for row in result.rows] == [(2, "new"), (3, "new"), (4, "error")]
    assert sorted((e.row, e.column) for e in result.errors) == [(4, A.LEVEL), (4, A.PARENT_CODE), (4, A.EMAIL)]

    result = run(to_csv(rows[:2], headers=A.ORDER), model_key="agencies")
    assert result.committed
    assert Agency.objects.get(code="000.03.20.H12").parent.code == "000.00.99.H12"

    S = SectorColumns
    result = run(
        to_csv([{S.CODE: "LV01", S.NAME: "Hộ tịch"}, {S.CODE: "LV09", S.NAME: "Tư pháp"}], headers=S.ORDER),
        model_key="sectors",
    )
    assert result.counts == {"new": 1, "update": 0, "unchanged": 1, "errors": 0}


def test_agency_cannot_be_its_own_parent(base_catalog):
    A = AgencyColumns
    rows = [
        {A.CODE: "000.00.15.H12", A.NAME: "Sở Tư pháp", A.PARENT_CODE: "000.00.15.H12"},
        {A.CODE: "000.00.15.H12".replace("15", "16"), A.NAME: "X", A.PARENT_CODE: "000.01.20.H12"},
    ]
    result = run(to_csv(rows, headers=A.ORDER), model_key="agencies", dry_run=True)
    assert [e.message for e in result.errors] == ["An agency cannot be its own parent."]
    rows = [{A.CODE: "000.00.15.H12", A.NAME: "Sở Tư pháp", A.PARENT_CODE: "000.01.20.H12"}]
    result = run(to_csv(rows, headers=A.ORDER), model_key="agencies", dry_run=True)
    assert [e.message for e in result.errors] == ["This parent would make a loop in the agency hierarchy."]


def test_docs_describe_every_column():
    from pathlib import Path

    doc = (
        next(p for p in Path(__file__).resolve().parents if (p / "manage.py").is_file()) / "docs" / "import-layout.md"
    ).read_text(encoding="utf-8")
    for header in (*AgencyColumns.ORDER, *SectorColumns.ORDER, *ProcedureColumns.ORDER):
        assert f"| `{header}` |" in doc, header


# ---------------------------------------------------------------------------
# Wagtail admin screens
# ---------------------------------------------------------------------------


def make_admin(username):
    from wagtail.users.models import UserProfile

    user = get_user_model().objects.create_superuser(username, f"{username}@example.com", "pw-123456789")
    profile = UserProfile.get_for_user(user)
    profile.preferred_language = "en"
    profile.save()
    return user


@pytest.fixture
def admin_client(client):
    client.force_login(make_admin("admin"))
    return client


def upload(client, data, filename="thu-tuc.csv", model_key="procedures"):
    file = io.BytesIO(data)
    file.name = filename
    return client.post(reverse("catalog_import:index"), {"model_key": model_key, "file": file})


def test_admin_upload_dry_run_shows_row_error_and_confirm_is_refused(admin_client, base_catalog):
    index = admin_client.get(reverse("catalog_import:index"))
    assert index.status_code == 200
    assert reverse("catalog_import:export", args=["procedures", "xlsx"]) in index.content.decode()

    before = snapshot()
    response = upload(admin_client, to_csv([procedure_row(), second_row(**{P.SECTOR_CODE: "KHONGCO"})]))
    assert response.status_code == 302
    preview_url = response["Location"]
    token = re.search(r"/preview/([0-9a-f-]+)/", preview_url).group(1)

    preview = admin_client.get(preview_url)
    html = preview.content.decode()
    assert preview.status_code == 200
    assert "Unknown sector code “KHONGCO”." in html
    assert 'data-row="3"' in html
    assert "Confirm import" not in html
    assert snapshot() == before

    response = admin_client.post(reverse("catalog_import:confirm", args=[token]))
    assert response.status_code == 302
    assert snapshot() == before


def test_admin_upload_confirm_imports_in_the_background_and_cleans_up(
    admin_client, base_catalog, django_capture_on_commit_callbacks
):
    data = to_xlsx([procedure_row(), second_row()])
    response = upload(admin_client, data, filename="thu-tuc.xlsx")
    preview_url = response["Location"]
    token = re.search(r"/preview/([0-9a-f-]+)/", preview_url).group(1)
    upload_path = admin_client.session["catalog_import_uploads"][token]["path"]

    html = admin_client.get(preview_url).content.decode()
    assert "Confirm import" in html and "1.001612" in html
    assert Procedure.objects.count() == 0

    with django_capture_on_commit_callbacks(execute=True):  # the job is queued once the run is committed
        response = admin_client.post(reverse("catalog_import:confirm", args=[token]))
    from catalog.models import ImportRun

    run = ImportRun.objects.get()
    assert response["Location"] == reverse("catalog_import:run", args=[run.pk])
    assert (run.status, run.filename, run.user.username) == ("done", "thu-tuc.xlsx", "admin")
    assert run.file_sha256 == hashlib.sha256(data).hexdigest()
    page = admin_client.get(response["Location"]).content.decode()
    assert "2 new, 0 updated, 0 unchanged." in page and 'http-equiv="refresh"' not in page
    status = admin_client.get(reverse("catalog_import:run_status", args=[run.pk])).json()
    assert status["finished"] and status["counts"] == {"new": 2, "update": 0, "unchanged": 0, "errors": 0}
    assert Procedure.objects.count() == 2
    assert ProcedureDocument.objects.count() == 4 and ProcedureFee.objects.count() == 2
    assert token not in admin_client.session["catalog_import_uploads"]
    from catalog.import_runs import upload_storage

    assert not upload_storage().exists(upload_path)
    # The same token cannot be confirmed twice.
    assert admin_client.post(reverse("catalog_import:confirm", args=[token])).status_code == 404


def test_user_cannot_confirm_someone_elses_upload(client, base_catalog):
    client.force_login(make_admin("alice"))
    token = re.search(r"/preview/([0-9a-f-]+)/", upload(client, to_csv([procedure_row()]))["Location"]).group(1)

    other = client_class_login(make_admin("bob"))
    assert other.get(reverse("catalog_import:preview", args=[token])).status_code == 404
    assert other.post(reverse("catalog_import:confirm", args=[token])).status_code == 404
    assert Procedure.objects.count() == 0


def client_class_login(user):
    from django.test import Client

    other = Client()
    other.force_login(user)
    return other


def test_admin_export_downloads(admin_client, hand_made_catalog):
    response = admin_client.get(reverse("catalog_import:export", args=["procedures", "xlsx"]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert 'attachment; filename="procedures-' in response["Content-Disposition"]
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    assert sheet["A2"].value == "1.000001"

    response = admin_client.get(reverse("catalog_import:export", args=["sectors", "csv"]))
    assert response.content.decode("utf-8-sig").splitlines()[0] == "Mã lĩnh vực,Tên lĩnh vực"
    assert admin_client.get(reverse("catalog_import:export", args=["sectors", "pdf"])).status_code == 404


def test_bad_upload_form(admin_client):
    response = upload(admin_client, b"abc", filename="thu-tuc.pdf")
    assert response.status_code == 200
    assert "Upload an .xlsx or .csv file." in response.content.decode()


def test_a_workbook_that_inflates_to_200_mb_is_refused_before_it_is_stored(admin_client, base_catalog):
    response = upload(admin_client, inflating_docx(), filename="thu-tuc.xlsx")
    from catalog.import_runs import upload_storage
    from catalog.import_views import UPLOAD_DIR

    assert response.status_code == 200 and "thu-tuc.xlsx" in response.content.decode()  # the form, with the reason
    storage = upload_storage()
    assert not storage.exists(UPLOAD_DIR) or storage.listdir(UPLOAD_DIR)[1] == []


def test_non_staff_user_is_turned_away(client, base_catalog):
    user = get_user_model().objects.create_user("citizen", "c@example.com", "pw-123456789")
    client.force_login(user)
    response = client.get(reverse("catalog_import:index"))
    assert response.status_code in (302, 403)
    response = upload(client, to_csv([procedure_row()]))
    assert response.status_code in (302, 403)
    assert client.get(reverse("catalog_import:export", args=["procedures", "csv"])).status_code in (302, 403)
    assert Procedure.objects.count() == 0


def test_admin_without_catalog_permissions_gets_403(client, base_catalog):
    user = get_user_model().objects.create_user("editor", "e@example.com", "pw-123456789")
    group = Group.objects.create(name="Admin access only")
    group.permissions.add(Permission.objects.get(content_type__app_label="wagtailadmin", codename="access_admin"))
    user.groups.add(group)
    client.force_login(user)
    assert client.get(reverse("catalog_import:index")).status_code == 403
    assert client.get(reverse("catalog_import:export", args=["procedures", "csv"])).status_code == 403
    assert upload(client, to_csv([procedure_row()])).status_code == 403

    # Sector permissions open the sector sheet only.
    for codename in ("add_sector", "change_sector"):
        group.permissions.add(Permission.objects.get(content_type__app_label="catalog", codename=codename))
    user = get_user_model().objects.get(pk=user.pk)
    client.force_login(user)
    assert client.get(reverse("catalog_import:index")).status_code == 200
    assert upload(client, to_csv([procedure_row()])).status_code == 403
    sectors = to_csv([{SectorColumns.CODE: "LV05", SectorColumns.NAME: "Y tế"}], headers=SectorColumns.ORDER)
    assert upload(client, sectors, model_key="sectors").status_code == 302


def test_reference_index_is_updated_after_commit_only(base_catalog, django_capture_on_commit_callbacks):
    from wagtail.models import ReferenceIndex

    data = to_csv([procedure_row()])
    references = ReferenceIndex.objects.count()  # the commune agency -> its parent
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        run(data, dry_run=True)
        run(to_csv([procedure_row(**{P.SECTOR_CODE: "X"})]))
    assert callbacks == [] and ReferenceIndex.objects.count() == references

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        assert run(data).committed
    assert len(callbacks) == 1
    procedure = Procedure.objects.get()
    referenced = {ref.to_content_type.model_class() for ref in ReferenceIndex.get_references_for_object(procedure)}
    assert Sector in referenced


def test_upload_and_export_buttons_carry_a_label_beside_a_wagtail_sized_icon(admin_client, base_catalog):
    """Wagtail sizes a button's icon only in its ``bicolor button--icon`` frame (an ``icon-wrapper`` span):
    a bare svg inside ``.button`` grows to 300x150 px and pushes the label out (tests/e2e checks the pixels)."""
    html = admin_client.get(reverse("catalog_import:index")).content.decode()
    button = r"<(?:button type=\"submit\"|a) class=\"(button[^\"]*)\"[^>]*>(.*?)</(?:button|a)>"
    buttons = re.findall(button, html, re.S)
    buttons = [(classes, body) for classes, body in buttons if "icon-upload" in body or "icon-download" in body]
    assert len(buttons) == 7  # upload + 3 sheets x 2 formats
    for classes, body in buttons:
        assert {"bicolor", "button--icon"} <= set(classes.split()), classes
        assert re.search(r'<span class="icon-wrapper"><svg class="icon icon-(upload|download)', body), body
        label = re.sub(r"<span class=\"icon-wrapper\">.*?</span>", "", body, flags=re.S).strip()
        assert label in ("Upload and preview", "Excel (.xlsx)", "CSV (UTF-8)"), label


def test_import_run_reports_progress_and_a_refused_file_keeps_its_errors(base_catalog, django_user_model):
    from django.core.files.base import ContentFile

    from catalog import import_runs
    from catalog.models import ImportRun

    user = django_user_model.objects.create_user("editor", "e@example.com", "pw-123456789")
    seen = []
    store = import_runs.upload_storage()

    def start(data):
        path = store.save("catalog-import/test.csv", ContentFile(data))
        run = ImportRun.objects.create(
            model_key="procedures", filename="x.csv", file_sha256="0" * 64, file_path=path, file_format="csv", user=user
        )
        original = import_runs._huey().put

        def spy(key, value):
            seen.append((ImportRun.objects.get(pk=run.pk).status, value))
            original(key, value)

        import_runs._huey().put = spy
        try:
            import_runs.import_run_execute(run_id=run.pk)
        finally:
            import_runs._huey().put = original
        run.refresh_from_db()
        return run, path

    run, path = start(to_csv([procedure_row(), second_row()]))
    assert run.status == "done" and (run.total_rows, run.new_count) == (2, 2)
    assert seen == [("running", (0, 2))] and not store.exists(path)
    assert import_runs.import_run_progress(run)["rows_done"] == 2
    assert import_runs.import_run_execute(run_id=run.pk) is None  # a second delivery of the task does nothing

    run, _path = start(to_csv([procedure_row(**{P.NAME: "Mới"}), second_row(**{P.SECTOR_CODE: "KHONGCO"})]))
    assert run.status == "refused" and run.error_count == 1
    assert run.errors == [{"row": 3, "column": P.SECTOR_CODE, "message": "Unknown sector code “KHONGCO”."}]
    assert Procedure.objects.get(national_code="1.001612").name == "Đăng ký khai sinh"  # all or nothing


def test_names_in_decomposed_unicode_are_stored_composed(base_catalog):
    import unicodedata

    def nfd(text):
        return unicodedata.normalize("NFD", text)

    row = procedure_row(**{P.NAME: nfd("Đăng ký khai sinh"), P.DOCUMENTS: nfd("Tờ khai đăng ký | 1 | 0 | Bắt buộc")})
    data = to_csv([row])
    assert nfd("Đăng ký khai sinh") != "Đăng ký khai sinh"  # the file really is decomposed

    assert run(data).committed
    procedure = Procedure.objects.get()
    assert procedure.name == "Đăng ký khai sinh"
    assert list(procedure.documents.values_list("name", flat=True)) == ["Tờ khai đăng ký"]
    assert Procedure.objects.filter(name__contains="khai sinh").filter(name__startswith="Đăng ký").exists()
    # The same decomposed file again changes nothing.
    assert run(data).counts == {"new": 0, "update": 0, "unchanged": 1, "errors": 0}


def test_catalog_rows_saved_or_cleaned_with_decomposed_text_hold_composed_text(base_catalog):
    import unicodedata

    sector = Sector(code="LV07", name=unicodedata.normalize("NFD", "Giáo dục"))
    sector.full_clean()
    assert sector.name == "Giáo dục"
    agency = base_catalog["province"]
    agency.address = unicodedata.normalize("NFD", "Số 1 đường Trần Hưng Đạo")
    agency.save()
    agency.refresh_from_db()
    assert agency.address == "Số 1 đường Trần Hưng Đạo"


def test_national_database_headers_title_row_and_names_instead_of_codes(base_catalog):
    """An export of the national database: its own headers, a title row, sectors and agencies by name."""
    headers = {
        P.CODE: "Mã số TTHC trên CSDLQG",
        P.NAME: "Tên TTHC",
        P.SECTOR_CODE: "Lĩnh vực",
        P.AGENCY_CODES: "Cơ quan thực hiện",
        P.LEVEL: "Cấp thực hiện",
        P.PROCESSING_TIME: "Thời gian giải quyết",
    }
    rows = [
        {P.CODE: "1.001612", P.NAME: "Đăng ký khai sinh", P.SECTOR_CODE: "HỘ TỊCH", P.LEVEL: "Tỉnh, Xã",
         P.AGENCY_CODES: "so tu phap; UBND xã Tân Lập", P.PROCESSING_TIME: "3"},
        {P.CODE: "2.002154", P.NAME: "Đăng ký kết hôn", P.SECTOR_CODE: "LV01", P.LEVEL: "Xã",
         P.AGENCY_CODES: "000.01.20.H12", P.PROCESSING_TIME: "5"},
    ]  # fmt: skip
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["DANH MỤC THỦ TỤC HÀNH CHÍNH TỈNH AN BÌNH"])
    sheet.append([headers[h] for h in headers])
    for row in rows:
        sheet.append([row[h] for h in headers])
    buffer = io.BytesIO()
    workbook.save(buffer)

    result = run(buffer.getvalue(), file_format="xlsx")

    assert result.committed, [str(e) for e in result.errors]
    birth = Procedure.objects.get(national_code="1.001612")
    assert birth.sector == base_catalog["sector"]
    assert sorted(birth.agencies.values_list("code", flat=True)) == ["000.00.15.H12", "000.01.20.H12"]
    # The same file again: nothing changed, no history written.
    before = snapshot()
    assert run(buffer.getvalue(), file_format="xlsx").counts == {"new": 0, "update": 0, "unchanged": 2, "errors": 0}
    assert snapshot() == before


def test_ambiguous_name_and_level_against_agency_are_row_errors(base_catalog):
    Agency.objects.create(code="000.02.20.H12", name="UBND xã Tân Lập", level="commune")
    rows = [
        procedure_row(**{P.AGENCY_CODES: "UBND xa Tan Lap"}),
        second_row(**{P.AGENCY_CODES: "000.00.15.H12"}),  # a commune procedure at a provincial department
    ]
    result = run(to_csv(rows), dry_run=True)
    assert [(e.row, e.column) for e in result.errors] == [(2, P.AGENCY_CODES), (3, P.AGENCY_CODES)]
    assert result.errors[0].message == (
        "“UBND xa Tan Lap” is the name of several rows (000.01.20.H12, 000.02.20.H12): write the code instead."
    )
    assert result.errors[1].message == (
        "A commune-level procedure cannot be implemented by the provincial agency Sở Tư pháp (000.00.15.H12)."
    )
    with translation.override("vi"):
        vi = run(to_csv(rows[1:]), dry_run=True).errors[0].message
    assert vi.startswith("Thủ tục cấp xã không thể")


def test_preview_of_an_unchanged_file_says_nothing_changed(admin_client, base_catalog):
    data = to_csv([procedure_row()])
    assert run(data).committed
    preview = admin_client.get(upload(admin_client, data)["Location"]).content.decode()
    assert "Nothing changed: every row of this file is already up to date" in preview
    assert "Confirm import" not in preview
