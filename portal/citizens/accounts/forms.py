"""Forms of the citizen area. Field markup is Django's accessible default (labels, help text and errors linked
by ``aria-describedby``, ``aria-invalid``), rendered by ``citizen/includes/field.html``."""

from django import forms
from django.contrib.auth import get_user_model, password_validation
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from portal.citizens.accounts.store import document_types, owned_documents
from portal.citizens.identity import LocalPasswordProvider, create_citizen, normalize_phone
from portal.citizens.models import CitizenProfile, StoredDocument, phone_validator
from portal.core.uploads import validate_upload

MAX_FILES = 10


def _clean_phone(value, *, exclude_user=None):
    phone = normalize_phone(value)
    if not phone:
        return ""
    phone_validator(phone)
    taken = CitizenProfile.objects.filter(phone=phone)
    if exclude_user is not None:
        taken = taken.exclude(user=exclude_user)
    if taken.exists():
        raise ValidationError(_("An account with this phone number already exists."), code="phone_taken")
    return phone


def _clean_email(value, *, exclude_user=None):
    email = (value or "").strip().lower()
    if not email:
        return ""
    taken = CitizenProfile.objects.filter(email=email)
    if exclude_user is not None:
        taken = taken.exclude(user=exclude_user)
    if taken.exists():
        raise ValidationError(_("An account with this e-mail address already exists."), code="email_taken")
    return email


class SignUpForm(forms.Form):
    full_name = forms.CharField(
        label=_("Full name"), max_length=255, widget=forms.TextInput(attrs={"autocomplete": "name"})
    )
    email = forms.EmailField(
        label=_("E-mail"),
        required=False,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
        help_text=_("Give an e-mail address, a phone number or both."),
    )
    phone = forms.CharField(
        label=_("Mobile phone number"),
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel"}),
        help_text=_("For example 0912345678."),
    )
    password1 = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("At least 10 characters; not only digits."),
    )
    password2 = forms.CharField(
        label=_("Password again"), strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )
    accept_terms = forms.BooleanField(label=_("I accept the terms of use of the portal."))

    def clean_email(self):
        return _clean_email(self.cleaned_data.get("email"))

    def clean_phone(self):
        return _clean_phone(self.cleaned_data.get("phone"))

    def clean(self):
        data = super().clean()
        if (
            not self.errors.get("email")
            and not self.errors.get("phone")
            and not data.get("email")
            and not data.get("phone")
        ):
            self.add_error("email", _("Give an e-mail address or a phone number to sign in with."))
        password1, password2 = data.get("password1"), data.get("password2")
        if password1 and password2 and password1 != password2:
            self.add_error("password2", _("The two passwords do not match."))
        elif password1:
            probe = get_user_model()(
                email=data.get("email") or "", first_name=data.get("full_name") or "", username=data.get("phone") or ""
            )
            try:
                password_validation.validate_password(password1, probe)
            except ValidationError as error:
                self.add_error("password1", error)
        return data

    def save(self):
        data = self.cleaned_data
        user, _profile = create_citizen(
            full_name=data["full_name"].strip(), password=data["password1"], email=data["email"], phone=data["phone"]
        )
        return user


class SignInForm(AuthenticationForm):
    """E-mail or phone number in the username box (LocalPasswordProvider → the authentication backends)."""

    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": _(
            "The e-mail or phone number and password do not match an account. Passwords are case-sensitive."
        ),
    }

    def __init__(self, request=None, *args, **kwargs):
        super().__init__(request, *args, **kwargs)
        self.fields["username"].label = _("E-mail or phone number")
        self.fields["username"].max_length = 254
        self.fields["username"].widget.attrs.update({"autocomplete": "username", "maxlength": 254})
        self.fields["password"].label = _("Password")

    def clean(self):
        identifier = self.cleaned_data.get("username")
        password = self.cleaned_data.get("password")
        if identifier is not None and password:
            self.user_cache = LocalPasswordProvider().authenticate(self.request, identifier, password)
            if self.user_cache is None:
                raise self.get_invalid_login_error()
            self.confirm_login_allowed(self.user_cache)
        return self.cleaned_data

    def confirm_login_allowed(self, user):
        super().confirm_login_allowed(user)
        if user.is_staff or user.is_superuser:  # officials sign in to the admin, with their second factor
            raise self.get_invalid_login_error()


class PasswordResetRequestForm(forms.Form):
    """The citizen's "forgotten password" form: the e-mail or phone number they sign in with."""

    identifier = forms.CharField(
        label=_("E-mail or phone number"),
        max_length=254,
        widget=forms.TextInput(attrs={"autocomplete": "username"}),
        help_text=_("The one you sign in with. We send the link to your e-mail, or by text message."),
    )


