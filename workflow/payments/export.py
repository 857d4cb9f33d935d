"""A day's reconciliation as an .xlsx workbook: the matched payments, then the discrepancies (amounts as numbers
of đồng, times in Vietnam time as date cells)."""

import io
from datetime import date

from django.utils.translation import gettext as _


def reconciliation_workbook(agency, day: date, match, discrepancies) -> bytes:
    import openpyxl
    from openpyxl.styles import Font

    from portal.core.formatting import local

    def naive(moment):
        return local(moment).replace(tzinfo=None) if moment else None

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = _("Matched")[:31]
    sheet.append([_("Agency"), agency.name])
    sheet.append([_("Day"), day])
    sheet.append([_("Matched"), len(match.matched)])
    sheet.append([_("Discrepancies"), len(list(discrepancies))])
    sheet.append([])
    header = [_("Payment reference"), _("Provider"), _("Provider's transaction number"), _("Amount (VND)")]
    sheet.append([*header, _("Settled at"), _("Paid at (statement)")])
    for cell in sheet[6]:
        cell.font = Font(bold=True)
    for payment, line in match.matched:
        sheet.append(
            [
                payment.reference,
                line.statement.provider,
                line.provider_reference,
                payment.amount,
                naive(payment.settled_at),
                naive(line.paid_at),
            ]
        )
    sheet.cell(row=2, column=2).number_format = "DD/MM/YYYY"
    for row in sheet.iter_rows(min_row=7, min_col=5, max_col=6):
        for cell in row:
            cell.number_format = "DD/MM/YYYY HH:MM:SS"
    sheet.column_dimensions["A"].width = 24
    sheet.column_dimensions["C"].width = 24
    sheet.column_dimensions["E"].width = 20
    sheet.column_dimensions["F"].width = 20

    other = workbook.create_sheet(_("Discrepancies")[:31])
    other.append(
        [
            _("Kind"),
            _("Payment reference"),
            _("Our amount (VND)"),
            _("Statement amount (VND)"),
            _("Found at"),
            _("Resolved at"),
            _("Resolved by"),
            _("Resolution note"),
        ]
    )
    for cell in other[1]:
        cell.font = Font(bold=True)
    for d in discrepancies:
        other.append(
            [
                str(d.get_kind_display()),
                d.reference,
                d.our_amount,
                d.their_amount,
                naive(d.created_at),
                naive(d.resolved_at),
                d.resolved_by.get_full_name() or d.resolved_by.get_username() if d.resolved_by else "",
                d.resolution_note,
            ]
        )
    for first, second in other.iter_rows(min_row=2, min_col=5, max_col=6):
        first.number_format = second.number_format = "DD/MM/YYYY HH:MM:SS"
    other.column_dimensions["A"].width = 40
    other.column_dimensions["B"].width = 24
    other.column_dimensions["H"].width = 50
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
