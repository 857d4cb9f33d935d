"""Report figures as JSON under /api/v1/reports/ (DESIGN §8-9), for supervisors and partner dashboards.

Scoped like every dossier read: supervisors get every unit, a unit's
officials their unit. Thin views over :mod:`workflow.reports.figures`,
:mod:`workflow.reports.index766` and the published figures (late lists, 766 index, transparency
months; :mod:`workflow.reports.snapshots`): what was published, and the revisions beside it.
"""

from django.http import Http404
from django.urls import path
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from catalog.officials.scoping import ALL, visible_agency_ids
from workflow.dossiers.api.permissions import IsOfficial
from workflow.models import FigureKind, LateList, LateListKind
from workflow.reports import figures, index766, snapshots
from workflow.reports.periods import Period, last_months

app_name = "reports_api"

PERIOD = OpenApiParameter(
    "period",
    str,
    description="2026-05 (month, default: the current one), 2026-Q2, 2026 or 2026-05-01..2026-05-20 (inclusive days).",
)
GROUP_BY = OpenApiParameter("group_by", str, enum=list(figures.GROUPINGS), description="Default: agency.")
FILTERS = [
    OpenApiParameter(name, int, description=f"Only this {name} (id).") for name in ("agency", "sector", "procedure")
]


class PeriodSerializer(serializers.Serializer):
    key = serializers.CharField()
    first = serializers.DateField()
    last = serializers.DateField()


class FiguresSerializer(serializers.Serializer):
    key = serializers.IntegerField(allow_null=True, help_text="Id of the agency, sector, procedure or official.")
    label = serializers.CharField()
    locals().update({name: serializers.IntegerField(help_text=str(label)) for name, label in figures.FIGURES.items()})
    processing_minutes = serializers.IntegerField(help_text="Working minutes used by the resolved dossiers.")
    locals().update(
        {name: serializers.FloatField(allow_null=True, help_text=str(label)) for name, label in figures.RATES.items()}
    )


class ReportSerializer(serializers.Serializer):
    period = PeriodSerializer()
    group_by = serializers.CharField()
    generated_at = serializers.DateTimeField()
    rows = FiguresSerializer(many=True)
    total = FiguresSerializer()


class TrendPointSerializer(serializers.Serializer):
    period = serializers.CharField()
    label = serializers.CharField()
    new = serializers.IntegerField()
    resolved = serializers.IntegerField()
    on_time = serializers.IntegerField()
    in_progress = serializers.IntegerField(help_text="Open at the month's end.")
    on_time_rate = serializers.FloatField(allow_null=True)


class BacklogSerializer(serializers.Serializer):
    overdue = serializers.IntegerField()
    due_soon = serializers.IntegerField()
    ok = serializers.IntegerField()
    paused = serializers.IntegerField()


class IndicatorValueSerializer(serializers.Serializer):
    key = serializers.CharField()
    group = serializers.CharField()
    max_points = serializers.IntegerField()
    threshold = serializers.FloatField()
    rate = serializers.FloatField(allow_null=True, help_text="null: no data")
    points = serializers.FloatField(allow_null=True, help_text="null: no data")


class AgencyIndexSerializer(serializers.Serializer):
    agency = serializers.IntegerField()
    name = serializers.CharField()
    indicators = IndicatorValueSerializer(many=True)
    points = serializers.FloatField()
    attainable = serializers.IntegerField(help_text="Maximum points over the indicators with data.")
    out_of_100 = serializers.FloatField(allow_null=True)


class LateEntrySerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=LateListKind.choices)
    agency = serializers.IntegerField(source="agency_id")
    name = serializers.CharField()
    agency_name = serializers.CharField()
    position = serializers.CharField()
    resolved = serializers.IntegerField()
    late_resolved = serializers.IntegerField()
    overdue = serializers.IntegerField()
    late = serializers.IntegerField()
    share = serializers.FloatField()


class ChangeSerializer(serializers.Serializer):
    section = serializers.CharField()
    row = serializers.CharField(help_text="Key of the row (an agency or official id, or total).")
    agency = serializers.IntegerField(allow_null=True)
    where = serializers.CharField(help_text="The row's label as published.")
    column = serializers.CharField()
    figure = serializers.CharField(help_text="The figure's label as published (source text).")
    format = serializers.ChoiceField(choices=["count", "rate", "points"])
    published = serializers.FloatField(allow_null=True, help_text="null: not listed / no data")
    now = serializers.FloatField(allow_null=True, help_text="null: not listed / no data")


class LateListRevisionSerializer(serializers.Serializer):
    computed_at = serializers.DateTimeField()
    changes = ChangeSerializer(many=True, help_text="What differs from the published list.")
    entries = LateEntrySerializer(many=True, help_text="The list as recomputed.")


