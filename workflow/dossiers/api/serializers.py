"""Small input and output serializers of the dossier API.

Output: one list row, one detail (with step timers, events and documents).
Input: one serializer per action; each carries ``revision`` (the dossier's
revision the caller saw; a stale one is refused with 409) and, where the
service records it, ``comment``.

Field names follow the model, so the national portal packet (DESIGN 9) can be
filled without guessing: ``code`` → MaHoSo, ``procedure.code`` → MaTTHC,
``procedure.sector.code`` → MaLinhVuc, ``channel`` → KenhThucHien,
``applicant_*`` → ChuHoSo / LoaiDoiTuong / SoGiayToChuHoSo, ``received_at`` →
NgayTiepNhan, ``appointment_at`` → NgayHenTra, ``status`` → TrangThaiHoSo,
``returned_at`` → NgayTra, ``current_agency`` → DonViXuLy, ``documents`` →
TaiLieuNop / DanhSachGiayToKetQua; each event gives NguoiXuLy, ChucDanh,
ThoiDiemXuLy, PhongBanXuLy, NoiDungXuLy and each step timer NgayBatDau and
NgayKetThucTheoQuyDinh.
"""

from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from catalog.api.schema import EnumField
from catalog.models import Agency, Procedure
from portal.core.names import display_name
from portal.core.uploads import validate_upload
from workflow.dossiers import selectors
from workflow.models import Action, ApplicantKind, Channel, Delivery, DocumentKind, Dossier, StepKind
from workflow.worktime import WarningLevel

#: The largest id a database column holds (a larger number is refused as input, not a server error).
MAX_ID = 2**63 - 1

STATUS_HELP = (
    "National portal status (TrangThaiHoSo): "
    + ", ".join(
        f"{value} {label}"
        for value, label in [
            (1, "new"),
            (2, "received"),
            (3, "not accepted"),
            (4, "processing"),
            (5, "supplement requested"),
            (6, "financial obligation requested"),
            (7, "withdrawn"),
            (8, "stopped"),
            (9, "resolved"),
            (10, "result returned"),
        ]
    )
    + "."
)


def user_name(user):
    return display_name(user) if user is not None else None


# --- small references ---------------------------------------------------------------


class SectorRefSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()


class ProcedureRefSerializer(serializers.Serializer):
    code = serializers.CharField(source="national_code", help_text="National procedure code (MaTTHC).")
    name = serializers.CharField()


class ProcedureDetailRefSerializer(ProcedureRefSerializer):
    sector = SectorRefSerializer(help_text="Sector (MaLinhVuc).")


class AgencyRefSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()


class StepRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class CurrentStepSerializer(StepRefSerializer):
    kind = EnumField("StepKindEnum", StepKind.choices)
    position = serializers.CharField(help_text="Job position that holds the step.")


class PersonSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.SerializerMethodField()

    def get_name(self, user) -> str:
        return user_name(user)


def warning_enum():
    return EnumField("WarningLevelEnum", WarningLevel.choices, help_text="Deadline warning (QT 21).")


# --- output ------------------------------------------------------------------------------


class DossierListSerializer(serializers.ModelSerializer):
    procedure = ProcedureRefSerializer()
    agency = AgencyRefSerializer(help_text="Receiving agency.")
    status = serializers.IntegerField(help_text=STATUS_HELP)
    status_label = serializers.CharField(source="get_status_display")
    channel = EnumField("ChannelEnum", Channel.choices, help_text="KenhThucHien: counter 1, online 2, post 3.")
    current_step = StepRefSerializer(allow_null=True)
    current_holder = PersonSerializer(allow_null=True, help_text="Null while the step's whole group holds it.")
    warning = warning_enum()

    class Meta:
        model = Dossier
        fields = [
            "id",
            "code",
            "procedure",
            "agency",
            "status",
            "status_label",
            "channel",
            "applicant_name",
            "received_at",
            "due_at",
            "appointment_at",
            "current_step",
            "current_holder",
            "warning",
            "revision",
        ]
        read_only_fields = fields


