"""OpenAPI helpers for the catalog API (drf-spectacular extensions).

Imported by ``catalog.api.urls``, so the extensions are registered before the
schema is generated.

* ``EnumField``: a read-only choice field published as a named enum component
  (``AgencyLevelEnum``, ``ProcedureLevelEnum`` ...). drf-spectacular otherwise
  names enums after the field, and two different "level" choice sets used in
  several components end in a naming-collision warning.
* The Wagtail *admin* API (``/admin/api/main/...``) is an internal endpoint of
  the editor UI, not part of the public API; it is left out of the schema (its
  views cannot be introspected without Wagtail's router and warn otherwise).
  A project-wide ``PREPROCESSING_HOOKS`` entry in SPECTACULAR_SETTINGS would do
  the same; this extension can then go.
"""

from drf_spectacular.extensions import OpenApiSerializerFieldExtension, OpenApiViewExtension
from drf_spectacular.plumbing import build_choice_description_list
from drf_spectacular.utils import extend_schema
from rest_framework import serializers


class EnumField(serializers.ChoiceField):
    def __init__(self, enum_name, choices, **kwargs):
        self.enum_name = enum_name
        kwargs.setdefault("read_only", True)
        super().__init__(choices=choices, **kwargs)


class EnumFieldExtension(OpenApiSerializerFieldExtension):
    target_class = EnumField

    def get_name(self):
        return self.target.enum_name

    def map_serializer_field(self, auto_schema, direction):
        choices = list(self.target.choices.items())
        return {
            "type": "string",
            "enum": [value for value, _label in choices],
            "description": build_choice_description_list(choices),
        }


class _ExcludeFromSchema(OpenApiViewExtension):
    def view_replacement(self):
        @extend_schema(exclude=True)
        class Excluded(self.target_class):
            pass

        return Excluded


class WagtailAdminPagesAPIExclusion(_ExcludeFromSchema):
    target_class = "wagtail.admin.api.views.PagesAdminAPIViewSet"


class WagtailAdminDocumentsAPIExclusion(_ExcludeFromSchema):
    target_class = "wagtail.documents.api.admin.views.DocumentsAdminAPIViewSet"


class WagtailAdminImagesAPIExclusion(_ExcludeFromSchema):
    target_class = "wagtail.images.api.admin.views.ImagesAdminAPIViewSet"
