"""Citizen accounts and the personal data store (DESIGN §6; QN 13, QN 15).

* :class:`CitizenProfile` — the identity metadata of a citizen's account
  (QN 15.1: ID number / tax code as the owner's descriptive data). Fields the
  identity provider vouched for are locked once ``verified``.
* :class:`DocumentType` — the admin-edited list of kinds of personal documents.
* :class:`StoredDocument` — a file in the user's data store (QN 15.6), kept in
  the private storage and served only to its owner.

Imported by :mod:`portal.models`, so these are ``portal`` models.
"""

import os
import secrets

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from portal.core.storage import private_storage  # noqa: F401 (migrations refer to it here)

id_number_validator = RegexValidator(r"^\d{12}$", _("The citizen identity number (CCCD) has exactly 12 digits."))
tax_code_validator = RegexValidator(
    r"^\d{10}(-\d{3})?$", _("A tax code has 10 digits, or 10 digits, a hyphen and 3 digits for a branch.")
)
phone_validator = RegexValidator(r"^0\d{9,10}$", _("Enter a Vietnamese phone number such as 0912345678."))


class Gender(models.TextChoices):
    MALE = "male", _("Male")
    FEMALE = "female", _("Female")
    OTHER = "other", _("Other")


class IdentityProviderName(models.TextChoices):
    LOCAL = "local", _("E-mail or phone and password")
    VNEID = "vneid", _("VNeID (national electronic identity)")


class CitizenProfile(models.Model):
    """One citizen (or the representative of an organisation) behind a user account; never a staff account."""

    #: Locked once the profile is verified by an identity provider or an official (DESIGN §6).
    VERIFIED_FIELDS = ("full_name", "id_number", "date_of_birth", "gender", "address")

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, verbose_name=_("account"), on_delete=models.CASCADE, related_name="citizen_profile"
    )
    full_name = models.CharField(_("full name"), max_length=255)
    id_number = models.CharField(
        _("citizen identity number (CCCD)"), max_length=12, blank=True, validators=[id_number_validator]
    )
    date_of_birth = models.DateField(_("date of birth"), null=True, blank=True)
    gender = models.CharField(_("gender"), max_length=10, choices=Gender.choices, blank=True)
    address = models.CharField(_("address"), max_length=500, blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True, validators=[phone_validator])
    email = models.EmailField(_("e-mail"), blank=True)
    organisation_name = models.CharField(_("organisation name"), max_length=255, blank=True)
    tax_code = models.CharField(_("tax code"), max_length=14, blank=True, validators=[tax_code_validator])
    identity_provider = models.CharField(
        _("signed up with"), max_length=10, choices=IdentityProviderName.choices, default=IdentityProviderName.LOCAL
    )
    verified = models.BooleanField(_("identity verified"), default=False)
    verified_at = models.DateTimeField(_("verified at"), null=True, blank=True)
    external_subject = models.CharField(
        _("subject at the identity provider"),
        max_length=255,
        blank=True,
        help_text=_("The provider's stable identifier of the person (the OpenID Connect “sub” claim)."),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("citizen profile")
        verbose_name_plural = _("citizen profiles")
        constraints = [
            models.UniqueConstraint(fields=["phone"], condition=~Q(phone=""), name="citizen_phone_unique"),
            models.UniqueConstraint(fields=["email"], condition=~Q(email=""), name="citizen_email_unique"),
            models.UniqueConstraint(fields=["id_number"], condition=~Q(id_number=""), name="citizen_id_number_unique"),
            models.UniqueConstraint(
                fields=["identity_provider", "external_subject"],
                condition=~Q(external_subject=""),
                name="citizen_external_subject_unique",
            ),
        ]

    def __str__(self):
        return self.full_name

    def save(self, *args, **kwargs):
        self.email = (self.email or "").strip().lower()
        super().save(*args, **kwargs)


class DocumentType(models.Model):
    """A kind of personal document in the data store (Căn cước, Giấy khai sinh …); edited in the admin."""

    name = models.CharField(_("name"), max_length=255, unique=True)
    sort_order = models.PositiveIntegerField(_("order"), default=0)
    is_active = models.BooleanField(_("in use"), default=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("personal document type")
        verbose_name_plural = _("personal document types")
        ordering = ["sort_order", "name"]

    def __str__(self):
        return self.name


def stored_document_path(instance, filename):
    return f"store/{instance.owner_id}/{secrets.token_hex(8)}-{os.path.basename(filename)}"


class StoredDocument(models.Model):
    """A file in a citizen's personal data store (kho dữ liệu điện tử, QN 15.6): reusable when filing dossiers."""

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("owner"), on_delete=models.CASCADE, related_name="stored_documents"
    )
    doc_type = models.ForeignKey(
        DocumentType, verbose_name=_("document type"), on_delete=models.PROTECT, related_name="+"
    )
    title = models.CharField(_("title"), max_length=255)
    file = models.FileField(_("file"), upload_to=stored_document_path, storage=private_storage, max_length=500)
    original_name = models.CharField(_("file name"), max_length=255)
    size = models.PositiveBigIntegerField(_("size (bytes)"), default=0)
    content_type = models.CharField(_("content type"), max_length=100)
    source_dossier = models.ForeignKey(
        "workflow.Dossier",
        verbose_name=_("from dossier"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("added at"), auto_now_add=True)

    class Meta:
        verbose_name = _("stored document")
        verbose_name_plural = _("stored documents")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["owner", "-created_at"])]

    def __str__(self):
        return self.title
