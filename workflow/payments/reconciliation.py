"""Daily reconciliation of online payments per agency against the providers' statements (AG 31.7; issue 18 item 6).

* :func:`statement_import` reads a provider's statement of one agency's day (CSV or XLSX, the layout below),
  checks every row first and writes nothing when one is wrong (the errors name their rows);
* :func:`match_day` (read only) pairs the agency's payments settled that day with the day's statement lines by
  our payment reference; :func:`reconcile` writes what differs as open ``Discrepancy`` rows — idempotent: a
  difference already recorded (open or resolved) is not recorded again, and an open one that no longer holds (the
  provider's notification arrived late, a statement was imported since) is closed with a note;
* :func:`discrepancy_resolve` closes one with the official's note.

The statement layout: one header row, then one row per transaction; the columns are found by their header (in
any order, case and accents as written, other columns ignored):

=============================  ==========================================================================
our payment reference          ``Mã thanh toán``, ``TxnRef``, ``vnp_TxnRef``, ``Reference``
provider's transaction number  ``Số giao dịch``, ``Mã giao dịch``, ``TransactionNo``, ``vnp_TransactionNo``
amount in đồng                 ``Số tiền``, ``Amount`` — ``150000``, ``150.000`` or ``150,000``
time                           ``Thời gian``, ``Time``, ``PayDate`` — ``dd/mm/yyyy hh:mm[:ss]``,
                               ``yyyy-mm-dd hh:mm[:ss]``, ``yyyymmddhhmmss`` (Vietnam time), or a date cell
=============================  ==========================================================================

Who: an agency's officials import, reconcile and resolve their own agency's days; supervisors see every agency's
(``catalog.officials.scoping``; acting is the own unit's, TN 8.2).
"""

import csv
import io
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date, datetime, time

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from catalog.officials.scoping import ALL, acting_agency_ids
from portal.core.uploads import max_upload_bytes, validate_upload
from workflow.errors import ActionNotAllowed, InvalidInput, InvalidState
from workflow.models import (
    Discrepancy,
    DiscrepancyKind,
    Payment,
    PaymentStatus,
    Statement,
    StatementLine,
)
from workflow.payments import providers
from workflow.reports.periods import Period

#: column → the headers it is recognised by (compared without case, accents as written, spaces collapsed).
COLUMNS = {
    "reference": ("mã thanh toán", "txnref", "vnp_txnref", "reference", "payment reference"),
    "provider_reference": (
        "số giao dịch",
        "mã giao dịch",
        "transactionno",
        "transaction no",
        "vnp_transactionno",
        "provider reference",
    ),
    "amount": ("số tiền", "amount"),
    "paid_at": ("thời gian", "time", "paydate", "pay date", "paid at"),
}
REQUIRED = ("reference", "amount")
TIME_FORMATS = ("%d/%m/%Y %H:%M:%S", "%d/%m/%Y %H:%M", "%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y%m%d%H%M%S")
_AMOUNT = re.compile(r"^\d{1,3}([.,]\d{3})+$|^\d+$")


class StatementInvalid(InvalidInput):
    """A statement that cannot be read; ``errors`` is a list of ``(row, message)`` (row 0: the whole file)."""

    def __init__(self, errors):
        self.errors = errors
        text = "; ".join(
            message if row == 0 else _("row %(row)s: %(message)s") % {"row": row, "message": message}
            for row, message in errors[:20]
        )
        if len(errors) > 20:
            text += " …"
        super().__init__(_("The statement was not imported: %(errors)s.") % {"errors": text})


def _header(text) -> str:
    return " ".join(unicodedata.normalize("NFC", str(text or "")).strip().lower().split())


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return unicodedata.normalize("NFC", str(value)).strip()


# --- reading a file ---------------------------------------------------------------------------------------------


def _rows_csv(data: bytes):
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise StatementInvalid([(0, _("the file is not UTF-8 text"))]) from None
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    return list(csv.reader(io.StringIO(text), dialect))


