"""The report as an .xlsx workbook: numbers stay numbers, formatted the way a reader expects.

Rates are fractions in [0, 1] stored as numbers with a percent format (Excel and LibreOffice then show them
with the reader's decimal mark, ``85,3%`` in Vietnamese), average days with one decimal, empty cells where a
rate has no denominator — not ``0.853`` or ``None``.
"""

import io

from workflow.reports.figures import FIGURES, GROUPINGS, RATES

PERCENT = "0.0%"
DAYS = "0.0"


def report_workbook(report, group_by) -> bytes:
    import openpyxl
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = report.period.key[:31]
    sheet.append(
        [str(GROUPINGS.get(group_by, GROUPINGS["agency"]))]
        + [str(v) for v in FIGURES.values()]
        + [str(v) for v in RATES.values()]
    )
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in [*report.rows, report.total]:
        rates = row.rates()
        sheet.append([row.label] + [row.counts[f] for f in FIGURES] + [rates[r] for r in RATES])
    first_rate = 2 + len(FIGURES)
    for offset, name in enumerate(RATES):
        letter = get_column_letter(first_rate + offset)
        for (cell,) in sheet.iter_rows(min_row=2, min_col=first_rate + offset, max_col=first_rate + offset):
            cell.number_format = DAYS if name == "avg_processing_days" else PERCENT
        sheet.column_dimensions[letter].width = 14
    sheet.column_dimensions["A"].width = 40
    sheet.freeze_panes = "B2"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
