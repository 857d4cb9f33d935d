"""Daily reconciliation per agency against the provider's statement (AG 31.7; issue 18 item 6), on worked examples:
payments built directly, statements as CSV and XLSX, the discrepancies found, idempotence, resolving, refusals
naming the row, unit scoping, the admin screen and its Excel export."""

from datetime import date, datetime
from io import BytesIO

import openpyxl
import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from tests.factories.workflow import UserFactory
from tests.factories.world import build_unit, member
from tests.workflow.dossiers.test_services import receive, t, unit  # noqa: F401 (fixture)
from workflow.errors import ActionNotAllowed, InvalidState
from workflow.models import Discrepancy, DiscrepancyKind, Payment, PaymentStatus, Statement, StatementLine
from workflow.payments import reconciliation
from workflow.payments.reconciliation import StatementInvalid
from workflow.payments.tasks import reconcile_yesterday

pytestmark = pytest.mark.django_db

DAY = date(2026, 3, 2)

STATEMENT = (
    "Mã thanh toán,Số giao dịch,Số tiền,Thời gian\n"
    "TT0001,VNP001,150000,02/03/2026 09:05:10\n"  # matched
    "TT9999,VNP002,50000,02/03/2026 10:00\n"  # the provider has it, we don't
    'TT0002,VNP003,"120.000",02/03/2026 11:00\n'  # we recorded 100.000
).encode()


def pay(dossier, reference, amount, settled, status=PaymentStatus.PAID, agency=None):
    return Payment.objects.create(
        dossier=dossier,
        agency=agency or dossier.agency,
        provider="vnpay",
        reference=reference,
        amount=amount,
        status=status,
        settled_at=t(settled),
    )


@pytest.fixture
def day(unit):  # noqa: F811
    """Sở Xây dựng's 2 March: four paid payments, one of them just after midnight (the next day in Vietnam)."""
    d = receive(unit, t("2026-03-02 08:00"))
    payments = {
        "matched": pay(d, "TT0001", 150000, "2026-03-02 09:05"),
        "differs": pay(d, "TT0002", 100000, "2026-03-02 10:59"),
        "absent": pay(d, "TT0003", 200000, "2026-03-02 23:59"),
        "next_day": pay(d, "TT0004", 80000, "2026-03-03 00:01"),
        "pending": pay(d, "TT0005", 70000, "2026-03-02 12:00", status=PaymentStatus.PENDING),
    }
    unit.payments = payments
    unit.dossier = d
    return unit


def kinds(agency, day=DAY):
    return sorted(
        (d.kind, d.reference, d.our_amount, d.their_amount)
        for d in Discrepancy.objects.filter(agency=agency, day=day, resolved_at__isnull=True)
    )


EXPECTED = [
    (DiscrepancyKind.AMOUNT_DIFFERS, "TT0002", 100000, 120000),
    (DiscrepancyKind.MISSING_OURS, "TT9999", None, 50000),
    (DiscrepancyKind.MISSING_THEIRS, "TT0003", 200000, None),
]


def import_csv(unit, data=STATEMENT, name="saoke-0203.csv", actor=None, provider="vnpay"):
    return reconciliation.statement_import(
        actor=actor or unit.officer, agency=unit.agency, provider=provider, day=DAY, file_name=name, data=data
    )


def test_a_statement_is_imported_and_the_day_reconciled(day):
    statement = import_csv(day)
    assert statement.row_count == 3 and statement.imported_by == day.officer
    lines = list(statement.lines.order_by("row"))
    assert [(x.row, x.reference, x.provider_reference, x.amount) for x in lines] == [
        (2, "TT0001", "VNP001", 150000),
        (3, "TT9999", "VNP002", 50000),
        (4, "TT0002", "VNP003", 120000),
    ]
    assert lines[0].paid_at == t("2026-03-02 09:05").replace(second=10)
    assert lines[0].raw["Mã thanh toán"] == "TT0001"
    # 1 matched; 1 on the statement only; 1 amount differing; 1 paid here but not on the statement. TT0004 was
    # paid at 00:01 on 3 March in Vietnam (17:01 UTC on the 2nd): not this day. TT0005 is still pending.
    assert kinds(day.agency) == EXPECTED
    match = reconciliation.match_day(agency=day.agency, day=DAY)
    assert [(p.reference, line.reference) for p, line in match.matched] == [("TT0001", "TT0001")]
    assert match.paid_total == 150000 + 100000 + 200000 and match.statement_total == 320000
    assert Discrepancy.objects.get(reference="TT0002").payment == day.payments["differs"]
    assert Discrepancy.objects.get(reference="TT9999").line == lines[1]


