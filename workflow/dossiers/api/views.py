"""The dossier API for officials and partner systems (DESIGN 9): one thin view per operation.

Reads go through :mod:`workflow.dossiers.selectors` (scoped by
``Dossier.objects.visible_to``: a dossier the caller may not see is a 404,
exactly like one that does not exist); writes call one
:mod:`workflow.dossiers.services` function each. Domain errors become HTTP in
:mod:`portal.core.api`.
"""

from django.http import FileResponse, Http404
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import generics, status
from rest_framework.pagination import PageNumberPagination
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from catalog.access_log.services import record_access
from catalog.models import AccessKind
from workflow.dossiers import selectors, services
from workflow.dossiers.api import serializers as s
from workflow.dossiers.api.filters import DossierFilter
from workflow.dossiers.api.permissions import IsOfficial
from workflow.dossiers.services import Applicant, Upload
from workflow.errors import InvalidInput
from workflow.models import DocumentKind, Dossier

# --- documentation of the answers --------------------------------------------------------

ERROR = s.ErrorSerializer
VALIDATION_ERROR = OpenApiResponse(
    {
        "type": "object",
        "description": "Field errors ({field: [messages]}) or a domain error ({detail, code}).",
        "additionalProperties": True,
    },
    description="Invalid input, or the action refused by a rule (code InvalidInput, SlipRequired ...).",
    examples=[
        OpenApiExample("field error", value={"revision": ["This field is required."]}),
        OpenApiExample(
            "domain error", value={"detail": "This action must carry its slip file (QT 15.3).", "code": "SlipRequired"}
        ),
    ],
)
FORBIDDEN = OpenApiResponse(ERROR, description="Not signed in as an official, or not allowed to do this now.")
NOT_FOUND = OpenApiResponse(ERROR, description="No such dossier, or not one the caller may see.")
CONFLICT = OpenApiResponse(
    ERROR,
    description="Stale revision (ConcurrentChange) or not possible in the dossier's state (InvalidState).",
    examples=[
        OpenApiExample(
            "stale revision",
            value={
                "detail": "Someone else acted on this dossier a moment ago. Reload it to see the change; nothing was saved.",  # noqa: E501
                "code": "ConcurrentChange",
            },
        )
    ],
)
FILTER_ERRORS = OpenApiResponse(
    {"type": "object", "additionalProperties": {"type": "array", "items": {"type": "string"}}},
    description="A filter value is invalid; the body names each offending parameter.",
    examples=[
        OpenApiExample("invalid filter", value={"warning": ["Unknown warning “late”; use overdue, due_soon or ok."]})
    ],
)
ACTION_RESPONSES = {
    200: s.DossierDetailSerializer,
    400: VALIDATION_ERROR,
    403: FORBIDDEN,
    404: NOT_FOUND,
    409: CONFLICT,
}
DOSSIER_ID = OpenApiParameter("id", int, OpenApiParameter.PATH, description="Dossier id.")


# --- shared pieces -------------------------------------------------------------------------


class DossierPagination(PageNumberPagination):
    page_size_query_param = "page_size"
    max_page_size = 100


class DossierApi(APIView):
    permission_classes = [IsOfficial]

    @cached_property
    def thresholds(self):
        """Now and now + one working day, computed once per request (QT 21 warnings)."""
        return selectors.WarningThresholds.at()

    def detail_response(self, dossier_id, status_code=status.HTTP_200_OK, headers=None):
        dossier = selectors.dossier_get(user=self.request.user, dossier_id=dossier_id, thresholds=self.thresholds)
        allowed = selectors.dossier_allowed_actions(dossier, self.request.user, now=self.thresholds.now)
        serializer = s.DossierDetailSerializer(
            dossier,
            context={"request": self.request, "now": self.thresholds.now, "allowed_actions": allowed},
        )
        data = serializer.data
        # Every answer carrying the dossier in full is a read of the applicant's data (DESIGN 10).
        record_access(self.request, AccessKind.API_DOSSIER_DETAIL, dossier=dossier)
        return Response(data, status=status_code, headers=headers)


def _upload(file, kind=DocumentKind.SUBMITTED):
    return Upload(name=file.name, content=file, kind=kind)


def _slip(dossier, data, slip_kind, **extra):
    """The attached slip, or one filled by :func:`workflow.slips.slip_upload`, or none (the service then refuses)."""
    if data.get("slip"):
        return [_upload(data["slip"], DocumentKind.SLIP)]
    if not data.get("generate_slip"):
        return []
    try:
        from workflow.slips import slip_upload
    except ImportError:
        raise InvalidInput(_("Slips cannot be generated here yet; attach the slip file.")) from None
    upload = slip_upload(dossier, slip_kind, **extra)
    upload.kind = DocumentKind.SLIP
    return [upload]


