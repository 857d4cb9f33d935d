"""Forms of the officials' screens: one small form per dossier action, counter reception, bulk actions and the
process designer.

Forms only collect and check input; every rule is in :mod:`workflow.dossiers.services`
and :mod:`workflow.processes.services`. An action form says which service it
feeds (``service``) and turns its cleaned data into that service's keyword
arguments (:meth:`DossierActionForm.service_kwargs`); the view makes the call
with the ``revision`` the form was rendered with, so a stale form is refused by
the service (``ConcurrentChange``).
"""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from wagtail.admin.widgets import AdminDateTimeInput

from catalog.models import Procedure
from catalog.officials.scoping import user_agency_id
from portal.core.formatting import format_vnd
from workflow.dossiers.services import Applicant, Upload
from workflow.models import Action, ApplicantKind, Channel, Delivery, DocumentKind, Dossier, Status

# --- files -----------------------------------------------------------------------------------------


def _validate_upload(file):
    """The content check of :mod:`portal.core.uploads` (magic bytes, size, extension)."""
    try:
        from portal.core.uploads import validate_upload
    except ImportError:  # pragma: no cover - the module is part of the app; kept lazy for import order
        return
    validate_upload(file)


def slips_available() -> bool:
    """Whether slips can be generated from their templates (:mod:`workflow.slips`)."""
    try:
        from workflow.slips import slip_upload  # noqa: F401
    except ImportError:
        return False
    return True


def generate_slip(dossier, kind, **extra) -> Upload:
    from workflow.slips import slip_upload

    return slip_upload(dossier, kind, **extra)


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input; each one is checked by content."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        items = data if isinstance(data, (list, tuple)) else ([data] if data else [])
        items = [item for item in items if item]
        if not items:
            if self.required:
                raise ValidationError(self.error_messages["required"], code="required")
            return []
        single = super().clean
        cleaned = [single(item, initial) for item in items]
        for item in cleaned:
            _validate_upload(item)
        return cleaned


class CheckedFileField(forms.FileField):
    def clean(self, data, initial=None):
        file = super().clean(data, initial)
        if file:
            _validate_upload(file)
        return file


def uploads(files, kind=DocumentKind.SUBMITTED):
    return [Upload(name=f.name, content=f, kind=kind) for f in files]


# --- dossier actions ---------------------------------------------------------------------------------


class DossierActionForm(forms.Form):
    """Base of the action forms: the dossier's revision when the form was shown, and an optional comment."""

    action = None  #: the :class:`workflow.models.Action` value
    service = None  #: the function of :mod:`workflow.dossiers.services` this form feeds
    label = ""  #: the heading and submit label
    help = ""
    comment_required = False
    comment_label = _("Comment")

    revision = forms.IntegerField(widget=forms.HiddenInput)
    comment = forms.CharField(label=_("Comment"), required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, dossier, user, **kwargs):
        kwargs.setdefault("prefix", self.action)
        initial = dict(kwargs.pop("initial", None) or {})
        initial.setdefault("revision", dossier.revision)
        super().__init__(*args, initial=initial, **kwargs)
        self.dossier, self.user = dossier, user
        self.fields["comment"].required = self.comment_required
        self.fields["comment"].label = self.comment_label

    @property
    def url_name(self):
        return self.action.replace("_", "-")

    def service_kwargs(self) -> dict:
        return {"comment": self.cleaned_data.get("comment", "")}

    def service_function(self):
        """The service this form feeds (by name in :mod:`workflow.dossiers.services`)."""
        from workflow.dossiers import services

        return getattr(services, self.service)