def _rows_xlsx(file_name: str, data: bytes):
    import openpyxl
    from django.core.exceptions import ValidationError
    from django.core.files.base import ContentFile

    try:  # the same content checks as every upload: a real workbook, no macros, bounded when unpacked
        validate_upload(ContentFile(data, name=file_name))
    except ValidationError as error:
        raise StatementInvalid([(0, " ".join(error.messages))]) from None

    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # noqa: BLE001 - whatever openpyxl raises, the file is not a workbook we can read
        raise StatementInvalid([(0, _("the file is not an Excel workbook (.xlsx)"))]) from None
    try:
        return [list(row) for row in workbook.worksheets[0].iter_rows(values_only=True)]
    finally:
        workbook.close()


def _amount(value):
    if isinstance(value, int) and not isinstance(value, bool):
        return value if value > 0 else None
    if isinstance(value, float):
        return int(value) if value.is_integer() and value > 0 else None
    text = _cell(value).replace(" ", "").removesuffix("đ").removesuffix("VND").removesuffix("vnd")
    if not _AMOUNT.match(text):
        return None
    amount = int(re.sub(r"[.,]", "", text))
    return amount if amount > 0 else None


def _time(value):
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, date):
        moment = datetime.combine(value, time())
    else:
        text = _cell(value)
        if not text:
            return None, True
        moment = None
        for pattern in TIME_FORMATS:
            try:
                moment = datetime.strptime(text, pattern)
                break
            except ValueError:
                continue
        if moment is None:
            return None, False
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    return moment, True


@dataclass
class ReadLine:
    row: int
    reference: str
    provider_reference: str
    amount: int
    paid_at: datetime | None
    raw: dict


def read_statement(file_name: str, data: bytes) -> list[ReadLine]:
    """The lines of a statement file, or :class:`StatementInvalid` with every wrong row (header row = row 1)."""
    if len(data) > max_upload_bytes():
        raise StatementInvalid([(0, _("the file is too large"))])
    extension = file_name.rsplit(".", 1)[-1].lower() if "." in file_name else ""
    if extension == "xlsx":
        rows = _rows_xlsx(file_name, data)
    elif extension in ("csv", "txt"):
        rows = _rows_csv(data)
    else:
        raise StatementInvalid([(0, _("only .csv and .xlsx statements are read"))])
    rows = [(number, row) for number, row in enumerate(rows, start=1) if any(_cell(v) for v in row)]
    if not rows:
        raise StatementInvalid([(0, _("the file is empty"))])
    header_row, header = rows[0]
    headers = [_header(v) for v in header]
    where = {}
    for column, names in COLUMNS.items():
        for index, name in enumerate(headers):
            if name in names and column not in where:
                where[column] = index
    missing = [column for column in REQUIRED if column not in where]
    if missing:
        labels = {"reference": "Mã thanh toán / TxnRef", "amount": "Số tiền / Amount"}
        raise StatementInvalid(
            [(header_row, _("missing column %(column)s") % {"column": labels[column]}) for column in missing]
        )

    def value(row, column):
        index = where.get(column)
        return row[index] if index is not None and index < len(row) else None

    errors, lines, seen = [], [], {}
    for number, row in rows[1:]:
        reference = _cell(value(row, "reference"))
        if not reference:
            errors.append((number, _("the payment reference is empty")))
        elif len(reference) > 40:
            errors.append((number, _("the payment reference is longer than 40 characters")))
        elif reference in seen:
            errors.append(
                (
                    number,
                    _("the reference %(reference)s is also on row %(row)s")
                    % {"reference": reference, "row": seen[reference]},
                )
            )
        seen.setdefault(reference, number)
        amount = _amount(value(row, "amount"))
        if amount is None:
            errors.append(
                (
                    number,
                    _("the amount “%(value)s” is not a whole positive number of đồng")
                    % {"value": _cell(value(row, "amount"))},
                )
            )
        paid_at, ok = _time(value(row, "paid_at"))
        if not ok:
            errors.append(
                (number, _("the time “%(value)s” is not a date and time") % {"value": _cell(value(row, "paid_at"))})
            )
        raw = {str(header[i] or i): _cell(v) for i, v in enumerate(row) if i < len(header)}
        lines.append(
            ReadLine(number, reference, _cell(value(row, "provider_reference"))[:100], amount or 0, paid_at, raw)
        )
    if errors:
        raise StatementInvalid(errors)
    return lines


