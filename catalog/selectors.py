"""Read paths of the catalog, shared by the public pages and the API."""

from django.conf import settings
from django.db.models import Count, Prefetch, Q

from catalog.models import Agency, AgencyLevel, FaqEntry, MaintenanceNotice, Procedure, ProcedureDocument, Sector
from catalog.search import fold

PAGE_SIZE = getattr(settings, "CATALOG_PAGE_SIZE", 20)


def procedure_list(*, q="", agency=None, sector=None, level="", online_level=""):
    """Published procedures matching the public filters, ready for listing: by relevance when ``q`` is
    given (a lazily paged sequence, see :class:`catalog.search.RankedResults`), else by national code."""
    qs = Procedure.objects.published().for_listing()
    if agency is not None:
        qs = qs.filter(agencies=agency)
    if sector is not None:
        qs = qs.filter(sector=sector)
    if level:
        qs = qs.at_level(level)
    if online_level:
        qs = qs.filter(online_level=online_level)
    qs = qs.order_by("national_code")
    return qs.ranked(q) if fold(q) else qs


def procedure_get(national_code):
    return (
        Procedure.objects.published()
        .select_related("sector")
        .prefetch_related(
            "agencies",
            "fees",
            Prefetch("documents", queryset=ProcedureDocument.objects.select_related("template")),
        )
        .filter(national_code=national_code)
        .first()
    )


def procedure_popular(limit=8):
    return Procedure.objects.published().select_related("sector").order_by("-usage_count", "national_code")[:limit]


def sector_list_with_counts():
    return Sector.objects.annotate(
        procedure_count=Count("procedures", filter=~Q(procedures__status="abolished"))
    ).order_by("name")


def agency_directory():
    """Active agencies grouped by level, provincial first."""
    agencies = list(Agency.objects.active().select_related("parent").order_by("name"))
    return [(label, [a for a in agencies if a.level == level]) for level, label in AgencyLevel.choices]


def faq_by_sector():
    entries = FaqEntry.objects.filter(is_published=True).select_related("sector", "procedure")
    groups = {}
    for entry in entries:
        groups.setdefault(entry.sector, []).append(entry)
    return list(groups.items())


def maintenance_notices_visible(now):
    """Notices shown on every page: from N working days before the window until it ends."""
    from workflow.worktime import DAY_MINUTES, get_calendar

    lead_minutes = settings.MAINTENANCE_NOTICE_WORKING_DAYS * DAY_MINUTES
    calendar = get_calendar()
    visible = []
    for notice in MaintenanceNotice.objects.upcoming_or_current(now)[:5]:
        if notice.starts_at <= now or calendar.working_minutes_between(now, notice.starts_at) <= lead_minutes:
            visible.append(notice)
    return visible
