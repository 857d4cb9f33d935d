"""The public transparency pages (công khai; DESIGN §8, AG 32.10, BN 16.9), mounted at /cong-khai/.

Per agency, for the current month and the current year: the report figures
and charts, the published ratings summary (when the ratings module exists),
and the monthly late lists. A closed month shows its figures as published
(:mod:`workflow.reports.snapshots`), with any later revision beside them. Only aggregate figures are shown: no dossier,
applicant or other personal data. The late list names officials, as the
regulations require. Figures are cached for a few minutes.
"""

from django.core.cache import cache
from django.http import Http404
from django.shortcuts import render
from django.urls import path
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from workflow.models import FigureKind, LateList, LateListKind
from workflow.reports import charts, figures, snapshots
from workflow.reports.periods import Period, last_months

CACHE_SECONDS = 600
PUBLIC_FIGURES = [
    "received",
    "carried_over",
    "new",
    "new_online",
    "resolved",
    "early",
    "on_time",
    "late",
    "in_progress",
    "overdue",
    "refused",
    "stopped",
    "withdrawn",
]


def _ratings():
    try:
        from feedback.selectors import rating_stats_by_agency
    except ImportError:
        return None
    try:
        return rating_stats_by_agency()
    except Exception:  # noqa: BLE001 - a missing table while the ratings module is being installed
        return None


def _public_report(period, now):
    key = f"transparency:{period.key}:{now:%Y%m%d%H}{now.minute // 10}"
    report = cache.get(key)
    if report is None:
        report = figures.report(user=None, period=period, group_by="agency", now=now)
        cache.set(key, report, CACHE_SECONDS)
    return report


def transparency(request):
    now = timezone.now()
    today = timezone.localdate(now)
    month, year = Period.current_month(today), Period.year(today.year)
    blocks = []
    for title, period in ((_("This month"), month), (_("This year"), year)):
        report = _public_report(period, now)
        rows = [r for r in report.rows if r.received or r.returned]
        blocks.append({"title": title, "period": period, "rows": rows, "total": report.total})
    chart_rows = sorted(blocks[0]["rows"], key=lambda r: (r.on_time_rate is None, -(r.on_time_rate or 0)))
    trend_key = f"transparency:trend:{month.key}:{get_language()}:{now:%Y%m%d%H}{now.minute // 10}"
    trend = cache.get(trend_key)
    if trend is None:
        counted = {month.key: blocks[0]["total"].counts}
        trend = snapshots.published_trend(figures.trend(months=last_months(12, today), now=now, known=counted))
        cache.set(trend_key, trend, CACHE_SECONDS)
    context = {
        "blocks": blocks,
        "figures": [(name, figures.FIGURES[name]) for name in PUBLIC_FIGURES],
        "on_time_svg": charts.hbar_chart(
            [(r.label, r.on_time_rate, None) for r in chart_rows], title=_("On-time rate by agency"), max_value=1
        ),
        "trend_svg": charts.trend_chart(
            trend,
            title=_("Trend by month"),
            labels={"new": _("New"), "resolved": _("Resolved"), "rate": _("On-time rate")},
        ),
        "ratings": _ratings(),
        "late_lists": LateList.objects.filter(published_at__isnull=False)[:12],
        "generated_at": now,
        "closed": snapshots.shown(FigureKind.TRANSPARENCY, Period.previous_month(today)),
        "published_months": snapshots.published_periods(FigureKind.TRANSPARENCY, 12),
    }
    return render(request, "portal/transparency.html", context)


def transparency_month(request, month):
    """A closed month's figures as published, with their revisions (404 until published)."""
    shown = snapshots.shown(FigureKind.TRANSPARENCY, month)
    if shown is None or shown.snapshot.period != month:
        raise Http404
    return render(
        request,
        "portal/transparency_month.html",
        {"shown": shown, "published_months": snapshots.published_periods(FigureKind.TRANSPARENCY)},
    )


def late_list(request, month):
    try:
        period = Period.parse(month)
    except ValueError:
        raise Http404 from None
    item = LateList.objects.filter(month=period.first, published_at__isnull=False).first()
    if item is None or period.key != month:
        raise Http404
    entries = list(item.entries.all())
    shown = snapshots.shown(FigureKind.LATE_LIST, period)
    return render(
        request,
        "portal/transparency_late_list.html",
        {
            "late_list": item,
            "shown": shown,
            "revised_agencies": shown.revised_entries(LateListKind.AGENCY) if shown else [],
            "revised_officials": shown.revised_entries(LateListKind.OFFICIAL) if shown else [],
            "agencies": [e for e in entries if e.kind == LateListKind.AGENCY],
            "officials": [e for e in entries if e.kind == LateListKind.OFFICIAL],
            "late_lists": LateList.objects.filter(published_at__isnull=False)[:24],
        },
    )


urlpatterns = [
    path("", transparency, name="transparency"),
    path("tre-han/<str:month>/", late_list, name="transparency_late_list"),
    path("thang/<str:month>/", transparency_month, name="transparency_month"),
]