# --- services ---------------------------------------------------------------------------------------------------


def _require_acting(actor, agency_id):
    ids = acting_agency_ids(actor)
    if ids is not ALL and agency_id not in ids:
        raise ActionNotAllowed(_("You may reconcile only your own agency's payments."))


def statement_import(*, actor, agency, provider, day, file_name, data: bytes) -> Statement:
    """Import one provider's statement of ``agency``'s ``day``, then reconcile that day.

    Every row is checked before anything is written; one wrong row refuses the whole file
    (:class:`StatementInvalid` naming the rows). A day's statement of a provider is imported once."""
    _require_acting(actor, agency.pk)
    if provider not in providers.KNOWN:
        raise InvalidInput(_("Unknown payment provider."))
    lines = read_statement(file_name, data)
    try:
        with transaction.atomic():
            statement = Statement.objects.create(
                agency=agency,
                provider=provider,
                day=day,
                imported_by=actor,
                file_name=file_name[:255],
                row_count=len(lines),
            )
            StatementLine.objects.bulk_create(
                StatementLine(
                    statement=statement,
                    row=line.row,
                    reference=line.reference,
                    provider_reference=line.provider_reference,
                    amount=line.amount,
                    paid_at=line.paid_at,
                    raw=line.raw,
                )
                for line in lines
            )
    except IntegrityError:
        raise InvalidState(_("This provider's statement of that day has already been imported.")) from None
    reconcile(agency=agency, day=day)
    return statement


def day_bounds(day: date):
    """The day's ``[start, end)`` in the site's time zone (Asia/Ho_Chi_Minh), as the reports count days."""
    period = Period(day, day)
    return period.start, period.end


@dataclass
class Found:
    """What differs, before it is written: a :class:`DiscrepancyKind` with the payment and/or line."""

    kind: str
    reference: str
    payment: Payment | None = None
    line: StatementLine | None = None

    @property
    def our_amount(self):
        return self.payment.amount if self.payment else None

    @property
    def their_amount(self):
        return self.line.amount if self.line else None


@dataclass
class DayMatch:
    agency_id: int
    day: date
    payments: list = field(default_factory=list)
    lines: list = field(default_factory=list)
    matched: list = field(default_factory=list)  # (payment, line)
    found: list = field(default_factory=list)  # Found

    @property
    def paid_total(self):
        return sum(p.amount for p in self.payments)

    @property
    def statement_total(self):
        return sum(line.amount for line in self.lines)


def match_day(*, agency, day) -> DayMatch:
    """Pair ``agency``'s payments settled as paid on ``day`` (Vietnam time) with the lines of its statements of
    ``day`` by our payment reference (read only).

    * a line and a paid payment of the same reference and amount: matched — also when the payment was settled on
      another day (a payment at 23:59 on the next day's statement);
    * same reference, another amount: ``amount_differs``;
    * a line without a paid payment of the agency (unknown reference, or still pending / failed on our side):
      ``missing_ours``;
    * a payment paid that day on none of the day's statements: ``missing_theirs``."""
    agency_id = getattr(agency, "pk", agency)
    start, end = day_bounds(day)
    result = DayMatch(agency_id=agency_id, day=day)
    result.payments = list(
        Payment.objects.filter(
            agency_id=agency_id, status=PaymentStatus.PAID, settled_at__gte=start, settled_at__lt=end
        ).order_by("settled_at", "pk")
    )
    result.lines = list(
        StatementLine.objects.filter(statement__agency_id=agency_id, statement__day=day)
        .select_related("statement")
        .order_by("statement__provider", "row")
    )
    references = {line.reference for line in result.lines}
    known = {p.reference: p for p in Payment.objects.filter(agency_id=agency_id, reference__in=references)}
    seen = set()
    for line in result.lines:
        payment = known.get(line.reference)
        if line.reference in seen:
            payment = None  # the same reference on two statements: the second is not ours
        seen.add(line.reference)
        if payment is None or payment.status != PaymentStatus.PAID:
            result.found.append(Found(DiscrepancyKind.MISSING_OURS, line.reference, payment, line))
        elif payment.amount != line.amount:
            result.found.append(Found(DiscrepancyKind.AMOUNT_DIFFERS, line.reference, payment, line))
        else:
            result.matched.append((payment, line))
    for payment in result.payments:
        if payment.reference not in references:
            result.found.append(Found(DiscrepancyKind.MISSING_THEIRS, payment.reference, payment))
    return result