class LateListSerializer(serializers.Serializer):
    month = serializers.CharField(source="key")
    computed_at = serializers.DateTimeField()
    published_at = serializers.DateTimeField()
    entries = LateEntrySerializer(many=True, help_text="The list as published; never replaced.")
    revisions = LateListRevisionSerializer(many=True, help_text="Later recomputations that differed, oldest first.")


class ColumnSerializer(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField()
    format = serializers.ChoiceField(choices=["count", "rate", "points"])


class PayloadRowSerializer(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField()
    agency = serializers.IntegerField(allow_null=True)
    extra = serializers.DictField()
    values = serializers.DictField(child=serializers.FloatField(allow_null=True))


class PayloadSectionSerializer(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField()
    rows = PayloadRowSerializer(many=True)


class PayloadSerializer(serializers.Serializer):
    columns = ColumnSerializer(many=True)
    sections = PayloadSectionSerializer(many=True)


class RevisionSerializer(serializers.Serializer):
    computed_at = serializers.DateTimeField()
    changes = ChangeSerializer(many=True, help_text="What differs from the published figures.")
    figures = PayloadSerializer(source="payload", help_text="The figures as recomputed.")


class PublishedFiguresSerializer(serializers.Serializer):
    kind = serializers.CharField(help_text="late_list, index_766 or transparency.")
    period = serializers.CharField()
    published_at = serializers.DateTimeField()
    published = PayloadSerializer(help_text="The figures as published; never replaced.")
    revisions = RevisionSerializer(many=True, help_text="Later recomputations that differed, oldest first.")


def _period(request):
    try:
        return Period.parse(request.query_params.get("period") or Period.current_month().key)
    except ValueError:
        raise ValidationError(
            {"period": [str(_("Unknown period; use 2026-05, 2026-Q2, 2026 or 2026-05-01..2026-05-20."))]}
        ) from None


def _filters(request):
    out = {}
    for name in ("agency", "sector", "procedure"):
        value = request.query_params.get(name)
        if value:
            if not (value.isascii() and value.isdigit()) or int(value) >= 2**63:  # "²" or beyond any id: no 500
                raise ValidationError({name: [str(_("Enter a number."))]})
            out[name] = int(value)
    return out


def _row(row):
    return row.as_dict()


class ReportFiguresApi(APIView):
    permission_classes = [IsOfficial]

    @extend_schema(
        operation_id="reports_figures",
        tags=["reports"],
        parameters=[PERIOD, GROUP_BY, *FILTERS],
        responses={200: ReportSerializer},
        description="Received (carried over / new by channel), resolved (early / on time / late), in "
        "progress (within time / overdue / paused), refused, stopped, supplement returns, withdrawn, not accepted, "
        "guidance slips, late receptions, returned, "
        "with the rates of QT 18.7 and the 766 measure, grouped; rows add up to the total.",
    )
    def get(self, request):
        group_by = request.query_params.get("group_by") or "agency"
        if group_by not in figures.GROUPINGS:
            raise ValidationError({"group_by": [str(_("Use agency, sector, procedure or official."))]})
        period = _period(request)
        report = figures.report(user=request.user, period=period, group_by=group_by, filters=_filters(request))
        return Response(
            {
                "period": {"key": period.key, "first": period.first, "last": period.last},
                "group_by": group_by,
                "generated_at": report.generated_at,
                "rows": [_row(r) for r in report.rows],
                "total": _row(report.total),
            }
        )


class ReportTrendApi(APIView):
    permission_classes = [IsOfficial]

    @extend_schema(
        operation_id="reports_trend",
        tags=["reports"],
        parameters=[OpenApiParameter("months", int, description="1-36, default 12 (up to this month)."), *FILTERS],
        responses={200: TrendPointSerializer(many=True)},
    )
    def get(self, request):
        try:
            count = int(request.query_params.get("months") or 12)
        except ValueError:
            count = 0
        if not 1 <= count <= 36:
            raise ValidationError({"months": [str(_("Between 1 and 36."))]})
        return Response(figures.trend(user=request.user, months=last_months(count), filters=_filters(request)))


class ReportBacklogApi(APIView):
    permission_classes = [IsOfficial]

    @extend_schema(
        operation_id="reports_backlog",
        tags=["reports"],
        parameters=FILTERS,
        responses={200: BacklogSerializer},
        description="Open dossiers now by QT 21 warning level.",
    )
    def get(self, request):
        return Response(figures.backlog(user=request.user, filters=_filters(request)))


class Index766Api(APIView):
    permission_classes = [IsOfficial]

    @extend_schema(
        operation_id="reports_index_766",
        tags=["reports"],
        parameters=[PERIOD],
        responses={200: AgencyIndexSerializer(many=True)},
        description="Service index per agency in the spirit of Decision 766/QĐ-TTg; null = no data.",
    )
    def get(self, request):
        rows = index766.index_766(user=request.user, period=_period(request))
        out = []
        for row in rows:
            pts = row.indicator_points()
            out.append(
                {
                    "agency": row.agency_id,
                    "name": row.name,
                    "indicators": [
                        {
                            "key": i.key,
                            "group": i.group,
                            "max_points": i.max_points,
                            "threshold": float(i.threshold),
                            "rate": row.rates.get(i.key),
                            "points": None if pts[i.key] is None else float(pts[i.key]),
                        }
                        for i in index766.INDICATORS
                    ],
                    "points": float(row.total),
                    "attainable": row.available,
                    "out_of_100": None if row.scaled is None else float(row.scaled),
                }
            )
        return Response(out)


def _changes(revision, ids):
    return [c for c in revision.changes if ids is ALL or c.get("agency") in ids]


def _late_list_json(late_list, user):
    entries = list(late_list.entries.all())
    ids = visible_agency_ids(user)
    if ids is not ALL:
        entries = [e for e in entries if e.agency_id in ids]
    shown = snapshots.shown(FigureKind.LATE_LIST, late_list.key, ids)
    revisions = [
        {
            "computed_at": revision.computed_at,
            "changes": _changes(revision, ids),
            "entries": LateEntrySerializer(
                [e for kind in LateListKind.values for e in snapshots.entries(revision.payload, kind, ids)], many=True
            ).data,
        }
        for revision in (shown.revisions if shown else [])
    ]
    return {
        "month": late_list.key,
        "computed_at": late_list.computed_at,
        "published_at": late_list.published_at,
        "entries": LateEntrySerializer(entries, many=True).data,
        "revisions": revisions,
    }


class LateListsApi(APIView):
    permission_classes = [IsOfficial]

    @extend_schema(
        operation_id="reports_late_lists",
        tags=["reports"],
        responses={200: LateListSerializer(many=True)},
        description="The published monthly late lists (AG 32.10, BN 16.9), newest first.",
    )
    def get(self, request):
        return Response([_late_list_json(item, request.user) for item in LateList.objects.all()[:24]])


class LateListApi(APIView):
    permission_classes = [IsOfficial]

    @extend_schema(operation_id="reports_late_list", tags=["reports"], responses={200: LateListSerializer})
    def get(self, request, month):
        try:
            period = Period.parse(month)
        except ValueError:
            raise Http404 from None
        late_list = LateList.objects.filter(month=period.first).first()
        if late_list is None or period.key != month:
            raise Http404
        return Response(_late_list_json(late_list, request.user))


class PublishedFiguresApi(APIView):
    permission_classes = [IsOfficial]

    @extend_schema(
        operation_id="reports_published_figures",
        tags=["reports"],
        responses={200: PublishedFiguresSerializer},
        description="A closed month's figures as published (kind: late_list, index_766 or transparency; period: "
        "2026-05) and the later recomputations that differed, each with what changed (DESIGN §8). Rows of other "
        "units are left out for a unit's officials (the transparency page's figures are public).",
    )
    def get(self, request, kind, period):
        if kind not in FigureKind.values:
            raise Http404
        ids = ALL if kind == FigureKind.TRANSPARENCY else visible_agency_ids(request.user)
        shown = snapshots.shown(kind, period, ids)
        if shown is None or shown.snapshot.period != period:
            raise Http404
        return Response(
            {
                "kind": kind,
                "period": period,
                "published_at": shown.snapshot.published_at,
                "published": snapshots.scoped(shown.snapshot.payload, ids),
                "revisions": [
                    {
                        "computed_at": revision.computed_at,
                        "changes": _changes(revision, ids),
                        "figures": snapshots.scoped(revision.payload, ids),
                    }
                    for revision in shown.revisions
                ],
            }
        )


urlpatterns = [
    path("figures/", ReportFiguresApi.as_view(), name="figures"),
    path("trend/", ReportTrendApi.as_view(), name="trend"),
    path("backlog/", ReportBacklogApi.as_view(), name="backlog"),
    path("index-766/", Index766Api.as_view(), name="index766"),
    path("late-lists/", LateListsApi.as_view(), name="late-lists"),
    path("late-lists/<str:month>/", LateListApi.as_view(), name="late-list"),
    path("published/<str:kind>/<str:period>/", PublishedFiguresApi.as_view(), name="published"),
]
