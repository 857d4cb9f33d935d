"""The steps of online submission that follow the form's sections: documents, delivery, review."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from eforms.formfields import StoredFileInput, attached_file
from portal.core.uploads import validate_upload
from workflow.models import Delivery


class DocumentsForm(forms.Form):
    """One row per required document of the procedure: upload a file or pick one from the data store.

    A mandatory document needs one of the two (QN 13: the procedure's
    composition of the dossier); a file is checked by content and size before
    it is kept (:func:`portal.core.uploads.validate_upload`).
    """

    template_name = "eforms/includes/documents_form.html"

    def __init__(self, *args, procedure_documents=(), stored_documents=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.procedure_documents = list(procedure_documents)
        self.stored = {str(d.pk): d for d in stored_documents}
        store_choices = [("", _("— Not from my data store —"))] + [
            (str(d.pk), f"{d.title} ({d.doc_type})") for d in stored_documents
        ]
        self.rows = []
        for document in self.procedure_documents:
            file_name, pick_name = f"doc_{document.pk}", f"doc_{document.pk}_stored"
            self.fields[file_name] = forms.FileField(
                label=_("Upload a file"),
                required=False,
                widget=StoredFileInput(attrs={"accept": ".pdf,.jpg,.jpeg,.png,.doc,.docx,.xls,.xlsx,.zip"}),
            )
            if self.stored:
                self.fields[pick_name] = forms.ChoiceField(
                    label=_("or pick from my data store"), choices=store_choices, required=False
                )
            self.rows.append((document, file_name, pick_name if self.stored else None))

    def clean(self):
        cleaned = super().clean()
        for document, file_name, pick_name in self.rows:
            upload = cleaned.get(file_name)
            if upload:
                try:
                    validate_upload(upload)
                except ValidationError as error:
                    self.add_error(file_name, error)
                    continue
            picked = cleaned.get(pick_name) if pick_name else ""
            if document.mandatory and not upload and not picked and file_name not in self.errors:
                self.add_error(
                    file_name,
                    _("“%(name)s” is required: upload it or pick it from your data store.") % {"name": document.name},
                )
        return cleaned

    def chosen(self):
        """``[(procedure_document, File | StoredDocument)]`` after validation; an upload wins over a pick."""
        result = []
        for document, file_name, pick_name in self.rows:
            upload = self.cleaned_data.get(file_name)
            picked = self.cleaned_data.get(pick_name) if pick_name else ""
            if upload:
                result.append((document, upload))
            elif picked:
                result.append((document, self.stored[picked]))
        return result

    def summary(self):
        rows = []
        chosen = {d.pk: source for d, source in self.chosen()}
        for document, file_name, _pick in self.rows:
            source = chosen.get(document.pk)
            upload = None
            if source is None:
                text = ""
            elif hasattr(source, "doc_type"):
                text = _("%(title)s (from my data store)") % {"title": source.title}
            else:
                upload = attached_file(source)
                upload["input"] = self.add_prefix(file_name)  # what "Remove" posts
                text = upload["name"]
            rows.append({"name": document.name, "mandatory": document.mandatory, "text": text, "file": upload})
        return rows


class DeliveryForm(forms.Form):
    """The receiving agency and how the applicant wants notices and the result (QT 16.6)."""

    template_name = "eforms/includes/delivery_form.html"

    def __init__(self, *args, procedure=None, agencies=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.procedure = procedure
        self.agencies = {str(a.pk): a for a in agencies}
        choices = [
            (Delivery.ONLINE, _("Online (in my account and by e-mail)")),
            (Delivery.COUNTER, _("At the agency's counter")),
        ]
        if procedure is not None and procedure.postal_return:
            choices.append((Delivery.POST, _("By post to the address below")))
        self.fields["agency"] = forms.ChoiceField(
            label=_("Receiving agency"),
            choices=[(k, a.name) for k, a in self.agencies.items()],
            widget=forms.RadioSelect if len(self.agencies) > 1 else forms.HiddenInput,
        )
        if len(self.agencies) == 1:
            self.initial.setdefault("agency", next(iter(self.agencies)))
        self.fields["delivery"] = forms.ChoiceField(
            label=_("How do you want to receive the result?"), choices=choices, widget=forms.RadioSelect
        )
        self.initial.setdefault("delivery", Delivery.ONLINE)
        if procedure is not None and procedure.postal_return:
            self.fields["delivery_address"] = forms.CharField(
                label=_("Delivery address"),
                required=False,
                max_length=500,
                help_text=_("Required for delivery by post."),
            )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("delivery") == Delivery.POST and not (cleaned.get("delivery_address") or "").strip():
            self.add_error("delivery_address", _("Enter the address the result should be posted to."))
        return cleaned

    @property
    def agency(self):
        return self.agencies.get(self.cleaned_data.get("agency"))

    def summary(self):
        delivery = self.cleaned_data.get("delivery")
        return {
            "agency": self.agency.name if self.agency else "",
            "delivery": dict(self.fields["delivery"].choices).get(delivery, ""),
            "address": self.cleaned_data.get("delivery_address", "") if delivery == Delivery.POST else "",
        }


class ReviewForm(forms.Form):
    """The last step: the applicant confirms; the token makes a repeated submit land on the same dossier."""

    template_name = "eforms/includes/review_form.html"

    token = forms.CharField(widget=forms.HiddenInput)
    confirm = forms.BooleanField(label=_("I declare that the information above is true and complete."))

    def __init__(self, *args, token=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.expected_token = str(token) if token else None
        self.initial["token"] = self.expected_token

    def clean_token(self):
        token = self.cleaned_data["token"]
        if self.expected_token and token != self.expected_token:
            raise ValidationError(_("This page is out of date. Please check the summary and submit again."))
        return token
