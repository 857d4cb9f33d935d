"""Public feedback and rating endpoints under /api/v1/ (namespace ``feedback_api``).

Thin views: input serializers check shape and size, services apply the rules,
domain errors become ``{"detail", "code"}`` with their HTTP status through the
project's one exception handler. Writes and lookups are rate-limited per
client IP (:mod:`portal.core.ratelimit`, scopes ``feedback``, ``rating``, ``lookup``).
"""

from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import serializers, status
from rest_framework.generics import ListAPIView
from rest_framework.pagination import PageNumberPagination
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from catalog.models import Agency
from feedback import ratings, selectors, services
from feedback.models import Feedback, FeedbackCategory, Satisfaction
from feedback.services import MAX_CONTENT
from portal.core.ratelimit import ratelimit


class FeedbackErrorSerializer(serializers.Serializer):
    detail = serializers.CharField()
    code = serializers.CharField(required=False)


ERRORS = {
    400: OpenApiResponse(description="Malformed or oversized input; the body names each offending field."),
    429: OpenApiResponse(FeedbackErrorSerializer, description="Too many requests from this client; see Retry-After."),
}


class StrictSerializer(serializers.Serializer):
    """Refuses unknown fields, so a malformed post is not half-accepted."""

    def validate(self, attrs):
        unknown = set(getattr(self, "initial_data", {}) or {}) - set(self.fields)
        if unknown:
            raise serializers.ValidationError({name: [_("Unknown field.")] for name in sorted(unknown)})
        return attrs


# --- feedback ---------------------------------------------------------------------------------------------


class FeedbackSubmitSerializer(StrictSerializer):
    sender_name = serializers.CharField(max_length=255)
    sender_email = serializers.EmailField(max_length=254, required=False, allow_blank=True, default="")
    sender_phone = serializers.RegexField(
        r"^[0-9 +().-]{6,20}$", max_length=20, required=False, allow_blank=True, default=""
    )
    sender_address = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")
    subject = serializers.CharField(max_length=255)
    content = serializers.CharField(max_length=MAX_CONTENT)
    dossier_code = serializers.CharField(max_length=40, required=False, allow_blank=True, default="")
    agency = serializers.SlugRelatedField(
        slug_field="code",
        queryset=Agency.objects.active(),
        required=False,
        allow_null=True,
        default=None,
        help_text="Identifier code of the agency concerned, if known.",
    )


class FeedbackReceiptSerializer(serializers.Serializer):
    tracking_code = serializers.CharField(help_text="Keep it to follow the feedback.")
    status = serializers.CharField()
    received_at = serializers.DateTimeField()
    due_at = serializers.DateTimeField(help_text="Answer due (15 working days, 10 in Thái Nguyên).")


class FeedbackUpdateSerializer(serializers.Serializer):
    at = serializers.DateTimeField()
    action = serializers.CharField()
    text = serializers.CharField(allow_blank=True)


class FeedbackLookupSerializer(serializers.Serializer):
    tracking_code = serializers.CharField()
    subject = serializers.CharField()
    status = serializers.CharField()
    status_text = serializers.CharField()
    received_at = serializers.DateTimeField()
    due_at = serializers.DateTimeField()
    agency = serializers.CharField(allow_blank=True)
    answer = serializers.CharField(allow_blank=True)
    answered_at = serializers.DateTimeField(allow_null=True)
    rejection_reason = serializers.CharField(allow_blank=True)
    updates = FeedbackUpdateSerializer(many=True, help_text="Every step the sender may see, progress updates included.")


@method_decorator(never_cache, name="dispatch")
class FeedbackSubmitApi(APIView):
    authentication_classes = []
    permission_classes = [AllowAny]

    @extend_schema(
        operation_id="feedback_submit",
        tags=["feedback"],
        request=FeedbackSubmitSerializer,
        summary="Send feedback or a proposal on administrative procedures (public)",
        description="Feedback on rules and on how officials handle procedures (QT 26.1). Complaints and "
        "denunciations are not accepted here (QT 26.2). An e-mail or a phone number is required.",
        responses={201: FeedbackReceiptSerializer, **ERRORS},
    )
    @ratelimit("feedback")
    def post(self, request):
        serializer = FeedbackSubmitSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        feedback = services.feedback_submit(
            sender=services.Sender(
                data["sender_name"], data["sender_email"], data["sender_phone"], data["sender_address"]
            ),
            subject=data["subject"],
            content=data["content"],
            dossier_code=data["dossier_code"],
            agency=data["agency"],
        )
        return Response(FeedbackReceiptSerializer(feedback).data, status=status.HTTP_201_CREATED)


@method_decorator(never_cache, name="dispatch")
class FeedbackLookupApi(APIView):
    authentication_classes = []
    permission_classes = [AllowAny]

    @extend_schema(
        operation_id="feedback_lookup",
        tags=["feedback"],
        summary="Follow a feedback by its tracking code (public)",
        description="State, progress updates and the answer; never the sender's personal data.",
        responses={200: FeedbackLookupSerializer, 404: FeedbackErrorSerializer, 429: ERRORS[429]},
    )
    @ratelimit("lookup")
    def get(self, request, code):
        result = selectors.feedback_lookup(code)
        if result is None:
            return Response(
                {"detail": _("No feedback was found with this tracking code."), "code": "not_found"},
                status=status.HTTP_404_NOT_FOUND,
            )
        return Response(FeedbackLookupSerializer(result).data)


class PublicAnswerSerializer(serializers.ModelSerializer):
    subject = serializers.CharField(source="public_subject")
    content = serializers.CharField(source="public_content", help_text="Summary without personal data.")
    agency = serializers.CharField(source="agency.name")
    category = serializers.CharField(source="category.name", allow_null=True, default=None)

    class Meta:
        model = Feedback
        fields = ["tracking_code", "subject", "content", "answer", "agency", "category", "answered_at", "published_at"]