@transaction.atomic
def reconcile(*, agency, day, now=None) -> DayMatch:
    """Reconcile ``agency``'s ``day`` and record what differs as open discrepancies (AG 31.7).

    Idempotent: a difference already recorded for the day (same kind and reference, open or resolved) is not
    recorded again; an open one that no longer holds is closed with a note (nobody as resolver)."""
    now = now or timezone.now()
    agency_id = getattr(agency, "pk", agency)
    result = match_day(agency=agency_id, day=day)
    existing = {
        (d.kind, d.reference): d
        for d in Discrepancy.objects.select_for_update().filter(agency_id=agency_id, day=day).order_by("pk")
    }
    still = set()
    for found in result.found:
        key = (found.kind, found.reference)
        still.add(key)
        if key in existing:
            continue
        Discrepancy.objects.create(
            agency_id=agency_id,
            day=day,
            kind=found.kind,
            reference=found.reference,
            payment=found.payment,
            line=found.line,
            our_amount=found.our_amount,
            their_amount=found.their_amount,
        )
    for key, discrepancy in existing.items():
        if key not in still and discrepancy.resolved_at is None:
            discrepancy.resolved_at = now
            discrepancy.resolution_note = _("No longer differs when reconciled again.")
            discrepancy.save(update_fields=["resolved_at", "resolution_note"])
    return result


def reconcile_as(*, actor, agency, day) -> DayMatch:
    """:func:`reconcile` asked for by an official (the "Reconcile now" button): their own agency only."""
    _require_acting(actor, agency.pk)
    return reconcile(agency=agency, day=day)


@transaction.atomic
def discrepancy_resolve(*, actor, discrepancy_id, note) -> Discrepancy:
    """Close an open discrepancy of the actor's own agency with what was done about it (the note is required)."""
    discrepancy = Discrepancy.objects.visible_to(actor).select_for_update().filter(pk=discrepancy_id).first()
    if discrepancy is None:
        raise ActionNotAllowed(_("This discrepancy does not exist or is not your agency's."))
    _require_acting(actor, discrepancy.agency_id)
    if discrepancy.resolved_at is not None:
        raise InvalidState(_("This discrepancy has already been resolved."))
    note = (note or "").strip()
    if not note:
        raise InvalidInput(_("Say how the discrepancy was resolved."))
    discrepancy.resolved_at, discrepancy.resolved_by, discrepancy.resolution_note = timezone.now(), actor, note
    discrepancy.save(update_fields=["resolved_at", "resolved_by", "resolution_note"])
    return discrepancy


def agencies_to_reconcile(day) -> set[int]:
    """The agencies with payments settled on ``day`` or a statement of ``day``."""
    start, end = day_bounds(day)
    paid = Payment.objects.filter(status=PaymentStatus.PAID, settled_at__gte=start, settled_at__lt=end)
    return set(paid.values_list("agency_id", flat=True)) | set(
        Statement.objects.filter(day=day).values_list("agency_id", flat=True)
    )


def reconcile_all(*, day) -> int:
    """Reconcile ``day`` for every agency that has payments or statements on it; the number of agencies."""
    agencies = sorted(agencies_to_reconcile(day))
    for agency_id in agencies:
        reconcile(agency=agency_id, day=day)
    return len(agencies)