class ProfileForm(forms.ModelForm):
    class Meta:
        model = CitizenProfile
        fields = [
            "full_name",
            "id_number",
            "date_of_birth",
            "gender",
            "address",
            "phone",
            "email",
            "organisation_name",
            "tax_code",
        ]
        widgets = {
            "date_of_birth": forms.DateInput(attrs={"type": "date", "autocomplete": "bday"}, format="%Y-%m-%d"),
            "full_name": forms.TextInput(attrs={"autocomplete": "name"}),
            "address": forms.TextInput(attrs={"autocomplete": "street-address"}),
            "phone": forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel"}),
            "email": forms.EmailInput(attrs={"autocomplete": "email"}),
            "id_number": forms.TextInput(attrs={"inputmode": "numeric", "maxlength": 12}),
        }
        help_texts = {
            "id_number": _("12 digits, as printed on your citizen identity card."),
            "organisation_name": _("Only if you file dossiers for a business or organisation."),
            "tax_code": _("The organisation's tax code, if any."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.locked = self.instance.verified
        if self.locked:
            for name in CitizenProfile.VERIFIED_FIELDS:
                self.fields[name].disabled = True  # posted values are ignored; the verified ones stay
                self.fields[name].help_text = _("Verified; it cannot be changed here.")

    def clean_phone(self):
        return _clean_phone(self.cleaned_data.get("phone"), exclude_user=self.instance.user)

    def clean_email(self):
        return _clean_email(self.cleaned_data.get("email"), exclude_user=self.instance.user)

    def clean_id_number(self):
        value = (self.cleaned_data.get("id_number") or "").strip()
        if (
            value
            and not self.locked
            and CitizenProfile.objects.filter(id_number=value).exclude(user=self.instance.user).exists()
        ):
            raise ValidationError(_("This ID number is registered to another account. Please contact support."))
        return value

    def clean(self):
        data = super().clean()
        if "phone" in data and "email" in data and not data["phone"] and not data["email"]:
            self.add_error("email", _("Keep an e-mail address or a phone number to sign in with."))
        return data

    def save(self, commit=True):
        profile = super().save(commit=False)
        user = profile.user
        if commit:
            profile.save()
            user.email = profile.email
            user.first_name = profile.full_name[:150]
            user.last_name = ""
            user.save(update_fields=["email", "first_name", "last_name"])
        return profile


class StoredDocumentForm(forms.Form):
    doc_type = forms.ModelChoiceField(label=_("Type of document"), queryset=None, empty_label=None)
    title = forms.CharField(
        label=_("Title"),
        max_length=255,
        required=False,
        help_text=_("For example “Căn cước – mặt trước”. Leave empty to use the file name."),
    )
    file = forms.FileField(label=_("File"), help_text=_("PDF, JPG, PNG, DOC, DOCX, XLS, XLSX or ZIP; at most 20 MB."))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["doc_type"].queryset = document_types()

    def clean_file(self):
        file = self.cleaned_data["file"]
        validate_upload(file)
        return file


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, (list, tuple)):
            return [single(item, initial) for item in data if item]
        return [single(data, initial)] if data else []


class SupplementForm(forms.Form):
    """Answer a supplement request: new files and/or documents picked from the data store."""

    revision = forms.IntegerField(widget=forms.HiddenInput)
    files = MultipleFileField(
        label=_("Upload files"),
        required=False,
        help_text=_("You can choose several files. PDF, JPG, PNG, DOC, DOCX, XLS, XLSX or ZIP; at most 20 MB each."),
    )
    stored = forms.ModelMultipleChoiceField(
        label=_("Or pick from your data store"), queryset=None, required=False, widget=forms.CheckboxSelectMultiple
    )
    comment = forms.CharField(
        label=_("Message to the agency (optional)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["stored"].queryset = owned_documents(user)
        self.fields["stored"].label_from_instance = lambda d: f"{d.title} ({d.doc_type.name})"

    def clean_files(self):
        files = self.cleaned_data.get("files") or []
        errors = []
        for file in files:
            try:
                validate_upload(file)
            except ValidationError as error:
                errors.extend(error.messages)
        if errors:
            raise ValidationError(errors)
        return files

    def clean(self):
        data = super().clean()
        count = len(data.get("files") or []) + len(data.get("stored") or [])
        if not self.errors and count == 0:
            self.add_error("files", _("Attach the requested documents: upload them or pick them from your data store."))
        elif count > MAX_FILES:
            self.add_error("files", _("Attach at most %(count)d files at a time.") % {"count": MAX_FILES})
        return data


class WithdrawalForm(forms.Form):
    revision = forms.IntegerField(widget=forms.HiddenInput)
    reason = forms.CharField(
        label=_("Why do you want to withdraw the dossier?"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )
    file = forms.FileField(
        label=_("Signed withdrawal request (optional)"), required=False, help_text=_("PDF, JPG or PNG; at most 20 MB.")
    )

    def clean_file(self):
        file = self.cleaned_data.get("file")
        if file:
            validate_upload(file)
        return file


class DeleteForm(forms.Form):
    """Confirms a deletion (POST with the CSRF token)."""


__all__ = [
    "SignUpForm",
    "SignInForm",
    "ProfileForm",
    "StoredDocumentForm",
    "SupplementForm",
    "WithdrawalForm",
    "DeleteForm",
    "StoredDocument",
]
