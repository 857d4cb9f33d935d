"""``GET /api/v1/lookup/{code}/``: the public status lookup (AG 12) for partner apps, kiosks and Zalo bots.

Same answer as the ``/tra-cuu/`` page (:func:`portal.lookup.limited_lookup`),
same per-client rate limit (scope ``lookup``) and global anomaly limit, no authentication; the applicant's
name is masked unless ``t`` (the QR token) or ``last4`` (the last 4 digits of the ID number or phone) match.
"""

from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiParameter,
    OpenApiResponse,
    PolymorphicProxySerializer,
    extend_schema,
)
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from portal.core.ratelimit import message as too_many_message
from portal.lookup import limited_lookup


class RouteStepSerializer(serializers.Serializer):
    step = serializers.CharField(help_text="Name of the process step (phòng, ban / bước xử lý).")
    agency = serializers.CharField(help_text="Agency handling the step.")


class LookupSerializer(serializers.Serializer):
    """AG 12.1: a received dossier."""

    code = serializers.CharField(help_text="Dossier code (mã số hồ sơ).")
    qr = serializers.CharField(help_text="QR code of the public lookup link, as an SVG data URI.")
    agency = serializers.CharField(help_text="Receiving agency.")
    route = RouteStepSerializer(many=True, help_text="Every step of the processing route, in order.")
    organisation_name = serializers.CharField(allow_null=True, help_text="Organisation filing the dossier, if any.")
    applicant_name = serializers.CharField(
        help_text="Applicant's name: in full with a matching `t` or `last4`, else masked (family name and initials)."
    )
    name_masked = serializers.BooleanField(help_text="Whether `applicant_name` is masked.")
    received_at = serializers.DateTimeField(help_text="Reception date and time.")
    appointment_at = serializers.DateTimeField(allow_null=True, help_text="Appointment to return the result.")
    status = serializers.IntegerField(help_text="Status code 1–10 (national portal numbering).")
    status_text = serializers.CharField(help_text="The status in plain words.")


class LookupReducedSerializer(serializers.Serializer):
    """AG 12.2: an online dossier not accepted yet."""

    code = serializers.CharField()
    qr = serializers.CharField()
    agency = serializers.CharField()
    applicant_name = serializers.CharField(
        help_text="Applicant's name: in full with a matching `t` or `last4`, else masked (family name and initials)."
    )
    name_masked = serializers.BooleanField(help_text="Whether `applicant_name` is masked.")
    submitted_at = serializers.DateTimeField(help_text="Online submission date and time.")


class LookupErrorSerializer(serializers.Serializer):
    detail = serializers.CharField()
    code = serializers.CharField(required=False)


def not_found_body():
    return {
        "detail": _("No dossier was found with this code. Check the code printed on your receipt."),
        "code": "not_found",
    }


@method_decorator(never_cache, name="dispatch")
class LookupApi(APIView):
    authentication_classes = []
    permission_classes = [AllowAny]

    @extend_schema(
        operation_id="lookup_dossier",
        summary="Look up a dossier's status by its code (public)",
        description=(
            "No sign-in. Shows exactly what AG 12.1 allows for a received dossier, and only code, agency, "
            "applicant name and submission date for an online dossier not accepted yet (AG 12.2). An unknown "
            "code answers 404 with the same body as any code that cannot be shown. The code alone shows the "
            'applicant\'s name masked (family name in full, other names as initials: "Nguyễn V. A."); the full '
            "name needs the dossier's lookup token `t` from its QR link, or `last4`, the last 4 digits of the "
            "applicant's ID number or phone. Wrong digits answer like the code alone and count against the rate "
            "limit. Rate-limited per client (shared with the /tra-cuu/ page), plus a global limit on typed codes "
            "while many distinct codes come from many addresses: excess requests get 429 with Retry-After. A "
            "matching token is never counted."
        ),
        tags=["lookup"],
        auth=[],
        parameters=[
            OpenApiParameter("code", str, OpenApiParameter.PATH, description="Dossier code."),
            OpenApiParameter(
                "t",
                str,
                OpenApiParameter.QUERY,
                required=False,
                description="Lookup token from the dossier's QR link (32 hexadecimal characters).",
            ),
            OpenApiParameter(
                "last4",
                str,
                OpenApiParameter.QUERY,
                required=False,
                pattern="^[0-9]{4}$",
                description="Last 4 digits of the applicant's ID number or phone: shows the full name.",
            ),
        ],
        responses={
            200: PolymorphicProxySerializer(
                component_name="LookupResult",
                serializers=[LookupSerializer, LookupReducedSerializer],
                resource_type_field_name=None,
            ),
            404: OpenApiResponse(
                LookupErrorSerializer,
                description="No dossier to show for this code.",
                examples=[
                    OpenApiExample(
                        "not found",
                        value={
                            "detail": "No dossier was found with this code. Check the code printed on your receipt.",
                            "code": "not_found",
                        },
                    )
                ],
            ),
            429: OpenApiResponse(
                LookupErrorSerializer,
                description="Too many lookups from this client, or from everyone during an enumeration; see the "
                "Retry-After header.",
            ),
        },
    )
    def get(self, request, code):
        params = request.query_params
        result, retry_after = limited_lookup(request, code, params.get("t", ""), params.get("last4", ""))
        if retry_after:
            return Response(
                {"detail": too_many_message(retry_after), "code": "throttled"},
                status=status.HTTP_429_TOO_MANY_REQUESTS,
                headers={"Retry-After": str(retry_after)},
            )
        if result is None:
            return Response(not_found_body(), status=status.HTTP_404_NOT_FOUND)
        serializer = LookupSerializer if "route" in result else LookupReducedSerializer
        return Response(serializer(result).data)
