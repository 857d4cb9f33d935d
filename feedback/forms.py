"""Forms of the public pages and the officials' screens. They only read input; services check the rules."""

from django import forms
from django.utils.translation import gettext_lazy as _

from catalog.models import Agency
from feedback.models import CRITERIA, FeedbackCategory, FeedbackChannel, Satisfaction
from feedback.services import MAX_ATTACHMENTS, MAX_CONTENT


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ".pdf,.jpg,.jpeg,.png,.doc,.docx"}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        if isinstance(data, (list, tuple)):
            if len(data) > MAX_ATTACHMENTS:
                raise forms.ValidationError(_("Attach at most %(n)d files.") % {"n": MAX_ATTACHMENTS})
            return [super(MultipleFileField, self).clean(item, initial) for item in data]
        return [super().clean(data, initial)] if data else []


class HoneypotMixin(forms.Form):
    """A field people never see: bots fill it, and the post is refused."""

    website = forms.CharField(
        required=False,
        label=_("Leave this empty"),
        widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"}),
    )

    def clean_website(self):
        if self.cleaned_data.get("website"):
            raise forms.ValidationError(_("This post looks automated and was not accepted."))
        return ""


class FeedbackForm(HoneypotMixin):
    sender_name = forms.CharField(label=_("Your name or your organisation's name"), max_length=255)
    sender_email = forms.EmailField(label=_("E-mail"), required=False, max_length=254)
    sender_phone = forms.RegexField(
        label=_("Phone"),
        required=False,
        max_length=20,
        regex=r"^[0-9 +().-]{6,20}$",
        error_messages={"invalid": _("Enter a valid phone number.")},
    )
    sender_address = forms.CharField(label=_("Address"), required=False, max_length=500)
    subject = forms.CharField(label=_("Subject"), max_length=255)
    content = forms.CharField(
        label=_("Your feedback or proposal"), max_length=MAX_CONTENT, widget=forms.Textarea(attrs={"rows": 8})
    )
    dossier_code = forms.CharField(label=_("Dossier code (if it concerns a dossier)"), required=False, max_length=40)
    agency = forms.ModelChoiceField(
        label=_("Agency concerned (if you know it)"), required=False, queryset=Agency.objects.active().order_by("name")
    )
    attachments = MultipleFileField(label=_("Attachments (at most 3 files, 5 MB each)"), required=False)
    not_a_complaint = forms.BooleanField(
        label=_("I understand that complaints and denunciations are not accepted through this form.")
    )

    def clean(self):
        data = super().clean()
        if not self.errors and not (data.get("sender_email") or data.get("sender_phone")):
            raise forms.ValidationError(_("Give an e-mail address or a phone number so that we can answer you."))
        return data


class LookupForm(forms.Form):
    code = forms.RegexField(label=_("Tracking code"), max_length=20, regex=r"^\s*[A-Za-z0-9]{4,20}\s*$")


class AnswersFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    agency = forms.ModelChoiceField(
        label=_("Agency"), required=False, queryset=Agency.objects.active().order_by("name")
    )
    category = forms.ModelChoiceField(
        label=_("Category"), required=False, queryset=FeedbackCategory.objects.filter(is_active=True)
    )


def _level_field(label):
    return forms.TypedChoiceField(label=label, choices=Satisfaction.choices, coerce=int, widget=forms.RadioSelect)


class RatingScoresForm(forms.Form):
    overall = _level_field(_("Overall, how satisfied are you with how your dossier was handled?"))
    guidance = _level_field(CRITERIA["guidance"])
    attitude = _level_field(CRITERIA["attitude"])
    on_time = _level_field(CRITERIA["on_time"])
    result = _level_field(CRITERIA["result"])
    cost = _level_field(CRITERIA["cost"])
    comment = forms.CharField(
        label=_("Comment (optional)"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 4})
    )


class PublicRatingForm(RatingScoresForm):
    code = forms.CharField(label=_("Dossier code"), max_length=40)
    secret = forms.CharField(label=_("Rating secret (sent with your result)"), max_length=64)

    field_order = ["code", "secret"]


class QuestionForm(HoneypotMixin):
    procedure_code = forms.CharField(label=_("Procedure code (e.g. 1.001612)"), max_length=40)
    asker_name = forms.CharField(label=_("Your name"), max_length=255)
    asker_email = forms.EmailField(label=_("E-mail (the answer is sent there)"), max_length=254)
    question = forms.CharField(label=_("Your question"), max_length=2000, widget=forms.Textarea(attrs={"rows": 6}))


# --- officials -----------------------------------------------------------------------------------------------


class OfflineFeedbackForm(forms.Form):
    channel = forms.ChoiceField(
        label=_("Received by"), choices=[c for c in FeedbackChannel.choices if c[0] != FeedbackChannel.ONLINE]
    )
    received_at = forms.DateTimeField(
        label=_("Received at"),
        required=False,
        help_text=_("Leave empty for now."),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
    )
    sender_name = forms.CharField(label=_("Sender's name"), max_length=255)
    sender_email = forms.EmailField(label=_("E-mail"), required=False)
    sender_phone = forms.CharField(label=_("Phone"), required=False, max_length=20)
    sender_address = forms.CharField(label=_("Address"), required=False, max_length=500)
    subject = forms.CharField(label=_("Subject"), max_length=255)
    content = forms.CharField(label=_("Content"), max_length=MAX_CONTENT, widget=forms.Textarea(attrs={"rows": 6}))
    dossier_code = forms.CharField(label=_("Dossier code"), required=False, max_length=40)
    category = forms.ModelChoiceField(
        label=_("Category"), required=False, queryset=FeedbackCategory.objects.filter(is_active=True)
    )
    agency = forms.ModelChoiceField(
        label=_("Responsible agency"),
        required=False,
        queryset=Agency.objects.active().order_by("name"),
        help_text=_("The centre may name any agency; officials' entries belong to their unit."),
    )


class ClassifyForm(forms.Form):
    category = forms.ModelChoiceField(label=_("Category"), queryset=FeedbackCategory.objects.filter(is_active=True))


class AssignForm(forms.Form):
    agency = forms.ModelChoiceField(label=_("Agency"), queryset=Agency.objects.active().order_by("name"))
    comment = forms.CharField(label=_("Comment"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class TextForm(forms.Form):
    text = forms.CharField(label=_("Text"), widget=forms.Textarea(attrs={"rows": 5}))


class PublishForm(forms.Form):
    public_subject = forms.CharField(label=_("Public subject"), max_length=255)
    public_content = forms.CharField(
        label=_("Public summary of the feedback"),
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("Remove names, addresses, phone numbers, ID numbers and anything else that identifies the sender."),
    )
    answer = forms.CharField(label=_("Answer"), widget=forms.Textarea(attrs={"rows": 6}))


class QuestionAnswerForm(forms.Form):
    answer = forms.CharField(label=_("Answer"), widget=forms.Textarea(attrs={"rows": 6}))


class QuestionPublishForm(forms.Form):
    question = forms.CharField(label=_("Question as published"), max_length=500)
    answer = forms.CharField(label=_("Answer as published"), widget=forms.Textarea(attrs={"rows": 6}))