def test_reconciling_again_adds_nothing_and_a_resolved_one_stays_resolved(day):
    import_csv(day)
    reconciliation.reconcile(agency=day.agency, day=DAY)
    reconciliation.reconcile(agency=day.agency, day=DAY)
    assert Discrepancy.objects.count() == 3 and kinds(day.agency) == EXPECTED
    absent = Discrepancy.objects.get(reference="TT0003")
    resolved = reconciliation.discrepancy_resolve(
        actor=day.officer, discrepancy_id=absent.pk, note="Ngân hàng xác nhận, có trong sao kê ngày 03/3"
    )
    assert resolved.resolved_by == day.officer and resolved.resolved_at is not None
    with pytest.raises(InvalidState):
        reconciliation.discrepancy_resolve(actor=day.officer, discrepancy_id=absent.pk, note="again")
    reconciliation.reconcile(agency=day.agency, day=DAY)
    assert Discrepancy.objects.count() == 3 and len(kinds(day.agency)) == 2
    assert Discrepancy.objects.get(reference="TT0003").resolution_note.startswith("Ngân hàng")


def test_an_open_discrepancy_that_no_longer_holds_is_closed_when_reconciled_again(day):
    reconciliation.reconcile(agency=day.agency, day=DAY)  # the night job before any statement arrived
    assert {d.reference for d in Discrepancy.objects.all()} == {"TT0001", "TT0002", "TT0003"}
    import_csv(day)
    assert kinds(day.agency) == EXPECTED
    closed = Discrepancy.objects.get(reference="TT0001")
    assert closed.resolved_at is not None and closed.resolved_by is None and closed.resolution_note


def test_a_note_is_required_to_resolve(day):
    import_csv(day)
    d = Discrepancy.objects.first()
    with pytest.raises(Exception) as refused:
        reconciliation.discrepancy_resolve(actor=day.officer, discrepancy_id=d.pk, note="  ")
    assert refused.value.code == "InvalidInput"
    assert Discrepancy.objects.get(pk=d.pk).resolved_at is None


def test_an_xlsx_statement_with_number_and_date_cells(day):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["STT", "vnp_TxnRef", "vnp_TransactionNo", "Amount", "PayDate"])
    sheet.append([1, "TT0001", 14001, 150000, datetime(2026, 3, 2, 9, 5)])
    sheet.append([2, "TT0002", 14002, 100000.0, "20260302105900"])
    sheet.append([3, "TT0003", 14003, "200,000", "2026-03-02 23:59"])
    buffer = BytesIO()
    workbook.save(buffer)
    statement = import_csv(day, data=buffer.getvalue(), name="saoke.xlsx")
    assert sorted(statement.lines.values_list("provider_reference", "amount")) == [
        ("14001", 150000),
        ("14002", 100000),
        ("14003", 200000),
    ]
    assert kinds(day.agency) == []


def test_a_malformed_statement_is_refused_with_its_rows_and_nothing_is_written(day):
    missing = "Mã thanh toán,Số giao dịch,Thời gian\nTT0001,VNP001,02/03/2026 09:05\n".encode()
    with pytest.raises(StatementInvalid) as refused:
        import_csv(day, data=missing)
    assert [row for row, _ in refused.value.errors] == [1]
    assert "Số tiền" in refused.value.message
    bad_amount = (
        "Mã thanh toán;Số giao dịch;Số tiền;Thời gian\n"
        "TT0001;VNP001;150000;02/03/2026 09:05\n"
        "TT0002;VNP003;một trăm nghìn;02/03/2026 11:00\n"
    ).encode()
    with pytest.raises(StatementInvalid) as refused:
        import_csv(day, data=bad_amount)
    assert [row for row, _ in refused.value.errors] == [3]
    assert "3" in refused.value.message and "một trăm nghìn" in refused.value.message
    bad_time_and_duplicate = (
        "Mã thanh toán,Số tiền,Thời gian\nTT0001,150000,hôm qua\nTT0001,150000,02/03/2026 09:05\n"
    ).encode()
    with pytest.raises(StatementInvalid) as refused:
        import_csv(day, data=bad_time_and_duplicate)
    assert [row for row, _ in refused.value.errors] == [2, 3]
    with pytest.raises(StatementInvalid):
        import_csv(day, data=b"%PDF-1.4", name="saoke.pdf")
    with pytest.raises(StatementInvalid):
        import_csv(day, data=b"not a zip", name="saoke.xlsx")
    assert Statement.objects.count() == StatementLine.objects.count() == Discrepancy.objects.count() == 0


def test_a_providers_day_is_imported_once(day):
    import_csv(day)
    with pytest.raises(InvalidState):
        import_csv(day)
    assert Statement.objects.count() == 1 and StatementLine.objects.count() == 3


@pytest.fixture
def other():
    return build_unit("000.00.16.H99", "Sở Tài chính", officials={"officer": member(username="motcua_tc")})


def supervisor():
    user = UserFactory(username="giamsat")
    user.user_permissions.add(Permission.objects.get(codename="view_all_units"))
    return user


