"""Catalog import and export (agencies, sectors, procedures).

``catalog_import`` reads an uploaded ``.xlsx``/``.csv`` in the layout of
``catalog.resources`` (documented in ``docs/import-layout.md``), runs the
django-import-export resource inside ONE transaction and returns a
``CatalogImportResult``: a report per spreadsheet row (new / update /
unchanged / error, with the changed columns) and every error with its
spreadsheet row number (header = row 1). A dry run always rolls back; a real
import rolls back as a whole if any row has an error, so a file is imported
completely or not at all.

``catalog_export`` writes the same layout back, so exporting and importing the
result changes nothing.

The admin views (``catalog.import_views``) only call these functions.
"""

from __future__ import annotations

import csv
import io
import zipfile
from dataclasses import dataclass, field

import tablib
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail.signal_handlers import disable_reference_index_auto_update

from catalog.resources import RESOURCES, cell_text
from catalog.search import fold

FILE_FORMATS = ("xlsx", "csv")
CONTENT_TYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv; charset=utf-8",
}
MODEL_LABELS = {
    "agencies": gettext_lazy("Agencies"),
    "sectors": gettext_lazy("Sectors"),
    "procedures": gettext_lazy("Procedures"),
}
#: The header row is looked for in the first rows (files from other systems may carry a title above it).
HEADER_SEARCH_ROWS = 10


class CatalogFileError(Exception):
    """The file as a whole cannot be read."""


@dataclass
class RowError:
    row: int | None  # spreadsheet row (header = 1); None for a file-level problem
    column: str
    message: str

    def __str__(self):
        where = _("Row %(row)s") % {"row": self.row} if self.row else _("File")
        if self.column:
            return f"{where} · {self.column}: {self.message}"
        return f"{where}: {self.message}"


@dataclass
class RowReport:
    row: int
    action: str  # "new", "update", "skip" (unchanged) or "error"
    key: str
    name: str
    changed_columns: list[str] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)


@dataclass
class CatalogImportResult:
    model_key: str
    file_format: str
    dry_run: bool
    rows: list[RowReport] = field(default_factory=list)
    file_errors: list[RowError] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)
    missing_columns: list[str] = field(default_factory=list)
    committed: bool = False

    def _count(self, action):
        return sum(1 for row in self.rows if row.action == action)

    @property
    def new_count(self):
        return self._count("new")

    @property
    def update_count(self):
        return self._count("update")

    @property
    def unchanged_count(self):
        return self._count("skip")

    @property
    def error_count(self):
        """Rows with errors (file-level problems are in ``file_errors``)."""
        return self._count("error")

    @property
    def errors(self) -> list[RowError]:
        return [*self.file_errors, *(error for row in self.rows for error in row.errors)]

    @property
    def has_errors(self):
        return bool(self.file_errors) or self.error_count > 0

    @property
    def has_changes(self):
        return self.new_count + self.update_count > 0

    @property
    def counts(self):
        return {
            "new": self.new_count,
            "update": self.update_count,
            "unchanged": self.unchanged_count,
            "errors": self.error_count,
        }


def get_resource_class(model_key):
    try:
        return RESOURCES[model_key]
    except KeyError:
        raise ValueError(f"Unknown catalog sheet {model_key!r}; use one of {sorted(RESOURCES)}.") from None


def _check_format(file_format):
    if file_format not in FILE_FORMATS:
        raise ValueError(f"Unknown file format {file_format!r}; use one of {FILE_FORMATS}.")


def format_from_filename(filename: str) -> str | None:
    suffix = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    return suffix if suffix in FILE_FORMATS else None


# ---------------------------------------------------------------------------
# Reading
# ---------------------------------------------------------------------------


def _read_xlsx(file_bytes):
    import openpyxl

    if not zipfile.is_zipfile(io.BytesIO(file_bytes)):
        raise CatalogFileError(_("The file is not an Excel workbook (.xlsx)."))
    try:
        workbook = openpyxl.load_workbook(io.BytesIO(file_bytes), read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds of errors for damaged files
        raise CatalogFileError(_("The Excel workbook could not be read; save it again as .xlsx and retry.")) from None
    try:
        sheet = workbook.worksheets[0]
        sheet.reset_dimensions()  # do not trust the stored dimension record
        return [list(values) for values in sheet.iter_rows(values_only=True)]
    finally:
        workbook.close()


def _read_csv(file_bytes, known_headers):
    try:
        text = file_bytes.decode("utf-8-sig")  # with or without BOM
    except UnicodeDecodeError:
        raise CatalogFileError(_("The CSV file must be saved as UTF-8 (“CSV UTF-8” in Excel).")) from None
    known = {fold(header) for header in known_headers}

    def parse(delimiter):
        return list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))

    try:
        best, best_hits = None, -1
        for delimiter in (",", ";", "\t"):
            rows = parse(delimiter)
            hits = max((sum(1 for cell in row if fold(cell) in known) for row in rows[:HEADER_SEARCH_ROWS]), default=0)
            if hits > best_hits:
                best, best_hits = rows, hits
        return best
    except csv.Error as exc:
        raise CatalogFileError(_("The CSV file could not be read: %(error)s") % {"error": exc}) from None