class SlipMixin(forms.Form):
    """Slips b–đ must be attached (QT 15.3): upload the signed one, or generate it from its template."""

    slip_kind = None
    slip_optional = False

    slip_source = forms.ChoiceField(label=_("Slip"), widget=forms.RadioSelect)
    slip_file = CheckedFileField(label=_("Signed slip file"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        choices = []
        if self.slip_optional:
            choices.append(("none", _("No slip")))
        if slips_available():
            choices.append(("generate", _("Generate the slip from the template")))
        choices.append(("upload", _("Upload the signed slip")))
        self.fields["slip_source"].choices = choices
        self.fields["slip_source"].initial = (
            "generate" if slips_available() else ("none" if self.slip_optional else "upload")
        )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("slip_source") == "upload" and not cleaned.get("slip_file"):
            self.add_error("slip_file", _("Choose the signed slip file to upload."))
        return cleaned

    def slip_extra(self) -> dict:
        """What the slip template is filled with besides the dossier (see :mod:`workflow.slips`)."""
        return {"comment": self.cleaned_data.get("comment", ""), "official": self.user}

    def slip_uploads(self):
        source = self.cleaned_data.get("slip_source")
        if source == "upload":
            file = self.cleaned_data["slip_file"]
            return [Upload(name=file.name, content=file, kind=DocumentKind.SLIP)]
        if source == "generate":
            return [generate_slip(self.dossier, self.slip_kind, **self.slip_extra())]
        return []


class ReceiveForm(DossierActionForm):
    action, service = Action.RECEIVE, "dossier_receive_online"
    label = _("Receive the dossier")
    help = _("Accept the online dossier: the processing clock starts and the receipt is issued.")


class GuideForm(SlipMixin, DossierActionForm):
    action, service = Action.GUIDE, "dossier_guide"
    label = _("Guide the applicant to complete the dossier")
    comment_required, comment_label = True, _("What the applicant must complete")
    slip_kind, slip_optional = "guidance", True

    def service_kwargs(self):
        return {"comment": self.cleaned_data["comment"], "files": self.slip_uploads()}


class RefuseReceptionForm(SlipMixin, DossierActionForm):
    action, service = Action.REFUSE_RECEPTION, "dossier_refuse_reception"
    label = _("Refuse reception")
    comment_required, comment_label = True, _("Reason")
    slip_kind = "refusal"

    def slip_extra(self):
        return {"reason": self.cleaned_data["comment"], "official": self.user}

    def service_kwargs(self):
        return {"reason": self.cleaned_data["comment"], "files": self.slip_uploads()}


class ForwardForm(DossierActionForm):
    action, service = Action.FORWARD, "dossier_forward"
    label = _("Forward to the next step")
    help = _("Send it to the whole group of the step, or to one named official.")

    to_step = forms.TypedChoiceField(label=_("Step"), coerce=int)
    to_holder = forms.TypedChoiceField(label=_("Official"), coerce=int, required=False, empty_value=None)
    files = MultipleFileField(label=_("Files"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from workflow.dossiers.queries import later_steps, official_label, officials_for_step

        steps = later_steps(self.dossier)
        self.fields["to_step"].choices = [(s.pk, f"{s.sort_order + 1}. {s.name}") for s in steps]
        if steps:
            self.fields["to_step"].initial = steps[0].pk
        self._holders = {}  # step pk -> {user pk: user}
        choices = {}  # each official once, however many later steps they may hold (clean checks the step)
        for step in steps:
            officials = officials_for_step(step, self.dossier)
            self._holders[step.pk] = {u.pk: u for u in officials}
            for user in officials:
                choices.setdefault(user.pk, official_label(user))
        self.fields["to_holder"].choices = [("", _("— the whole group of the step —")), *choices.items()]

    def clean(self):
        cleaned = super().clean()
        step_pk, holder_pk = cleaned.get("to_step"), cleaned.get("to_holder")
        if holder_pk:
            holder = self._holders.get(step_pk, {}).get(holder_pk)
            if holder is None:
                self.add_error("to_holder", _("This official cannot hold the chosen step: choose one of its group."))
            cleaned["to_holder"] = holder
        else:
            cleaned["to_holder"] = None
        return cleaned

    def service_kwargs(self):
        data = self.cleaned_data
        return {
            "to_step_id": data["to_step"],
            "to_holder": data["to_holder"],
            "comment": data["comment"],
            "files": uploads(data["files"]),
        }


class ReturnPreviousForm(DossierActionForm):
    action, service = Action.RETURN_PREVIOUS, "dossier_return_previous"
    label = _("Return to the previous step")
    help = _("Send it back, for explanation, to the official who forwarded it.")
    comment_required, comment_label = True, _("What needs explaining")


class HandoverForm(DossierActionForm):
    action, service = Action.HANDOVER, "dossier_handover"
    label = _("Hand over to a colleague")

    colleague = forms.TypedChoiceField(label=_("Colleague"), coerce=int)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from workflow.dossiers.queries import colleagues_for_handover, official_label

        colleagues = colleagues_for_handover(self.dossier, self.user)
        self._colleagues = {u.pk: u for u in colleagues}
        self.fields["colleague"].choices = [(u.pk, official_label(u)) for u in colleagues]

    def clean_colleague(self):
        return self._colleagues[self.cleaned_data["colleague"]]

    def service_kwargs(self):
        return {"colleague": self.cleaned_data["colleague"], "comment": self.cleaned_data["comment"]}


class RequestSupplementForm(SlipMixin, DossierActionForm):
    action, service = Action.REQUEST_SUPPLEMENT, "dossier_request_supplement"
    label = _("Request a supplement")
    help = _("The processing clock stops until the applicant brings the missing documents.")
    comment_required, comment_label = True, _("Documents the applicant must add")
    slip_kind = "supplement"

    def service_kwargs(self):
        return {"comment": self.cleaned_data["comment"], "files": self.slip_uploads()}


class ResubmitForm(DossierActionForm):
    action, service = Action.RESUBMIT, "dossier_resubmit"
    label = _("Record the supplement brought by the applicant")

    files = MultipleFileField(label=_("Supplementary documents"))

    def service_kwargs(self):
        return {
            "comment": self.cleaned_data["comment"],
            "files": uploads(self.cleaned_data["files"], DocumentKind.SUPPLEMENT),
        }


class RequestPaymentForm(DossierActionForm):
    """The fees from the procedure's catalogue with their quantities, and/or another amount with its reason."""

    action, service = Action.REQUEST_PAYMENT, "dossier_request_payment"
    label = _("Request payment")
    comment_label = _("Reason or note for the applicant")

    amount = forms.IntegerField(
        label=_("Another amount (VND)"),
        min_value=1,
        required=False,
        help_text=_("Only for a fee the procedure's list does not have; say why in the note."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fees = list(self.dossier.procedure.fees.all())
        for fee in self.fees:
            self.fields[f"fee_{fee.pk}"] = forms.IntegerField(
                label=f"{fee.name} ({format_vnd(fee.amount)})",
                min_value=0,
                max_value=999,
                required=False,
                initial=0,
                help_text=fee.note,
            )
        if not self.fees:
            self.fields["amount"].label = _("Amount due (VND)")
            self.fields["amount"].help_text = ""

    def service_kwargs(self):
        # What may be asked for (a fee chosen, or another amount with its reason) is the service's rule.
        quantities = [(fee.pk, self.cleaned_data.get(f"fee_{fee.pk}") or 0) for fee in self.fees]
        return {
            "amount": self.cleaned_data.get("amount"),
            "items": [(fee_id, quantity) for fee_id, quantity in quantities if quantity],
            "comment": self.cleaned_data["comment"],
        }


class ConfirmPaymentForm(DossierActionForm):
    """Cash or card at the counter (recorded as a payment with its e-receipt), or a payment made another way."""

    action, service = Action.CONFIRM_PAYMENT, "dossier_confirm_payment"
    label = _("Confirm payment")

    method = forms.ChoiceField(
        label=_("Paid"),
        choices=[
            ("cash", _("in cash at the counter (an e-receipt is issued)")),
            ("card", _("by card at the counter (an e-receipt is issued)")),
            ("other", _("another way (bank transfer, paper receipt): attach the proof")),
        ],
        initial="cash",
        widget=forms.RadioSelect,
    )
    reference = forms.CharField(label=_("Payment reference"), required=False, max_length=255)
    files = MultipleFileField(label=_("Payment receipt"), required=False)

    def service_function(self):
        if self.cleaned_data["method"] == "other":
            return super().service_function()
        from workflow.payments.services import payment_record_at_counter

        return payment_record_at_counter

    def service_kwargs(self):
        if self.cleaned_data["method"] != "other":
            return {"method": self.cleaned_data["method"], "reference": self.cleaned_data["reference"]}
        return {
            "reference": self.cleaned_data["reference"],
            "files": uploads(self.cleaned_data["files"], DocumentKind.PAYMENT),
        }


class ApologizeForm(SlipMixin, DossierActionForm):
    action, service = Action.APOLOGIZE, "dossier_apologize"
    label = _("Apologise and set a new appointment")
    help = _("The dossier will count as late (QT 19.1).")
    comment_required, comment_label = True, _("Reason")
    slip_kind = "apology"

    new_appointment = forms.DateTimeField(label=_("New appointment"), widget=AdminDateTimeInput)

    def slip_extra(self):
        return {
            "reason": self.cleaned_data["comment"],
            "new_appointment": self.cleaned_data["new_appointment"],
            "official": self.user,
        }

    def service_kwargs(self):
        return {
            "reason": self.cleaned_data["comment"],
            "new_appointment": self.cleaned_data["new_appointment"],
            "files": self.slip_uploads(),
        }


class StopForm(DossierActionForm):
    action, service = Action.STOP, "dossier_stop"
    label = _("Refuse to resolve / stop processing")
    comment_required, comment_label = True, _("Reason")

    files = MultipleFileField(label=_("Files"), required=False)

    def service_kwargs(self):
        return {"reason": self.cleaned_data["comment"], "files": uploads(self.cleaned_data["files"])}


class WithdrawForm(DossierActionForm):
    action, service = Action.WITHDRAW, "dossier_withdraw"
    label = _("Withdraw at the applicant's request")

    files = MultipleFileField(label=_("The applicant's written request"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # A request made online is already on file (status 7); a paper one is attached here.
        self.fields["files"].required = self.dossier.status != Status.WITHDRAWAL

    def service_kwargs(self):
        return {
            "comment": self.cleaned_data["comment"],
            "files": uploads(self.cleaned_data["files"], DocumentKind.WITHDRAWAL),
        }


class RecordResultForm(DossierActionForm):
    action, service = Action.RECORD_RESULT, "dossier_record_result"
    label = _("Record the result")

    signer = forms.CharField(label=_("Signed by"), max_length=255)
    files = MultipleFileField(label=_("Signed result file"))

    def service_kwargs(self):
        return {
            "signer": self.cleaned_data["signer"],
            "comment": self.cleaned_data["comment"],
            "files": uploads(self.cleaned_data["files"], DocumentKind.RESULT),
        }


class ReturnResultForm(DossierActionForm):
    action, service = Action.RETURN_RESULT, "dossier_return_result"
    label = _("Return the result")

    method = forms.ChoiceField(label=_("Delivered"), choices=Delivery.choices, widget=forms.RadioSelect)
    consignment_number = forms.CharField(label=_("Postal consignment number"), required=False, max_length=50)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["method"].initial = self.dossier.delivery

    def service_kwargs(self):
        data = self.cleaned_data
        return {"method": data["method"], "consignment_number": data["consignment_number"], "comment": data["comment"]}


#: Action name -> its form, in the order the detail screen shows them.
ACTION_FORMS = {
    form.action.value: form
    for form in (
        ReceiveForm,
        GuideForm,
        RefuseReceptionForm,
        ForwardForm,
        ReturnPreviousForm,
        HandoverForm,
        RequestSupplementForm,
        ResubmitForm,
        RequestPaymentForm,
        ConfirmPaymentForm,
        ApologizeForm,
        StopForm,
        WithdrawForm,
        RecordResultForm,
        ReturnResultForm,
    )
}


# --- reception at the counter ------------------------------------------------------------------------


class CounterReceptionForm(forms.Form):
    """A dossier brought to the counter or by post (QT 17.4a), for the official's own unit."""

    procedure = forms.ModelChoiceField(label=_("Procedure"), queryset=Procedure.objects.none())
    channel = forms.ChoiceField(
        label=_("Channel"),
        widget=forms.RadioSelect,
        initial=Channel.COUNTER,
        choices=[(Channel.COUNTER.value, Channel.COUNTER.label), (Channel.POST.value, Channel.POST.label)],
    )
    applicant_kind = forms.TypedChoiceField(
        label=_("Applicant type"), coerce=int, choices=ApplicantKind.choices, initial=ApplicantKind.CITIZEN
    )
    applicant_name = forms.CharField(label=_("Full name"), max_length=255)
    applicant_id_number = forms.CharField(label=_("ID number"), max_length=20, required=False)
    organisation_name = forms.CharField(label=_("Organisation"), max_length=255, required=False)
    applicant_address = forms.CharField(label=_("Address"), max_length=500, required=False)
    applicant_phone = forms.CharField(label=_("Phone"), max_length=20, required=False)
    applicant_email = forms.EmailField(label=_("E-mail"), required=False)
    delivery = forms.ChoiceField(
        label=_("Result delivery"), choices=Delivery.choices, initial=Delivery.COUNTER, widget=forms.RadioSelect
    )
    delivery_address = forms.CharField(label=_("Delivery address"), max_length=500, required=False)
    paper_dossier = forms.BooleanField(label=_("Paper dossier kept"), required=False, initial=True)
    files = MultipleFileField(label=_("Scanned documents"), required=False)
    comment = forms.CharField(label=_("Comment"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.agency_id = user_agency_id(user)
        self.fields["procedure"].queryset = (
            Procedure.objects.filter(agencies__id=self.agency_id).order_by("national_code")
            if self.agency_id
            else Procedure.objects.none()
        )

    def applicant(self) -> Applicant:
        data = self.cleaned_data
        return Applicant(
            name=data["applicant_name"],
            kind=data["applicant_kind"],
            id_number=data["applicant_id_number"],
            organisation=data["organisation_name"],
            address=data["applicant_address"],
            phone=data["applicant_phone"],
            email=data["applicant_email"],
        )

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        return {
            "procedure": data["procedure"],
            "applicant": self.applicant(),
            "files": uploads(data["files"]),
            "channel": data["channel"],
            "delivery": data["delivery"],
            "delivery_address": data["delivery_address"],
            "paper_dossier": data["paper_dossier"],
            "comment": data["comment"],
        }


# --- several dossiers at once (QT 17.5) ----------------------------------------------------------------


class DossierRevisionsField(forms.MultipleChoiceField):
    """The inbox's checkboxes, each "<id>:<revision>" (the revision the list showed): ``{id: revision}``."""

    def valid_value(self, value):
        return True  # any id may be sent; the form keeps only the ones the user may see

    def clean(self, value):
        items = {}
        for item in super().clean(value):
            pk, _sep, revision = item.partition(":")
            if not (pk.isdigit() and revision.isdigit()):
                raise forms.ValidationError(_("The list is out of date: reload it and select again."))
            items[int(pk)] = int(revision)
        return items


class BulkActionForm(forms.Form):
    BULK_ACTIONS = {
        Action.FORWARD.value: "dossier_forward",
        Action.RETURN_PREVIOUS.value: "dossier_return_previous",
    }

    action = forms.ChoiceField(
        label=_("Action"),
        choices=[
            (Action.FORWARD.value, _("Forward to the next step")),
            (Action.RETURN_PREVIOUS.value, _("Return to the previous step")),
        ],
    )
    # The revisions make a repeated or concurrent submission act once (a changed dossier is refused).
    dossiers = DossierRevisionsField(
        label=_("Dossiers"),
        error_messages={"required": _("Select at least one dossier.")},
    )
    comment = forms.CharField(label=_("Comment"), required=False, max_length=2000)
    next = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_dossiers(self):
        items = self.cleaned_data["dossiers"]
        visible = set(Dossier.objects.visible_to(self.user).filter(pk__in=items).values_list("pk", flat=True))
        if visible != set(items):
            raise forms.ValidationError(_("Some of the selected dossiers are not among yours."))
        return items

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("action") == Action.RETURN_PREVIOUS.value and not cleaned.get("comment", "").strip():
            self.add_error("comment", _("Say what needs explaining."))
        return cleaned

    @property
    def service(self):
        return self.BULK_ACTIONS[self.cleaned_data["action"]]

    def items(self):
        """``(dossier id, revision)`` pairs in id order, for :func:`workflow.dossiers.services.dossiers_bulk`."""
        return sorted(self.cleaned_data["dossiers"].items())