def test_another_units_official_can_neither_see_nor_import_nor_resolve(day, other):
    import_csv(day)
    outsider = other.officer
    assert not Discrepancy.objects.visible_to(outsider).exists()
    assert not Statement.objects.visible_to(outsider).exists()
    d = Discrepancy.objects.first()
    with pytest.raises(ActionNotAllowed):
        reconciliation.discrepancy_resolve(actor=outsider, discrepancy_id=d.pk, note="x")
    with pytest.raises(ActionNotAllowed):
        reconciliation.statement_import(
            actor=outsider, agency=day.agency, provider="demo", day=DAY, file_name="a.csv", data=STATEMENT
        )
    with pytest.raises(ActionNotAllowed):
        reconciliation.reconcile_as(actor=outsider, agency=day.agency, day=DAY)
    # Supervisors see every unit's discrepancies but resolve none of them (TN 8.2).
    watcher = supervisor()
    assert Discrepancy.objects.visible_to(watcher).count() == 3
    with pytest.raises(ActionNotAllowed):
        reconciliation.discrepancy_resolve(actor=watcher, discrepancy_id=d.pk, note="x")
    assert Discrepancy.objects.get(pk=d.pk).resolved_at is None


def test_the_night_job_reconciles_yesterday_for_agencies_with_payments_or_statements(day, other):
    from freezegun import freeze_time

    with freeze_time("2026-03-03 03:15:00+07:00"):
        reconcile_yesterday()
    assert kinds(day.agency) == [
        (DiscrepancyKind.MISSING_THEIRS, "TT0001", 150000, None),
        (DiscrepancyKind.MISSING_THEIRS, "TT0002", 100000, None),
        (DiscrepancyKind.MISSING_THEIRS, "TT0003", 200000, None),
    ]
    assert not Discrepancy.objects.filter(agency=other.agency).exists()
    assert reconciliation.agencies_to_reconcile(date(2026, 3, 3)) == {day.agency.pk}  # TT0004


def admin_access(user):
    user.user_permissions.add(Permission.objects.get(content_type__app_label="wagtailadmin", codename="access_admin"))
    return user


def test_the_admin_screen_imports_resolves_and_exports(day, other, client):
    client.force_login(admin_access(day.officer))
    url = reverse("reconciliation:index")
    query = {"agency": day.agency.pk, "day": "2026-03-02"}
    response = client.get(url, query)
    assert response.status_code == 200
    assert "Đối soát thanh toán" in response.content.decode()  # the menu item and the title, in Vietnamese
    upload = BytesIO(STATEMENT)
    upload.name = "saoke-0203.csv"
    response = client.post(
        f"{url}?agency={day.agency.pk}&day=2026-03-02", {"action": "import", "provider": "vnpay", "file": upload}
    )
    assert response.status_code == 302
    assert kinds(day.agency) == EXPECTED
    page = client.get(url, query).content.decode()
    assert "saoke-0203.csv" in page and "TT9999" in page and "120.000 đ" in page
    d = Discrepancy.objects.get(reference="TT9999")
    client.post(
        f"{url}?agency={day.agency.pk}&day=2026-03-02", {"action": "resolve", "discrepancy": d.pk, "note": "Hoàn tiền"}
    )
    assert Discrepancy.objects.get(pk=d.pk).resolution_note == "Hoàn tiền"

    response = client.get(reverse("reconciliation:export"), query)
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    workbook = openpyxl.load_workbook(BytesIO(response.content))
    matched, discrepancies = workbook.worksheets
    rows = list(matched.iter_rows(values_only=True))
    assert rows[2][1] == 1 and rows[6][0] == "TT0001" and rows[6][3] == 150000
    assert rows[6][4] == datetime(2026, 3, 2, 9, 5)
    listed = list(discrepancies.iter_rows(min_row=2, values_only=True))
    assert sorted(row[1] for row in listed) == ["TT0002", "TT0003", "TT9999"]
    assert next(row for row in listed if row[1] == "TT9999")[7] == "Hoàn tiền"

    # Another unit's official: the agency is not offered, the day neither shown, exported, imported nor resolved.
    client.force_login(admin_access(other.officer))
    page = client.get(url, query).content.decode()
    assert "TT9999" not in page and "Sở Xây dựng" not in page
    assert client.get(reverse("reconciliation:export"), query).status_code == 404
    open_one = Discrepancy.objects.get(reference="TT0002")
    response = client.post(
        f"{url}?agency={day.agency.pk}&day=2026-03-02", {"action": "resolve", "discrepancy": open_one.pk, "note": "x"}
    )
    assert response.status_code == 404
    response = client.post(
        f"{url}?agency={other.agency.pk}&day=2026-03-02", {"action": "resolve", "discrepancy": open_one.pk, "note": "x"}
    )
    assert response.status_code == 302 and Discrepancy.objects.get(pk=open_one.pk).resolved_at is None


def test_the_screen_needs_an_official_or_supervisor(client):
    client.force_login(admin_access(UserFactory(username="bientap", is_staff=True)))
    response = client.get(reverse("reconciliation:index"))
    assert response.status_code == 302 and response.url == "/admin/"
    assert client.get(reverse("reconciliation:export")).status_code in (302, 403)