def header_names(columns) -> dict[str, str]:
    """Every accepted header, folded (no accents, lower case), to the layout's header it stands for."""
    names = {}
    for header, aliases in getattr(columns, "ALIASES", {}).items():
        for alias in aliases:
            names[fold(alias)] = header
    names.update({fold(header): header for header in columns.ORDER})  # a layout header always wins
    return names


def read_table(file_bytes: bytes, file_format: str, columns) -> tuple[int, list, list[tuple[int, list]]]:
    """Return (header row number, header cells, [(sheet row number, cells)]) of the first sheet."""
    _check_format(file_format)
    if not file_bytes:
        raise CatalogFileError(_("The file is empty."))
    if file_format == "csv" and file_bytes[:4] == b"PK\x03\x04":
        file_format = "xlsx"  # a workbook saved with the wrong extension
    rows = _read_xlsx(file_bytes) if file_format == "xlsx" else _read_csv(file_bytes, header_names(columns))
    keys = {fold(columns.KEY), *(fold(alias) for alias in getattr(columns, "ALIASES", {}).get(columns.KEY, ()))}
    header_index = None
    for index, row in enumerate(rows[:HEADER_SEARCH_ROWS]):
        if any(fold(cell_text(cell, multiline=False)) in keys for cell in row):
            header_index = index
            break
    if header_index is None:
        header_index = next((i for i, row in enumerate(rows) if any(cell_text(c) for c in row)), None)
    if header_index is None:
        raise CatalogFileError(_("The file has no header row."))
    numbered = [(number, row) for number, row in enumerate(rows, start=1)]
    return header_index + 1, rows[header_index], numbered[header_index + 1 :]


# ---------------------------------------------------------------------------
# Import
# ---------------------------------------------------------------------------


class _Rollback(Exception):
    pass


def catalog_import(
    *, model_key: str, file_bytes: bytes, file_format: str, dry_run: bool, user=None, progress=None, on_success=None
):
    """Import (or preview) one catalog sheet. Never raises for bad data: see ``result.errors``.

    ``progress(rows_done, rows_total)`` is called now and then; ``on_success(result)`` inside the transaction of a
    real import that is about to be committed (the background run records its outcome with the data)."""
    resource_class = get_resource_class(model_key)
    _check_format(file_format)
    columns = resource_class.columns
    result = CatalogImportResult(model_key=model_key, file_format=file_format, dry_run=dry_run)

    try:
        header_row, header_cells, raw_rows = read_table(file_bytes, file_format, columns)
    except CatalogFileError as exc:
        result.file_errors.append(RowError(None, "", str(exc)))
        return result

    # Map file headers to the layout (case and accents do not matter; order does not matter).
    by_fold = header_names(columns)
    positions = {}
    for index, cell in enumerate(header_cells):
        text = cell_text(cell, multiline=False)
        if not text:
            continue
        header = by_fold.get(fold(text))
        if header is None:
            result.ignored_columns.append(text)
        elif header in positions:
            result.file_errors.append(
                RowError(header_row, header, _("The column “%(column)s” appears more than once.") % {"column": header})
            )
        else:
            positions[header] = index
    result.missing_columns = [header for header in columns.REQUIRED if header not in positions]
    for header in result.missing_columns:
        result.file_errors.append(
            RowError(header_row, header, _("The required column “%(column)s” is missing.") % {"column": header})
        )
    if result.file_errors:
        return result

    headers = [header for header in columns.ORDER if header in positions]
    rows = []
    for number, cells in raw_rows:
        values = {header: cells[positions[header]] if positions[header] < len(cells) else None for header in headers}
        if any(cell_text(value) for value in values.values()):
            rows.append((number, values))

    total = len(rows)
    resource = resource_class(user=user, progress=(lambda done: progress(done, total)) if progress else None)
    if progress:
        progress(0, total)
    rows = resource.order_rows(rows)
    resource.sheet_rows = [number for number, _values in rows]
    dataset = tablib.Dataset(headers=headers)
    for _number, values in rows:
        dataset.append([values[header] for header in headers])

    try:
        # Wagtail's reference index is refreshed once the import is committed, not for rolled-back rows.
        with disable_reference_index_auto_update(), transaction.atomic():
            outcome = resource.import_data(
                dataset,
                dry_run=dry_run,
                raise_errors=False,
                use_transactions=True,
                rollback_on_validation_errors=True,
            )
            _collect(result, resource, outcome, rows)
            if dry_run or result.has_errors:
                raise _Rollback
            result.committed = True
            if on_success is not None:
                on_success(result)
    except _Rollback:
        pass
    if result.committed:
        transaction.on_commit(lambda: _update_reference_index(resource.saved_instances))
    return result