# --- reads -------------------------------------------------------------------------------


@extend_schema_view(
    get=extend_schema(
        operation_id="dossier_list",
        summary="Dossiers the caller may see",
        description=(
            "Newest received first, paginated. Each row carries its deadline warning (QT 21), computed in the "
            "database from the working calendar."
        ),
        responses={200: s.DossierListSerializer(many=True), 400: FILTER_ERRORS, 403: FORBIDDEN, 404: NOT_FOUND},
    )
)
class DossierListApi(DossierApi, generics.ListAPIView):
    serializer_class = s.DossierListSerializer
    pagination_class = DossierPagination
    filterset_class = DossierFilter
    queryset = Dossier.objects.none()  # schema introspection; see get_queryset

    def get_queryset(self):
        return selectors.dossier_list(user=self.request.user, thresholds=self.thresholds)


class DossierDetailApi(DossierApi):
    @extend_schema(
        operation_id="dossier_retrieve",
        summary="One dossier in full, with what the caller may do now",
        parameters=[DOSSIER_ID],
        responses={200: s.DossierDetailSerializer, 403: FORBIDDEN, 404: NOT_FOUND},
    )
    def get(self, request, pk):
        return self.detail_response(pk)


class DossierDocumentApi(DossierApi):
    @extend_schema(
        operation_id="dossier_document_download",
        summary="Download a document of the dossier",
        parameters=[DOSSIER_ID, OpenApiParameter("document_id", int, OpenApiParameter.PATH)],
        responses={(200, "application/octet-stream"): OpenApiTypes.BINARY, 403: FORBIDDEN, 404: NOT_FOUND},
    )
    def get(self, request, pk, document_id):
        document = selectors.dossier_document_get(user=request.user, dossier_id=pk, document_id=document_id)
        try:
            handle = document.file.open("rb")
        except (FileNotFoundError, ValueError):
            raise Http404 from None
        record_access(request, AccessKind.API_DOCUMENT_DOWNLOAD, dossier=document.dossier, object_id=document.pk)
        return FileResponse(handle, as_attachment=True, filename=document.name)


# --- actions -------------------------------------------------------------------------------


class DossierActionApi(DossierApi):
    """POST /dossiers/{id}/<action>/: check visibility (404), validate the input (400), call the service."""

    parser_classes = [JSONParser, MultiPartParser, FormParser]
    input_serializer = s.ActionInputSerializer

    def post(self, request, pk):
        dossier = selectors.dossier_visible_get(user=request.user, dossier_id=pk)
        serializer = self.input_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        self.perform(dossier, request.user, serializer.validated_data)
        return self.detail_response(dossier.pk)

    def perform(self, dossier, actor, data):
        raise NotImplementedError


ACTION_DESCRIPTION = (
    "Send the `revision` read from the dossier (a stale one is refused with 409 ConcurrentChange). "
    "Files go as multipart/form-data. Answers with the dossier as it is now."
)


def action_schema(name, summary, input_serializer, description=""):
    return extend_schema_view(
        post=extend_schema(
            operation_id=f"dossier_{name}",
            summary=summary,
            description=f"{description} {ACTION_DESCRIPTION}".strip(),
            parameters=[DOSSIER_ID],
            request={
                "application/json": input_serializer,
                "multipart/form-data": input_serializer,
            },
            responses=ACTION_RESPONSES,
        )
    )


@action_schema("receive", "Receive an online dossier (1 → 2)", s.ReceiveInputSerializer)
class ReceiveApi(DossierActionApi):
    input_serializer = s.ReceiveInputSerializer

    def perform(self, dossier, actor, data):
        services.dossier_receive_online(
            actor=actor, dossier_id=dossier.pk, revision=data["revision"], comment=data["comment"]
        )


@action_schema("guide", "Answer an online dossier with a guidance slip (1 → 5)", s.GuideInputSerializer)
class GuideApi(DossierActionApi):
    input_serializer = s.GuideInputSerializer

    def perform(self, dossier, actor, data):
        files = [_upload(data["slip"], DocumentKind.SLIP)] if data.get("slip") else []
        services.dossier_guide(
            actor=actor, dossier_id=dossier.pk, revision=data["revision"], comment=data["comment"], files=files
        )


@action_schema(
    "refuse_reception",
    "Refuse reception, with the refusal slip (→ 3)",
    s.RefuseReceptionInputSerializer,
    "The slip is required (QT 15.3): attach it as `slip`, or send `generate_slip: true`.",
)
class RefuseReceptionApi(DossierActionApi):
    input_serializer = s.RefuseReceptionInputSerializer

    def perform(self, dossier, actor, data):
        files = _slip(dossier, data, "refusal", reason=data["reason"])
        services.dossier_refuse_reception(
            actor=actor, dossier_id=dossier.pk, revision=data["revision"], reason=data["reason"], files=files
        )