class AnswersPagination(PageNumberPagination):
    page_size = 20
    page_size_query_param = "page_size"
    max_page_size = 100


@extend_schema_view(
    get=extend_schema(
        operation_id="feedback_answers",
        tags=["feedback"],
        summary="Published answers (public)",
        parameters=[
            OpenApiParameter("agency", int, description="Agency id"),
            OpenApiParameter("category", int, description="Category id"),
            OpenApiParameter("q", str, description="Words in the subject, summary or answer"),
        ],
    )
)
class PublicAnswersApi(ListAPIView):
    authentication_classes = []
    permission_classes = [AllowAny]
    serializer_class = PublicAnswerSerializer
    pagination_class = AnswersPagination

    def get_queryset(self):
        params = self.request.query_params

        def as_id(name):
            value = params.get(name, "")
            if not (value.isascii() and value.isdigit()):  # int("²") would raise
                return None
            return int(value) if int(value) < 2**63 else 0  # beyond any database id: matches nothing (no 500)

        return selectors.feedback_public_answers(
            agency_id=as_id("agency"), category_id=as_id("category"), q=params.get("q", "")[:100]
        )


class CategorySerializer(serializers.ModelSerializer):
    class Meta:
        model = FeedbackCategory
        fields = ["id", "name", "description"]


@extend_schema_view(
    get=extend_schema(operation_id="feedback_categories", tags=["feedback"], summary="Feedback categories (public)")
)
class CategoriesApi(ListAPIView):
    authentication_classes = []
    permission_classes = [AllowAny]
    serializer_class = CategorySerializer
    pagination_class = None
    queryset = FeedbackCategory.objects.filter(is_active=True)


# --- ratings ----------------------------------------------------------------------------------------------


def _level():
    return serializers.IntegerField(
        min_value=min(Satisfaction.values),
        max_value=max(Satisfaction.values),
        help_text="4 very satisfied, 3 satisfied, 2 unsatisfied, 1 very unsatisfied",
    )


class RatingSubmitSerializer(StrictSerializer):
    dossier_code = serializers.CharField(max_length=40)
    secret = serializers.CharField(
        max_length=64,
        required=False,
        allow_blank=True,
        default="",
        help_text="The rating secret sent with the result. Not needed when the signed-in "
        "applicant rates their own dossier.",
    )
    overall = _level()
    guidance = _level()
    attitude = _level()
    on_time = _level()
    result = _level()
    cost = _level()
    comment = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


class RatingReceiptSerializer(serializers.Serializer):
    dossier_code = serializers.CharField()
    overall = serializers.IntegerField()
    created_at = serializers.DateTimeField()


@method_decorator(never_cache, name="dispatch")
class RatingSubmitApi(APIView):
    permission_classes = [AllowAny]

    @extend_schema(
        operation_id="rating_submit",
        tags=["ratings"],
        request=RatingSubmitSerializer,
        summary="Rate a finished dossier (once per dossier code)",
        description="QT 24.1. After status 9 or 10. With the dossier code and the secret sent with the result, or "
        "signed in as the dossier's applicant. A wrong secret and an unknown code get the same 403; a "
        "second rating gets 409 and the first is kept.",
        responses={201: RatingReceiptSerializer, 403: FeedbackErrorSerializer, 409: FeedbackErrorSerializer, **ERRORS},
    )
    @ratelimit("rating")
    def post(self, request):
        serializer = RatingSubmitSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        rating = ratings.rating_submit(
            dossier_code=data["dossier_code"],
            secret=data["secret"] or None,
            user=request.user if request.user.is_authenticated else None,
            scores=ratings.Scores(
                **{k: data[k] for k in ("overall", "guidance", "attitude", "on_time", "result", "cost", "comment")}
            ),
        )
        return Response(RatingReceiptSerializer(rating).data, status=status.HTTP_201_CREATED)


class CriterionShareSerializer(serializers.Serializer):
    criterion = serializers.CharField()
    share_satisfied = serializers.FloatField(allow_null=True)


class AgencyStatsSerializer(serializers.Serializer):
    agency_id = serializers.IntegerField()
    agency = serializers.CharField(source="agency__name")
    count = serializers.IntegerField()
    satisfied = serializers.IntegerField()
    share_satisfied = serializers.FloatField(source="share", allow_null=True, help_text="Percent, one decimal.")
    criteria = serializers.SerializerMethodField()

    def get_criteria(self, row) -> list[dict]:
        return [{"criterion": str(label), "share_satisfied": share} for label, share in row["criteria"]]


class OfficialStatsSerializer(serializers.Serializer):
    official_id = serializers.IntegerField(source="user_id")
    name = serializers.CharField()
    agency = serializers.CharField()
    count = serializers.IntegerField()
    satisfied = serializers.IntegerField()
    share_satisfied = serializers.FloatField(source="share", allow_null=True)


class RatingStatsSerializer(serializers.Serializer):
    agencies = AgencyStatsSerializer(many=True)
    officials = OfficialStatsSerializer(many=True)


class RatingStatsApi(APIView):
    authentication_classes = []
    permission_classes = [AllowAny]

    @extend_schema(
        operation_id="rating_stats",
        tags=["ratings"],
        responses={200: RatingStatsSerializer},
        summary="Satisfaction results per agency and per official (public)",
    )
    def get(self, request):
        return Response(
            RatingStatsSerializer(
                {"agencies": selectors.rating_stats_by_agency(), "officials": selectors.rating_stats_by_official()}
            ).data
        )