class StepRunSerializer(serializers.Serializer):
    step = StepRefSerializer()
    agency = AgencyRefSerializer()
    holder = PersonSerializer(allow_null=True)
    arrived_at = serializers.DateTimeField(help_text="NgayBatDau.")
    departed_at = serializers.DateTimeField(allow_null=True)
    due_at = serializers.DateTimeField(allow_null=True, help_text="Step deadline (NgayKetThucTheoQuyDinh).")
    allowance_minutes = serializers.IntegerField(help_text="Working minutes allowed at the step.")
    used_minutes = serializers.SerializerMethodField(help_text="Working minutes used (until now while open).")
    overdue = serializers.SerializerMethodField()

    def _progress(self, run):
        return selectors.step_run_progress(run, self.context["now"])

    def get_used_minutes(self, run) -> int:
        return self._progress(run)[0]

    def get_overdue(self, run) -> bool:
        return self._progress(run)[1]


class EventSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    action = EnumField("EventActionEnum", Action.choices)
    action_label = serializers.CharField(source="get_action_display")
    actor_name = serializers.CharField(help_text="NguoiXuLy.")
    actor_position = serializers.CharField(help_text="ChucDanh.")
    actor_agency = AgencyRefSerializer(allow_null=True, help_text="PhongBanXuLy.")
    at = serializers.DateTimeField(help_text="ThoiDiemXuLy.")
    from_status = serializers.IntegerField(allow_null=True)
    to_status = serializers.IntegerField(allow_null=True)
    from_step = StepRefSerializer(allow_null=True)
    to_step = StepRefSerializer(allow_null=True)
    to_holder = PersonSerializer(allow_null=True)
    step_used_minutes = serializers.IntegerField(allow_null=True)
    comment = serializers.CharField(help_text="NoiDungXuLy.")
    documents = serializers.SerializerMethodField(help_text="Ids of the documents attached by this action.")
    data = serializers.JSONField(help_text="Action details: amount, reference, appointments, delivery method ...")

    def get_documents(self, event) -> list[int]:
        return [document.pk for document in event.documents.all()]


class DocumentSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = EnumField("DocumentKindEnum", DocumentKind.choices)
    kind_label = serializers.CharField(source="get_kind_display")
    name = serializers.CharField()
    created_at = serializers.DateTimeField()
    download_url = serializers.SerializerMethodField()

    @extend_schema_field({"type": "string", "format": "uri"})
    def get_download_url(self, document):
        url = reverse("workflow_api:dossier-document", kwargs={"pk": document.dossier_id, "document_id": document.pk})
        request = self.context.get("request")
        return request.build_absolute_uri(url) if request is not None else url


class ProcessRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    version = serializers.IntegerField()


class DossierDetailSerializer(DossierListSerializer):
    procedure = ProcedureDetailRefSerializer()
    current_agency = AgencyRefSerializer(allow_null=True, help_text="Agency holding the dossier now (DonViXuLy).")
    process = ProcessRefSerializer(allow_null=True, help_text="Version of the internal process followed.")
    status_plain = serializers.CharField(help_text="The status in plain words for the applicant.")
    applicant_kind = serializers.IntegerField(
        help_text="LoaiDoiTuong: 1 citizen, 2 business, 3 state agency, 4 other organisation."
    )
    # not an EmailField: the schema's "format: email" refused the empty value of a dossier without an e-mail
    applicant_email = serializers.CharField(read_only=True, help_text="The applicant's e-mail; empty when none.")
    delivery = EnumField("DeliveryEnum", Delivery.choices)
    current_step = CurrentStepSerializer(allow_null=True)
    timeliness = serializers.CharField(help_text="early, on_time or late once decided; empty before.")
    step_runs = StepRunSerializer(many=True)
    events = EventSerializer(many=True)
    documents = DocumentSerializer(many=True)
    allowed_actions = serializers.SerializerMethodField(
        help_text="Actions the caller may do now; POST /api/v1/dossiers/{id}/<action with - for _>/."
    )

    class Meta(DossierListSerializer.Meta):
        fields = [
            "id",
            "code",
            "procedure",
            "agency",
            "current_agency",
            "process",
            "status",
            "status_label",
            "status_plain",
            "channel",
            "applicant_kind",
            "applicant_name",
            "applicant_id_number",
            "organisation_name",
            "applicant_address",
            "applicant_phone",
            "applicant_email",
            "delivery",
            "delivery_address",
            "paper_dossier",
            "form_data",
            "submitted_at",
            "reception_due_at",
            "received_at",
            "clock_started_at",
            "due_at",
            "appointment_at",
            "result_recorded_at",
            "returned_at",
            "closed_at",
            "allowance_minutes",
            "timeliness",
            "counts_as_late",
            "supplement_count",
            "apology_count",
            "result_signer",
            "consignment_number",
            "current_step",
            "current_holder",
            "warning",
            "revision",
            "created_at",
            "updated_at",
            "step_runs",
            "events",
            "documents",
            "allowed_actions",
        ]
        read_only_fields = fields

    @extend_schema_field(
        serializers.ListField(
            child=EnumField("AllowedActionEnum", [(name.value, name.label) for name in selectors.ACTION_NAMES])
        )
    )
    def get_allowed_actions(self, dossier):
        return self.context["allowed_actions"]