@action_schema("forward", "Forward to a later step, its group or one official", s.ForwardInputSerializer)
class ForwardApi(DossierActionApi):
    input_serializer = s.ForwardInputSerializer

    def perform(self, dossier, actor, data):
        services.dossier_forward(
            actor=actor,
            dossier_id=dossier.pk,
            revision=data["revision"],
            to_step_id=data.get("to_step"),
            to_holder=data.get("to_holder"),
            comment=data["comment"],
            files=[_upload(f) for f in data.get("files", [])],
        )


@action_schema("return_previous", "Return to the previous step for explanation", s.ReturnPreviousInputSerializer)
class ReturnPreviousApi(DossierActionApi):
    input_serializer = s.ReturnPreviousInputSerializer

    def perform(self, dossier, actor, data):
        services.dossier_return_previous(
            actor=actor, dossier_id=dossier.pk, revision=data["revision"], comment=data["comment"]
        )


@action_schema("handover", "Hand over to a colleague of the same unit", s.HandoverInputSerializer)
class HandoverApi(DossierActionApi):
    input_serializer = s.HandoverInputSerializer

    def perform(self, dossier, actor, data):
        services.dossier_handover(
            actor=actor,
            dossier_id=dossier.pk,
            revision=data["revision"],
            colleague=data["colleague"],
            comment=data["comment"],
        )


@action_schema(
    "request_supplement",
    "Request a supplement, with its slip (→ 5; the clock stops)",
    s.RequestSupplementInputSerializer,
    "The slip is required (QT 15.3): attach it as `slip`, or send `generate_slip: true`.",
)
class RequestSupplementApi(DossierActionApi):
    input_serializer = s.RequestSupplementInputSerializer

    def perform(self, dossier, actor, data):
        files = _slip(dossier, data, "supplement", comment=data["comment"])
        services.dossier_request_supplement(
            actor=actor, dossier_id=dossier.pk, revision=data["revision"], comment=data["comment"], files=files
        )


@action_schema("resubmit", "Record the supplementary documents brought by the applicant", s.ResubmitInputSerializer)
class ResubmitApi(DossierActionApi):
    input_serializer = s.ResubmitInputSerializer

    def perform(self, dossier, actor, data):
        services.dossier_resubmit(
            actor=actor,
            dossier_id=dossier.pk,
            revision=data["revision"],
            comment=data["comment"],
            files=[_upload(f) for f in data["files"]],
        )


@action_schema("request_payment", "Request payment of the fees due (→ 6)", s.RequestPaymentInputSerializer)
class RequestPaymentApi(DossierActionApi):
    input_serializer = s.RequestPaymentInputSerializer

    def perform(self, dossier, actor, data):
        services.dossier_request_payment(
            actor=actor,
            dossier_id=dossier.pk,
            revision=data["revision"],
            amount=data.get("amount"),
            items=[(item["fee"], item["quantity"]) for item in data.get("items", [])],
            comment=data["comment"],
        )


@action_schema("confirm_payment", "Confirm the payment (6 → 4)", s.ConfirmPaymentInputSerializer)
class ConfirmPaymentApi(DossierActionApi):
    input_serializer = s.ConfirmPaymentInputSerializer

    def perform(self, dossier, actor, data):
        files = [_upload(data["receipt"], DocumentKind.PAYMENT)] if data.get("receipt") else []
        services.dossier_confirm_payment(
            actor=actor, dossier_id=dossier.pk, revision=data["revision"], reference=data["reference"], files=files
        )


@action_schema(
    "apologize",
    "Apologise and set a new appointment, with the apology slip",
    s.ApologizeInputSerializer,
    "The slip is required (QT 15.3): attach it as `slip`, or send `generate_slip: true`. "
    "The dossier then counts as late (QT 19.1).",
)
class ApologizeApi(DossierActionApi):
    input_serializer = s.ApologizeInputSerializer

    def perform(self, dossier, actor, data):
        files = _slip(dossier, data, "apology", reason=data["reason"], new_appointment=data["new_appointment"])
        services.dossier_apologize(
            actor=actor,
            dossier_id=dossier.pk,
            revision=data["revision"],
            new_appointment=data["new_appointment"],
            reason=data["reason"],
            files=files,
        )


@action_schema("stop", "Refuse to resolve / stop processing (→ 8)", s.StopInputSerializer)
class StopApi(DossierActionApi):
    input_serializer = s.StopInputSerializer

    def perform(self, dossier, actor, data):
        services.dossier_stop(
            actor=actor,
            dossier_id=dossier.pk,
            revision=data["revision"],
            reason=data["reason"],
            files=[_upload(f, DocumentKind.SLIP) for f in data.get("files", [])],
        )


