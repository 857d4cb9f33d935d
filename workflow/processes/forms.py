"""The process designer's forms (QT 22): a version and its steps, and the three-stage short process.

The rules are :func:`workflow.processes.services.step_problems`; the forms only put them on their fields."""

from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms import WagtailAdminModelForm

from catalog.models import Agency, Procedure
from catalog.officials.scoping import ALL, sees_all_units, visible_agency_ids
from portal.core.names import display_name
from workflow.errors import DossierError
from workflow.processes.services import renumber_steps, step_problems


def _official_label(user):
    official = getattr(user, "official", None)
    name = display_name(user)
    if official is None:
        return name
    details = ", ".join(part for part in (official.position, official.agency.name) if part)
    return f"{name} ({details})" if details else name


def officials_queryset(user, extra_ids=()):
    """Accounts that are officials (of the user's unit for a unit admin; plus ``extra_ids`` already chosen)."""
    User = get_user_model()
    queryset = User.objects.filter(official__isnull=False, is_active=True)
    agency_ids = visible_agency_ids(user) if user is not None else []
    if agency_ids is not ALL:
        queryset = User.objects.filter(
            Q(official__agency_id__in=agency_ids, is_active=True) | Q(pk__in=list(extra_ids))
        )
    return queryset.select_related("official__agency").order_by("official__agency__name", "last_name", "first_name")


class ProcessStepAdminForm(WagtailAdminModelForm):
    """A step of the process designer: who may hold it is chosen among officials only."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields.get("officials")
        if field is not None:
            current = list(self.instance.officials.values_list("pk", flat=True)) if self.instance.pk else []
            field.queryset = officials_queryset(self.for_user, current)
            field.label_from_instance = _official_label
            field.help_text = _("Leave empty to let every official of the step's group in its unit hold it.")

    def clean(self):
        cleaned = super().clean()
        # The rules of the step alone; those that need the process's unit are checked in ProcessAdminForm.
        problems = step_problems(kind=cleaned.get("kind"), agency=cleaned.get("agency"), process_agency=None)
        for name, message in problems.items():
            self.add_error(name, message)
        return cleaned


class ProcessAdminForm(WagtailAdminModelForm):
    """The process designer's form: the user's own procedures and unit; a frozen version is refused."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from workflow.processes.services import agencies_for, procedures_for

        if "procedure" in self.fields:
            self.fields["procedure"].queryset = procedures_for(self.for_user).order_by("national_code")
        if "agency" in self.fields:
            self.fields["agency"].queryset = agencies_for(self.for_user).order_by("name")
            if not sees_all_units(self.for_user):
                self.fields["agency"].required = True

    def clean(self):
        from workflow.processes.services import next_version, process_check_create, process_check_editable

        cleaned = super().clean()
        if self.instance.pk:
            try:
                process_check_editable(type(self.instance).objects.get(pk=self.instance.pk))
            except DossierError as error:
                raise ValidationError(error.message) from None
        procedure, agency = cleaned.get("procedure"), cleaned.get("agency")
        if procedure is None:
            return cleaned
        try:
            process_check_create(self.for_user, procedure, agency)
        except DossierError as error:
            raise ValidationError(error.message) from None
        moved = (self.instance.procedure_id, self.instance.agency_id) != (procedure.pk, getattr(agency, "pk", None))
        if not self.instance.pk or moved:
            self.instance.version = next_version(procedure, agency)
        return cleaned

    def is_valid(self):
        """The form and its steps, then the rules that need both: who may hold a step is of the step's unit."""
        valid = super().is_valid()
        if not valid or "steps" not in self.formsets:
            return valid
        process_agency = self.cleaned_data.get("agency")
        formset = self.formsets["steps"]
        deleted = set(formset.deleted_forms) if formset.can_delete else set()
        for form in formset.forms:
            if form in deleted or not getattr(form, "cleaned_data", None):
                continue
            problems = step_problems(
                kind=form.cleaned_data.get("kind"),
                agency=form.cleaned_data.get("agency"),
                process_agency=process_agency,
                officials=form.cleaned_data.get("officials") or [],
            )
            for name, message in problems.items():
                if name not in form.errors:
                    form.add_error(name, message)
                    valid = False
        return valid

    def _steps_in_order(self):
        formset = self.formsets.get("steps")
        if formset is None:
            return None
        if formset.can_order:
            forms_in_order = formset.ordered_forms
        else:
            deleted = set(formset.deleted_forms) if formset.can_delete else set()
            forms_in_order = [
                f
                for i, f in enumerate(formset.forms)
                if f not in deleted and (i < formset.initial_form_count() or f.has_changed())
            ]
        return [form.instance for form in forms_in_order]

    def save(self, commit=True):
        """Save, then number the steps in the order they were arranged (``sort_order`` drives forwarding)."""
        steps = self._steps_in_order()
        instance = super().save(commit=commit)
        if commit and steps is not None:
            renumber_steps(steps)
            for step in steps:
                if step.pk:
                    # A step is not a ClusterableModel: saving the process saves the step rows but leaves the
                    # step's officials (a ParentalManyToManyField) in memory. Write them now.
                    step.officials.commit()
        return instance


class ShortProcessForm(forms.Form):
    """The “three-stage short process” shortcut for procedures decided on the spot (QT 22.2c)."""

    procedure = forms.ModelChoiceField(label=_("Procedure"), queryset=Procedure.objects.none())
    agency = forms.ModelChoiceField(
        label=_("Agency"),
        queryset=Agency.objects.none(),
        required=False,
        help_text=_("Leave empty for the procedure's default process (supervisors only)."),
    )
    name = forms.CharField(label=_("Name"), max_length=255, required=False)
    reception_officials = forms.ModelMultipleChoiceField(
        label=_("Who receives"),
        required=False,
        queryset=get_user_model().objects.none(),
        widget=forms.CheckboxSelectMultiple,
    )
    resolution_officials = forms.ModelMultipleChoiceField(
        label=_("Who resolves"),
        required=False,
        queryset=get_user_model().objects.none(),
        widget=forms.CheckboxSelectMultiple,
    )
    return_officials = forms.ModelMultipleChoiceField(
        label=_("Who returns the result"),
        required=False,
        queryset=get_user_model().objects.none(),
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        from workflow.processes.services import agencies_for, procedures_for

        self.fields["procedure"].queryset = procedures_for(user).order_by("national_code")
        self.fields["agency"].queryset = agencies_for(user).order_by("name")
        if not sees_all_units(user):
            self.fields["agency"].required = True
            self.fields["agency"].help_text = ""
            own = self.fields["agency"].queryset.first()
            if own is not None:
                self.fields["agency"].initial = own.pk
        officials = officials_queryset(user)
        for name in ("reception_officials", "resolution_officials", "return_officials"):
            self.fields[name].queryset = officials
            self.fields[name].label_from_instance = _official_label

    def service_kwargs(self):
        data = self.cleaned_data
        return {
            "procedure": data["procedure"],
            "agency": data["agency"],
            "name": data["name"],
            "reception_officials": list(data["reception_officials"]),
            "resolution_officials": list(data["resolution_officials"]),
            "return_officials": list(data["return_officials"]),
        }
