"""Read-only representations of the catalog.

Codes (not database ids) identify agencies, sectors and procedures, so partner
systems can keep their own copies keyed on the national identifiers.
"""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from wagtail.rich_text import expand_db_html

from catalog.api.schema import EnumField
from catalog.models import (
    Agency,
    AgencyLevel,
    FaqEntry,
    FeeKind,
    OnlineLevel,
    Procedure,
    ProcedureDocument,
    ProcedureFee,
    ProcedureLevel,
    ProcedureStatus,
    Sector,
    TimeUnit,
)


def agency_level_enum():
    return EnumField("AgencyLevelEnum", AgencyLevel.choices)


def procedure_level_enum():
    return EnumField("ProcedureLevelEnum", ProcedureLevel.choices)


def online_level_enum():
    return EnumField("OnlineLevelEnum", OnlineLevel.choices)


def procedure_status_enum():
    return EnumField("ProcedureStatusEnum", ProcedureStatus.choices)


def time_unit_enum():
    return EnumField("TimeUnitEnum", TimeUnit.choices)


@extend_schema_field(OpenApiTypes.STR)
class RichTextField(serializers.CharField):
    """Wagtail rich text as front-end HTML (internal links and documents resolved)."""

    def to_representation(self, value):
        return expand_db_html(value) if value else ""


# --- Agencies and sectors --------------------------------------------------------


class AgencyBriefSerializer(serializers.ModelSerializer):
    level = agency_level_enum()

    class Meta:
        model = Agency
        fields = ["code", "name", "short_name", "level"]


class AgencyContactSerializer(serializers.ModelSerializer):
    """An implementing agency on a procedure page: where to go and whom to call."""

    level = agency_level_enum()

    class Meta:
        model = Agency
        fields = ["code", "name", "short_name", "level", "address", "phone", "email", "hotline", "working_hours_note"]


class AgencySerializer(serializers.ModelSerializer):
    level = agency_level_enum()
    parent = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)

    class Meta:
        model = Agency
        fields = [
            "code",
            "name",
            "short_name",
            "level",
            "parent",
            "address",
            "phone",
            "email",
            "hotline",
            "working_hours_note",
        ]


class SectorBriefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Sector
        fields = ["code", "name"]


class SectorSerializer(serializers.ModelSerializer):
    procedure_count = serializers.IntegerField(read_only=True, help_text="Published (not abolished) procedures.")

    class Meta:
        model = Sector
        fields = ["code", "name", "procedure_count"]


# --- Procedures ------------------------------------------------------------------


class ProcedureFeeSerializer(serializers.ModelSerializer):
    kind = EnumField("FeeKindEnum", FeeKind.choices)
    amount = serializers.IntegerField(read_only=True, help_text="Amount in VND.")

    class Meta:
        model = ProcedureFee
        fields = ["kind", "name", "amount", "note"]


class ProcedureDocumentSerializer(serializers.ModelSerializer):
    template_url = serializers.SerializerMethodField(help_text="Absolute download URL of the template file.")

    class Meta:
        model = ProcedureDocument
        fields = ["name", "originals", "copies", "mandatory", "template_url"]

    @extend_schema_field({"type": "string", "format": "uri", "nullable": True})
    def get_template_url(self, obj):
        if obj.template_id is None or obj.template is None:
            return None
        url = obj.template.url
        request = self.context.get("request")
        return request.build_absolute_uri(url) if request is not None else url


class ChannelsSerializer(serializers.Serializer):
    online = serializers.BooleanField(source="submit_online", read_only=True)
    counter = serializers.BooleanField(source="submit_counter", read_only=True)
    post = serializers.BooleanField(source="submit_post", read_only=True)
    postal_return = serializers.BooleanField(read_only=True, help_text="The result can be returned by post.")


class ProcedureListSerializer(serializers.ModelSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="catalog_api:procedure-detail", lookup_field="national_code")
    sector = SectorBriefSerializer(read_only=True)
    agencies = AgencyBriefSerializer(many=True, read_only=True)
    level = procedure_level_enum()
    online_level = online_level_enum()
    processing_time_unit = time_unit_enum()
    status = procedure_status_enum()
    processing_minutes = serializers.IntegerField(read_only=True, help_text="Allowed working time in minutes.")

    class Meta:
        model = Procedure
        fields = [
            "national_code",
            "name",
            "url",
            "sector",
            "agencies",
            "level",
            "online_level",
            "processing_time",
            "processing_time_unit",
            "processing_minutes",
            "status",
        ]


class ProcedureDetailSerializer(serializers.ModelSerializer):
    sector = SectorBriefSerializer(read_only=True)
    agencies = AgencyContactSerializer(many=True, read_only=True)
    level = procedure_level_enum()
    online_level = online_level_enum()
    processing_time_unit = time_unit_enum()
    status = procedure_status_enum()
    processing_minutes = serializers.IntegerField(
        read_only=True, help_text="Allowed working time in minutes (one working day = 8 working hours)."
    )
    channels = ChannelsSerializer(source="*", read_only=True)
    fees = ProcedureFeeSerializer(many=True, read_only=True)
    documents = ProcedureDocumentSerializer(many=True, read_only=True)
    steps = RichTextField(source="applicant_steps", read_only=True, help_text="Steps for the applicant (HTML).")
    requirements = RichTextField(read_only=True, help_text="Requirements and conditions (HTML).")

    class Meta:
        model = Procedure
        fields = [
            "national_code",
            "name",
            "sector",
            "agencies",
            "level",
            "online_level",
            "processing_time",
            "processing_time_unit",
            "processing_time_note",
            "processing_minutes",
            "applicant_subjects",
            "channels",
            "result_type",
            "fees",
            "documents",
            "steps",
            "requirements",
            "legal_basis",
            "publishing_decision",
            "status",
            "updated_at",
        ]


class ProcedureBriefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Procedure
        fields = ["national_code", "name"]


# --- FAQ -------------------------------------------------------------------------


class FaqEntrySerializer(serializers.ModelSerializer):
    sector = SectorBriefSerializer(read_only=True)
    procedure = ProcedureBriefSerializer(read_only=True, allow_null=True)
    answer = RichTextField(read_only=True, help_text="Answer (HTML).")

    class Meta:
        model = FaqEntry
        fields = ["id", "question", "answer", "sector", "procedure"]


# --- Errors (documentation only) -------------------------------------------------


class NotFoundSerializer(serializers.Serializer):
    detail = serializers.CharField()


FILTER_ERROR_SCHEMA = {
    "type": "object",
    "description": "Each invalid query parameter, with its messages.",
    "additionalProperties": {"type": "array", "items": {"type": "string"}},
}
