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
from workflow.models import ProcessStep
from workflow.processes.services import StepSpec, renumber_steps


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


class _SharedChoices:
    """What every step form of one page offers, read once: the officials (the unit's, plus those the process's
    steps already name) and the agencies a hand-off may go to."""

    def __init__(self, user, process_id):
        current = (
            list(
                ProcessStep.officials.through.objects.filter(processstep__process_id=process_id).values_list(
                    "user_id", flat=True
                )
            )
            if process_id
            else []
        )
        self.officials_queryset = officials_queryset(user, current)
        self.officials = [(user.pk, _official_label(user)) for user in self.officials_queryset]
        self._agencies = None

    def agencies(self, field):
        if self._agencies is None:
            self._agencies = list(field.choices)
        return self._agencies


def _shared_choices(user, process_id):
    """One :class:`_SharedChoices` per page: kept on the request's user, whom every step form is given."""
    cache = user.__dict__.setdefault("_process_designer_choices", {}) if user is not None else {}
    if process_id not in cache:
        cache[process_id] = _SharedChoices(user, process_id)
    return cache[process_id]


class ProcessStepAdminForm(WagtailAdminModelForm):
    """A step of the process designer: who may hold it is chosen among officials only."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        shared = _shared_choices(self.for_user, self.instance.process_id)
        field = self.fields.get("officials")
        if field is not None:
            field.queryset = shared.officials_queryset
            field.label_from_instance = _official_label
            field.choices = shared.officials  # rendered from one read for every step (validation reads the queryset)
        if "agency" in self.fields:
            self.fields["agency"].choices = shared.agencies(self.fields["agency"])
            field.help_text = _(
                "Tick officials to let only them hold the step; leave all unticked for the whole group above."
            )
        role = self.fields.get("holder_role")
        if role is not None:
            role.choices = [("", _("By the step's kind"))] + [(code, label) for code, label in role.choices if code]
            role.label = _("Group of officials")
            role.help_text = _(
                "The officials of this group in the step's unit hold it (for a hand-off step: in the other agency). "
                "By the step's kind: one-stop officers receive and return, specialists process, leaders approve."
            )


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
        from workflow.processes.services import process_check_create, process_check_editable, version_for_draft

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
        self.instance.version = version_for_draft(self.instance, procedure, agency)
        return cleaned

    def _step_rows(self):
        """(form, StepSpec) of the steps kept, in the order arranged (a form with field errors gives what it has)."""
        formset = self.formsets.get("steps")
        if formset is None:
            return []
        deleted = set(formset.deleted_forms) if formset.can_delete else set()
        rows = []
        for index, form in enumerate(formset.forms):
            data = getattr(form, "cleaned_data", None)
            if form in deleted or not data or (index >= formset.initial_form_count() and not form.has_changed()):
                continue
            spec = StepSpec(
                name=data.get("name", ""),
                kind=data.get("kind", ""),
                allowance_hours=data.get("allowance_hours"),
                agency=data.get("agency"),
                officials=list(data.get("officials") or []),
                holder_role=data.get("holder_role", ""),
                position=data.get("position", ""),
            )
            rows.append((data.get("ORDER") or index + 1, index, form, spec))
        rows.sort(key=lambda row: (row[0], row[1]))
        return [(form, spec) for _order, _index, form, spec in rows]

    def is_valid(self):
        """The form and its steps, then the whole process by :func:`~workflow.processes.services.process_review`,
        its findings put on the fields they are about (those with an error of their own already keep it)."""
        from workflow.processes.services import process_review

        valid = super().is_valid()
        if "steps" not in self.formsets or not hasattr(self, "cleaned_data"):
            return valid
        rows = self._step_rows()
        self.review = process_review(
            procedure=self.cleaned_data.get("procedure"),
            agency=self.cleaned_data.get("agency"),
            steps=[spec for _form, spec in rows],
        )
        for key, problems in self.review.errors.items():
            if key is None:
                for name, message in problems.items():
                    if name not in self.errors:
                        self.add_error(name if name in self.fields else None, message)
                continue
            form = rows[key][0]
            for name, message in problems.items():
                if name in form.errors:
                    continue
                form.add_error(name if name in form.fields else None, message)
        return valid and self.review.ok

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
