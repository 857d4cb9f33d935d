"""Public, read-only catalog endpoints.

Every list reads a fixed number of queries whatever the page holds: relations
are joined (select_related) or fetched once per page (prefetch_related).
"""

from django.db.models import Case, Prefetch, When
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import viewsets
from rest_framework.pagination import PageNumberPagination
from rest_framework.permissions import AllowAny

from catalog import selectors
from catalog.api import serializers as s
from catalog.api.filters import AgencyFilter, FaqFilter, ProcedureFilter
from catalog.models import Agency, AgencyLevel, FaqEntry, Procedure, ProcedureDocument
from catalog.search import fold

NOT_FOUND = OpenApiResponse(s.NotFoundSerializer, description="No such (published) item.")
PAGE_NOT_FOUND = OpenApiResponse(s.NotFoundSerializer, description="The page number is past the last page.")


def filter_errors(example_field, example_message):
    return OpenApiResponse(
        s.FILTER_ERROR_SCHEMA,
        description="A filter value is invalid; the body names each offending parameter.",
        examples=[OpenApiExample("invalid filter", value={example_field: [example_message]})],
    )


LIST_FIELDS = [
    "national_code",
    "name",
    "level",
    "online_level",
    "processing_time",
    "processing_time_unit",
    "status",
    "sector__code",
    "sector__name",
]
AGENCY_BRIEF_FIELDS = ["code", "name", "short_name", "level"]


class CatalogPagination(PageNumberPagination):
    page_size_query_param = "page_size"
    max_page_size = 100


class CatalogViewSet(viewsets.ReadOnlyModelViewSet):
    permission_classes = [AllowAny]
    pagination_class = CatalogPagination
    lookup_value_regex = r"[^/]+"  # national codes contain dots

    def filter_queryset(self, queryset):
        # Filters belong to the list; a detail URL ignores the query string.
        if self.action != "list":
            return queryset
        return super().filter_queryset(queryset)


@extend_schema_view(
    list=extend_schema(
        summary="Search and filter procedures",
        description=(
            "Published (not abolished) procedures: ordered by national code, or by relevance when `q` is given."
        ),
        parameters=[
            OpenApiParameter(
                "q",
                str,
                description=(
                    "Words to find in the national code or name, ignoring case and Vietnamese diacritics "
                    "(“cap giay phep xay dung” finds “Cấp giấy phép xây dựng”, “dang ky” finds “Đăng ký”), "
                    "tolerating typos and run-together words (“giay fep xay dung”, “lylichtuphap”). Results are "
                    "ordered by relevance: the exact code first, then names containing the whole phrase, then "
                    "every word, then close matches."
                ),
                examples=[
                    OpenApiExample("without diacritics", value="cap giay phep xay dung"),
                    OpenApiExample("with diacritics", value="Đăng ký hộ kinh doanh"),
                ],
            ),
        ],
        responses={
            200: s.ProcedureListSerializer(many=True),
            400: filter_errors("level", "Unknown level “galaxy”; use province or commune."),
            404: PAGE_NOT_FOUND,
        },
    ),
    retrieve=extend_schema(
        summary="One procedure in full",
        parameters=[OpenApiParameter("national_code", str, OpenApiParameter.PATH, description="e.g. 1.001612")],
        responses={200: s.ProcedureDetailSerializer, 404: NOT_FOUND},
    ),
)
class ProcedureViewSet(CatalogViewSet):
    lookup_field = "national_code"
    filterset_class = ProcedureFilter
    queryset = Procedure.objects.none()  # for schema introspection; see get_queryset

    def get_queryset(self):
        if self.action == "retrieve":
            return (
                Procedure.objects.published()
                .select_related("sector")
                .prefetch_related(
                    "agencies",
                    "fees",
                    Prefetch("documents", queryset=ProcedureDocument.objects.select_related("template")),
                )
            )
        # The list shows a few columns; leave the long texts (steps, legal basis ...) in the database.
        return (
            selectors.procedure_list()
            .only(*LIST_FIELDS)
            .prefetch_related(None)
            .prefetch_related(Prefetch("agencies", queryset=Agency.objects.only(*AGENCY_BRIEF_FIELDS)))
        )

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        query = self.request.query_params.get("q", "") if self.action == "list" else ""
        # A search lists by relevance (catalog.search); the filters above have already validated ``q``.
        return queryset.ranked(query) if fold(query) and hasattr(queryset, "ranked") else queryset

    def get_serializer_class(self):
        if self.action == "retrieve":
            return s.ProcedureDetailSerializer
        return s.ProcedureListSerializer


@extend_schema_view(
    list=extend_schema(
        summary="Active agencies",
        responses={
            200: s.AgencySerializer(many=True),
            400: filter_errors("level", "Unknown level “galaxy”; use province or commune."),
            404: PAGE_NOT_FOUND,
        },
    ),
    retrieve=extend_schema(
        summary="One agency",
        parameters=[OpenApiParameter("code", str, OpenApiParameter.PATH, description="e.g. 000.00.15.H12")],
        responses={200: s.AgencySerializer, 404: NOT_FOUND},
    ),
)
class AgencyViewSet(CatalogViewSet):
    lookup_field = "code"
    filterset_class = AgencyFilter
    serializer_class = s.AgencySerializer
    # Provincial agencies first, as in the public directory.
    queryset = (
        Agency.objects.active()
        .select_related("parent")
        .alias(level_rank=Case(When(level=AgencyLevel.PROVINCE, then=0), default=1))
        .order_by("level_rank", "name", "code")
    )


@extend_schema_view(
    list=extend_schema(
        summary="Sectors with their number of published procedures",
        responses={200: s.SectorSerializer(many=True), 404: PAGE_NOT_FOUND},
    ),
    retrieve=extend_schema(
        summary="One sector",
        parameters=[OpenApiParameter("code", str, OpenApiParameter.PATH, description="Sector code")],
        responses={200: s.SectorSerializer, 404: NOT_FOUND},
    ),
)
class SectorViewSet(CatalogViewSet):
    lookup_field = "code"
    serializer_class = s.SectorSerializer
    filter_backends = []

    def get_queryset(self):
        return selectors.sector_list_with_counts().order_by("name", "code")


@extend_schema_view(
    list=extend_schema(
        summary="Published FAQ entries",
        responses={
            200: s.FaqEntrySerializer(many=True),
            400: filter_errors("sector", "Unknown sector code “NOPE”."),
            404: PAGE_NOT_FOUND,
        },
    ),
    retrieve=extend_schema(summary="One published FAQ entry", responses={200: s.FaqEntrySerializer, 404: NOT_FOUND}),
)
class FaqViewSet(CatalogViewSet):
    filterset_class = FaqFilter
    serializer_class = s.FaqEntrySerializer
    lookup_value_regex = r"[0-9]+"
    queryset = FaqEntry.objects.filter(is_published=True).select_related("sector", "procedure")
