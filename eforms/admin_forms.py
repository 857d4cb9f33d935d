"""Forms of the e-form builder in the Wagtail admin."""

import json

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms import WagtailAdminModelForm

from eforms.checks import check_definition
from eforms.models import TableColumnType


class TableColumnsFormField(forms.CharField):
    """Table columns typed as ``code|label|type`` lines, stored as a JSON list of dicts."""

    widget = forms.Textarea(attrs={"rows": 3})

    def __init__(self, *args, encoder=None, decoder=None, **kwargs):  # JSONField passes these
        kwargs.pop("max_length", None)
        super().__init__(*args, **kwargs)

    def prepare_value(self, value):
        if isinstance(value, str):
            try:
                value = json.loads(value) if value.strip().startswith("[") else value
            except ValueError:
                return value
        if isinstance(value, list):
            return "\n".join(f"{c.get('code', '')}|{c.get('label', '')}|{c.get('type', 'text')}" for c in value)
        return value or ""

    def to_python(self, value):
        text = super().to_python(value)
        columns = []
        types = set(TableColumnType.values)
        for number, line in enumerate(text.splitlines(), start=1):
            line = line.strip()
            if not line:
                continue
            parts = [p.strip() for p in line.split("|")]
            code = parts[0]
            label = parts[1] if len(parts) > 1 and parts[1] else code
            kind = (parts[2] if len(parts) > 2 and parts[2] else "text").lower()
            if not code or not code.replace("_", "").isalnum() or not code[0].isalpha():
                raise ValidationError(
                    _("Line %(n)s: the column code must start with a letter and use letters, digits and underscores."),
                    params={"n": number},
                    code="column_code",
                )
            if kind not in types:
                raise ValidationError(
                    _("Line %(n)s: the type must be text, number or date."), params={"n": number}, code="column_type"
                )
            columns.append({"code": code, "label": label, "type": kind})
        codes = [c["code"] for c in columns]
        if len(set(codes)) != len(codes):
            raise ValidationError(_("Each column needs a different code."), code="column_duplicate")
        return columns

    def has_changed(self, initial, data):
        return self.prepare_value(initial) != self.prepare_value(self.to_python(data) if data else [])


class FormVersionAdminForm(WagtailAdminModelForm):
    """Runs the whole-form checks (unique codes, conditions pointing backwards) after the inline forms."""

    def _live_forms(self, formset):
        return [f for f in formset.forms if not (formset.can_delete and formset._should_delete_form(f))]

    def is_valid(self):
        valid = super().is_valid()
        if not valid or getattr(self, "_definition_checked", False):
            return valid and not getattr(self, "_definition_failed", False)
        self._definition_checked = True
        section_forms = [f for f in self._live_forms(self.formsets["sections"]) if f.has_changed() or f.instance.pk]
        sections, form_map = [], []
        for section_form in section_forms:
            field_forms = [
                f for f in self._live_forms(section_form.formsets["fields"]) if f.has_changed() or f.instance.pk
            ]
            sections.append((section_form.instance, [f.instance for f in field_forms]))
            form_map.append((section_form, field_forms))
        for problem in check_definition(sections):
            if problem.incomplete:
                continue  # a draft may be incomplete; publishing refuses it
            if not form_map:
                self.add_error(None, problem.message)
                continue
            section_form, field_forms = form_map[problem.section_index]
            target = section_form if problem.field_index is None else field_forms[problem.field_index]
            if problem.attribute and problem.attribute in target.fields:
                target.add_error(problem.attribute, problem.message)
            elif problem.field_index is None and problem.attribute is None and "title" in target.fields:
                target.add_error("title", problem.message)
            else:
                self.add_error(None, str(problem))
            self._definition_failed = True
        return valid and not getattr(self, "_definition_failed", False)