def _update_reference_index(instances):
    """One background job refreshes Wagtail's reference index of every written row (not one job per row)."""
    from wagtail.models import ReferenceIndex

    from catalog.tasks import refresh_reference_index

    if instances and ReferenceIndex.is_indexed(type(instances[0])):
        opts = instances[0]._meta
        refresh_reference_index(opts.app_label, opts.model_name, [instance.pk for instance in instances])


def _collect(result, resource, outcome, rows):
    """Turn the import-export ``Result`` into spreadsheet-row reports."""
    columns = resource.columns
    name_header = columns.ORDER[1]
    for error in outcome.base_errors:
        result.file_errors.append(RowError(None, "", _("Unexpected error: %(error)s") % {"error": error.error}))

    for (number, values), row_result in zip(rows, outcome.rows):
        report = RowReport(
            row=number,
            action=row_result.import_type,
            key=cell_text(values.get(columns.KEY), multiline=False),
            name=cell_text(values.get(name_header), multiline=False),
            changed_columns=list(getattr(row_result, "changed_columns", []) or []),
        )
        if row_result.validation_error is not None:
            exc = row_result.validation_error
            if hasattr(exc, "error_dict"):
                for key, messages in exc.message_dict.items():
                    column = resource.column_for_error_key(key)
                    report.errors.extend(RowError(number, column, message) for message in messages)
            else:
                report.errors.extend(RowError(number, "", message) for message in exc.messages)
        for error in row_result.errors:
            report.errors.append(RowError(number, "", _("Unexpected error: %(error)s") % {"error": error.error}))
        if report.errors or not row_result.is_valid():
            report.action = "error"
            if not report.errors:
                report.errors.append(RowError(number, "", _("The row could not be imported.")))
        result.rows.append(report)
    result.rows.sort(key=lambda report: report.row)


# ---------------------------------------------------------------------------
# Export
# ---------------------------------------------------------------------------


def export_filename(model_key: str, file_format: str) -> str:
    return f"{model_key}-{timezone.localdate():%Y%m%d}.{file_format}"


def catalog_export(*, model_key: str, file_format: str) -> bytes:
    """The whole sheet in the import layout, as .xlsx or UTF-8 (BOM) .csv bytes."""
    resource_class = get_resource_class(model_key)
    _check_format(file_format)
    resource = resource_class()
    dataset = resource.export(queryset=resource.export_queryset())
    headers = list(dataset.headers)
    rows = [["" if value is None else value for value in row] for row in dataset]
    if file_format == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\r\n")
        writer.writerow(headers)
        writer.writerows(rows)
        return buffer.getvalue().encode("utf-8-sig")
    return _write_xlsx(resource_class, headers, rows)


def _write_xlsx(resource_class, headers, rows):
    import openpyxl
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = resource_class.sheet_title or "Sheet1"
    sheet.append(headers)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    wrap = Alignment(wrap_text=True, vertical="top")
    widths = [max(12, min(len(header) + 4, 30)) for header in headers]
    for values in rows:
        sheet_row = sheet.max_row + 1
        for col, value in enumerate(values, start=1):
            if isinstance(value, str):
                value = ILLEGAL_CHARACTERS_RE.sub("", value)
            cell = sheet.cell(row=sheet_row, column=col, value=value)
            if isinstance(value, str):
                cell.data_type = "s"  # never a formula, even if the text starts with "="
                longest = max((len(line) for line in value.split("\n")), default=0)
                widths[col - 1] = max(widths[col - 1], min(longest + 2, 60))
                if "\n" in value:
                    cell.alignment = wrap
    text_columns = {resource_class.columns.KEY, *[h for h in headers if h.startswith("Mã")]}
    for col, header in enumerate(headers, start=1):
        letter = get_column_letter(col)
        sheet.column_dimensions[letter].width = widths[col - 1]
        if header in text_columns:
            # Codes such as 1.001612 must stay text when typed into new rows.
            sheet.column_dimensions[letter].number_format = "@"
    sheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