@action_schema("withdraw", "Record the applicant's withdrawal (→ 7)", s.WithdrawInputSerializer)
class WithdrawApi(DossierActionApi):
    input_serializer = s.WithdrawInputSerializer

    def perform(self, dossier, actor, data):
        services.dossier_withdraw(
            actor=actor,
            dossier_id=dossier.pk,
            revision=data["revision"],
            comment=data["comment"],
            files=[_upload(data["request_file"])],
        )


@action_schema("record_result", "Record the signed result (→ 9)", s.RecordResultInputSerializer)
class RecordResultApi(DossierActionApi):
    input_serializer = s.RecordResultInputSerializer

    def perform(self, dossier, actor, data):
        services.dossier_record_result(
            actor=actor,
            dossier_id=dossier.pk,
            revision=data["revision"],
            signer=data["signer"],
            comment=data["comment"],
            files=[_upload(data["result_file"])],
        )


@action_schema("return_result", "Return the result (→ 10)", s.ReturnResultInputSerializer)
class ReturnResultApi(DossierActionApi):
    input_serializer = s.ReturnResultInputSerializer

    def perform(self, dossier, actor, data):
        services.dossier_return_result(
            actor=actor,
            dossier_id=dossier.pk,
            revision=data["revision"],
            method=data.get("method"),
            consignment_number=data["consignment_number"],
            comment=data["comment"],
        )


#: URL segment -> view, for urls.py (segment = action name with "-" for "_").
ACTION_VIEWS = {
    "receive": ReceiveApi,
    "guide": GuideApi,
    "refuse-reception": RefuseReceptionApi,
    "forward": ForwardApi,
    "return-previous": ReturnPreviousApi,
    "handover": HandoverApi,
    "request-supplement": RequestSupplementApi,
    "resubmit": ResubmitApi,
    "request-payment": RequestPaymentApi,
    "confirm-payment": ConfirmPaymentApi,
    "apologize": ApologizeApi,
    "stop": StopApi,
    "withdraw": WithdrawApi,
    "record-result": RecordResultApi,
    "return-result": ReturnResultApi,
}


# --- entry and bulk ------------------------------------------------------------------------------


class ReceiveCounterApi(DossierApi):
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    @extend_schema(
        operation_id="dossier_receive_counter",
        summary="Receive a dossier at the counter or by post (issues the code and the appointment)",
        request={
            "application/json": s.ReceiveCounterInputSerializer,
            "multipart/form-data": s.ReceiveCounterInputSerializer,
        },
        responses={201: s.DossierDetailSerializer, 400: VALIDATION_ERROR, 403: FORBIDDEN, 409: CONFLICT},
    )
    def post(self, request):
        serializer = s.ReceiveCounterInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        dossier = services.dossier_receive_at_counter(
            actor=request.user,
            procedure=data["procedure"],
            agency=data["agency"],
            applicant=Applicant(
                name=data["applicant_name"],
                kind=data["applicant_kind"],
                id_number=data["applicant_id_number"],
                organisation=data["organisation_name"],
                address=data["applicant_address"],
                phone=data["applicant_phone"],
                email=data["applicant_email"],
            ),
            files=[_upload(f) for f in data.get("files", [])],
            channel=data["channel"],
            delivery=data["delivery"],
            delivery_address=data["delivery_address"],
            paper_dossier=data["paper_dossier"],
            comment=data["comment"],
        )
        location = reverse("workflow_api:dossier-detail", kwargs={"pk": dossier.pk})
        return self.detail_response(dossier.pk, status.HTTP_201_CREATED, headers={"Location": location})


BULK_SERVICES = {
    "forward": services.dossier_forward,
    "return-previous": services.dossier_return_previous,
}


class BulkApi(DossierApi):
    @extend_schema(
        operation_id="dossier_bulk",
        summary="Forward or return several dossiers at once (QT 17.5)",
        description="Each dossier is acted on in its own transaction; one failure does not undo the others. "
        "Each item carries the dossier's revision like a single action: a dossier changed since it was read is "
        "not acted on and is listed under `failed` (so a repeated request acts once).",
        request=s.BulkInputSerializer,
        responses={200: s.BulkResultSerializer, 400: VALIDATION_ERROR, 403: FORBIDDEN},
    )
    def post(self, request):
        serializer = s.BulkInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        outcome = services.dossiers_bulk(
            BULK_SERVICES[data["action"]],
            actor=request.user,
            items=[(item["id"], item["revision"]) for item in data["dossiers"]],
            comment=data["comment"],
        )
        failed = [{"dossier": str(code), "message": message} for code, message in outcome.failed]
        result = {"done": [dossier.code for dossier in outcome.done], "failed": failed}
        return Response(s.BulkResultSerializer(result).data)
