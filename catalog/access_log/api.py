"""GET /api/v1/access-statistics/: the citizen-data access statistics, read-only (BN 7.4; DESIGN 9-10).

For the police role, supervisors and the system admin (the same rule as the admin screen,
:func:`catalog.access_log.services.can_read_access_statistics`); everyone else gets 403. Only aggregated figures: the
entries themselves (who read which dossier) are not in the API.
"""

from datetime import timedelta

from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from catalog.access_log.services import PERIODS, access_statistics, can_read_access_statistics

app_name = "access_api"


class QuerySerializer(serializers.Serializer):
    since = serializers.DateField(required=False, help_text="First day (local date), default: 29 days ago.")
    until = serializers.DateField(required=False, help_text="Last day (local date, inclusive), default: today.")
    period = serializers.ChoiceField(choices=PERIODS, required=False, default="day")

    def validate(self, attrs):
        if attrs.get("since") and attrs.get("until") and attrs["since"] > attrs["until"]:
            raise ValidationError({"since": [str(_("The start date is after the end date."))]})
        return attrs


class UnitRowSerializer(serializers.Serializer):
    agency = serializers.IntegerField(source="agency_id", allow_null=True, help_text="null: accounts without a unit.")
    agency_name = serializers.CharField(source="agency__name", allow_null=True)
    count = serializers.IntegerField()
    officials = serializers.IntegerField(help_text="Distinct officials.")


class PeriodRowSerializer(serializers.Serializer):
    period = serializers.DateField(help_text="The day, or the first day of the month.")
    count = serializers.IntegerField()
    officials = serializers.IntegerField()


class KindRowSerializer(serializers.Serializer):
    kind = serializers.CharField()
    label = serializers.CharField()
    count = serializers.IntegerField()
    officials = serializers.IntegerField()


class AccessStatisticsSerializer(serializers.Serializer):
    since = serializers.DateField()
    until = serializers.DateField()
    period = serializers.ChoiceField(choices=PERIODS)
    total = serializers.IntegerField(help_text="Views of citizens' personal data by officials.")
    officials = serializers.IntegerField(help_text="Distinct officials who viewed.")
    by_unit = UnitRowSerializer(many=True)
    by_period = PeriodRowSerializer(many=True)
    by_kind = KindRowSerializer(many=True)


class AccessErrorSerializer(serializers.Serializer):
    detail = serializers.CharField()


class AccessStatisticsApi(APIView):
    @extend_schema(
        operation_id="access_statistics",
        tags=["access log"],
        summary="Citizen-data access statistics (police, supervisors)",
        description="How many times officials viewed citizens' personal data (dossier details, documents, slips, "
        "feedback, accounts), per unit, per day or month and per kind, with the number of officials. "
        "Aggregates only (BN 7.4).",
        parameters=[
            OpenApiParameter("since", str, description="YYYY-MM-DD"),
            OpenApiParameter("until", str, description="YYYY-MM-DD"),
            OpenApiParameter("period", str, enum=list(PERIODS)),
        ],
        responses={
            200: AccessStatisticsSerializer,
            400: OpenApiResponse(description="Invalid parameter (field errors)."),
            403: OpenApiResponse(AccessErrorSerializer, description="Not signed in, or not allowed."),
        },
    )
    def get(self, request):
        if not can_read_access_statistics(request.user):
            raise PermissionDenied()
        query = QuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        today = timezone.localdate()
        since = query.validated_data.get("since") or today - timedelta(days=29)
        until = query.validated_data.get("until") or max(today, since)
        period = query.validated_data["period"]
        figures = access_statistics(user=request.user, since=since, until=until, period=period)
        return Response(
            AccessStatisticsSerializer(
                {
                    "since": since,
                    "until": until,
                    "period": period,
                    "total": figures.total,
                    "officials": figures.officials,
                    "by_unit": figures.by_unit,
                    "by_period": figures.by_period,
                    "by_kind": figures.by_kind,
                }
            ).data
        )


urlpatterns = [path("access-statistics/", AccessStatisticsApi.as_view(), name="statistics")]
