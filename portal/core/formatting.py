"""Vietnamese formatting of dates, times, money and percentages — the one place slips, mails, the admin,
reports and the public pages take them from.

Conventions: dates ``dd/mm/yyyy`` and times ``HH:MM`` in Vietnam time (``TIME_ZONE``); money in whole đồng
with a dot as thousands separator (``1.250.000 đ``); administrative text dates as Decree 30/2020 writes them
(``ngày 05 tháng 01 năm 2026``).
"""

from datetime import date, datetime
from decimal import Decimal

from django.utils import timezone


def local(value: datetime | None) -> datetime | None:
    """``value`` in the site's time zone (a naive value is taken to be in it already)."""
    if value is None:
        return None
    if timezone.is_naive(value):
        return timezone.make_aware(value)
    return timezone.localtime(value)


def format_date(value: date | datetime | None) -> str:
    """``05/01/2026``, or ``""``."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = local(value).date()
    return value.strftime("%d/%m/%Y")


def format_datetime(value: datetime | None) -> str:
    """``05/01/2026 08:30`` in Vietnam time, or ``""``."""
    value = local(value)
    return value.strftime("%d/%m/%Y %H:%M") if value else ""


def format_time_date(value: datetime | None) -> str:
    """``08:30 05/01/2026`` — time first, as notices and SMS state a due time; or ``""``."""
    value = local(value)
    return value.strftime("%H:%M %d/%m/%Y") if value else ""


def date_text(value: date | datetime | None) -> str:
    """``ngày 05 tháng 01 năm 2026``: day below 10 and months 1-2 take a leading zero (Decree 30/2020)."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = local(value).date()
    month = f"{value.month:02d}" if value.month < 3 else str(value.month)
    return f"ngày {value.day:02d} tháng {month} năm {value.year}"


def datetime_text(value: datetime | None) -> str:
    """``08 giờ 30 phút, ngày 05 tháng 01 năm 2026`` (the An Giang receipt's wording)."""
    value = local(value)
    if value is None:
        return ""
    return f"{value.hour:02d} giờ {value.minute:02d} phút, {date_text(value)}"


def format_vnd(amount) -> str:
    """Money as Vietnamese write it: ``1.250.000 đ`` (dot thousands separator, no decimals); ``""`` for none."""
    if amount in (None, ""):
        return ""
    return f"{int(amount):,} đ".replace(",", ".")


def format_number(value) -> str:
    """A decimal with a comma as decimal mark and no trailing zeros: ``2,5``; ``""`` for none."""
    if value is None:
        return ""
    value = Decimal(str(value)) if isinstance(value, float) else Decimal(value)
    return format(value.normalize(), "f").replace(".", ",")


def format_percent(value, *, empty: str = "–") -> str:
    """A rate in [0, 1] as ``85,3%`` (one decimal, comma as decimal mark); ``empty`` when there is no rate."""
    if value is None:
        return empty
    return f"{float(value) * 100:.1f}%".replace(".", ",")


def format_file_size(size) -> str:
    """A file size as Vietnamese write it: ``850 B``, ``12,5 KB``, ``3,2 MB`` (one decimal at most); "" for none."""
    if size in (None, ""):
        return ""
    size = int(size)
    if size < 1024:
        return f"{size} B"
    value, unit = Decimal(size) / 1024, "KB"
    for bigger in ("MB", "GB"):
        if value < 1024:
            break
        value, unit = value / 1024, bigger
    return f"{format_number(value.quantize(Decimal('0.1')))} {unit}"