class BulkFailureSerializer(serializers.Serializer):
    dossier = serializers.CharField(help_text="Dossier code, or the id sent when it was not found.")
    message = serializers.CharField()


class BulkResultSerializer(serializers.Serializer):
    done = serializers.ListField(child=serializers.CharField(), help_text="Codes of the dossiers acted on.")
    failed = BulkFailureSerializer(many=True)


class ErrorSerializer(serializers.Serializer):
    detail = serializers.CharField()
    code = serializers.CharField(required=False, help_text="Error class, e.g. ConcurrentChange, InvalidState.")


# --- input fields -----------------------------------------------------------------------------


class UploadField(serializers.FileField):
    """An uploaded file checked by size and content (pdf, jpg, png, doc, docx, xls, xlsx, zip; ≤ 20 MB)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("validators", [validate_upload])
        super().__init__(**kwargs)


def upload_list(**kwargs):
    return serializers.ListField(child=UploadField(), **kwargs)


class AwareDateTimeField(serializers.DateTimeField):
    """An ISO 8601 date-time that must carry its UTC offset (2026-03-10T07:30:00+07:00)."""

    default_error_messages = {"naive": _("Give the date and time with its time zone, e.g. 2026-03-10T07:30:00+07:00.")}

    def to_internal_value(self, value):
        if isinstance(value, str):
            parsed = parse_datetime(value.strip())
            if parsed is not None and parsed.tzinfo is None:
                self.fail("naive")
        return super().to_internal_value(value)


def user_field(help_text, **kwargs):
    return serializers.PrimaryKeyRelatedField(
        queryset=get_user_model().objects.filter(is_active=True), help_text=help_text, **kwargs
    )


# --- input: one per action ---------------------------------------------------------------------


class ActionInputSerializer(serializers.Serializer):
    revision = serializers.IntegerField(
        min_value=0, max_value=MAX_ID, help_text="The dossier revision the caller saw; a stale one is refused with 409."
    )
    comment = serializers.CharField(required=False, allow_blank=True, default="", max_length=4000)


class SlipInputMixin(serializers.Serializer):
    slip = UploadField(required=False, help_text="The signed slip file (QT 15.3).")
    generate_slip = serializers.BooleanField(
        required=False, default=False, help_text="Let the system fill the slip from its template instead."
    )

    def validate(self, attrs):
        attrs = super().validate(attrs)
        if attrs.get("slip") and attrs.get("generate_slip"):
            raise serializers.ValidationError({"generate_slip": _("Attach a slip or ask for one, not both.")})
        return attrs


class ReceiveInputSerializer(ActionInputSerializer):
    pass


class GuideInputSerializer(ActionInputSerializer):
    comment = serializers.CharField(max_length=4000, help_text="What the applicant must complete.")
    slip = UploadField(required=False, help_text="Guidance slip (optional).")


class ReasonInputSerializer(ActionInputSerializer):
    comment = None
    reason = serializers.CharField(max_length=4000)


class RefuseReceptionInputSerializer(SlipInputMixin, ReasonInputSerializer):
    pass


class ForwardInputSerializer(ActionInputSerializer):
    to_step = serializers.IntegerField(
        required=False, allow_null=True, help_text="Id of a later step of the dossier's process; default the next."
    )
    to_holder = user_field(
        "Id of the official to send it to; default the step's whole group.", required=False, allow_null=True
    )
    files = upload_list(required=False)


class ReturnPreviousInputSerializer(ActionInputSerializer):
    comment = serializers.CharField(max_length=4000, help_text="What needs explaining.")


class HandoverInputSerializer(ActionInputSerializer):
    colleague = user_field("Id of an official of the same unit who may hold the step.")


class RequestSupplementInputSerializer(SlipInputMixin, ActionInputSerializer):
    comment = serializers.CharField(max_length=4000, help_text="The documents the applicant must add.")


class ResubmitInputSerializer(ActionInputSerializer):
    files = upload_list(allow_empty=False, help_text="The supplementary documents.")


class FeeItemSerializer(serializers.Serializer):
    fee = serializers.IntegerField(
        min_value=1, max_value=MAX_ID, help_text="Id of one of the procedure's catalogued fees."
    )
    quantity = serializers.IntegerField(min_value=1, max_value=999, default=1)


class RequestPaymentInputSerializer(ActionInputSerializer):
    items = FeeItemSerializer(
        many=True, required=False, help_text="The procedure's fees asked for, with quantities (QN 14)."
    )
    amount = serializers.IntegerField(
        min_value=1,
        required=False,
        help_text="Amount due in VND; with items, added to them (a fee not in the catalogue: say why in comment).",
    )


class ConfirmPaymentInputSerializer(ActionInputSerializer):
    comment = None
    reference = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        max_length=255,
        help_text="The payment provider's reference (recorded as the comment).",
    )
    receipt = UploadField(required=False, help_text="Payment receipt (optional).")


class ApologizeInputSerializer(SlipInputMixin, ReasonInputSerializer):
    new_appointment = AwareDateTimeField(help_text="New appointment, ISO 8601 with time zone.")


class StopInputSerializer(ReasonInputSerializer):
    files = upload_list(required=False, help_text="Notice of the refusal to resolve (optional).")


class WithdrawInputSerializer(ActionInputSerializer):
    request_file = UploadField(help_text="The applicant's written withdrawal request.")


class RecordResultInputSerializer(ActionInputSerializer):
    signer = serializers.CharField(max_length=255)
    result_file = UploadField(help_text="The signed result.")


class ReturnResultInputSerializer(ActionInputSerializer):
    method = EnumField(
        "DeliveryEnum",
        Delivery.choices,
        read_only=False,
        required=False,
        help_text="How the result is handed over; default the applicant's choice.",
    )
    consignment_number = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        max_length=50,
        help_text="Postal consignment number (required for post).",
    )


class ReceiveCounterInputSerializer(serializers.Serializer):
    procedure = serializers.SlugRelatedField(
        slug_field="national_code", queryset=Procedure.objects.published(), help_text="National procedure code."
    )
    agency = serializers.SlugRelatedField(
        slug_field="code", queryset=Agency.objects.active(), help_text="Code of the receiving agency."
    )
    channel = EnumField(
        "ReceptionChannelEnum",
        [(Channel.COUNTER, Channel.COUNTER.label), (Channel.POST, Channel.POST.label)],
        read_only=False,
        required=False,
        default=Channel.COUNTER,
    )
    applicant_kind = serializers.ChoiceField(
        choices=ApplicantKind.choices,
        required=False,
        default=ApplicantKind.CITIZEN,
        help_text="1 citizen, 2 business, 3 state agency, 4 other organisation.",
    )
    applicant_name = serializers.CharField(max_length=255)
    applicant_id_number = serializers.CharField(max_length=20, required=False, allow_blank=True, default="")
    organisation_name = serializers.CharField(max_length=255, required=False, allow_blank=True, default="")
    applicant_address = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")
    applicant_phone = serializers.CharField(max_length=20, required=False, allow_blank=True, default="")
    applicant_email = serializers.EmailField(required=False, allow_blank=True, default="")
    delivery = EnumField("DeliveryEnum", Delivery.choices, read_only=False, required=False, default=Delivery.COUNTER)
    delivery_address = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")
    paper_dossier = serializers.BooleanField(required=False, default=True)
    files = upload_list(required=False, help_text="Documents submitted.")
    comment = serializers.CharField(required=False, allow_blank=True, default="", max_length=4000)


BULK_ACTIONS = [("forward", "Forward to the next step"), ("return-previous", "Return to the previous step")]


class BulkItemSerializer(serializers.Serializer):
    id = serializers.IntegerField(min_value=1, max_value=MAX_ID)
    revision = serializers.IntegerField(
        min_value=0,
        max_value=MAX_ID,
        help_text="The dossier's revision as last read (the list and detail answers carry it).",
    )


class BulkInputSerializer(serializers.Serializer):
    action = EnumField("BulkActionEnum", BULK_ACTIONS, read_only=False)
    dossiers = BulkItemSerializer(many=True, allow_empty=False, max_length=200)
    comment = serializers.CharField(required=False, allow_blank=True, default="", max_length=4000)
