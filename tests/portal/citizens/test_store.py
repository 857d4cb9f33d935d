"""Personal data store (QN 15): upload with content/size checks, owner-only download, delete, private storage."""

import os

import pytest
from django.core.files.storage import storages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from portal.citizens.accounts.store import owned_documents, stored_document_to_upload
from portal.citizens.models import DocumentType, StoredDocument
from tests.factories.citizens import PDF, PNG, citizen, stored_document
from tests.factories.files import ATTACKS, attack
from tests.factories.workflow import UserFactory

pytestmark = pytest.mark.django_db


def upload(client, name="can-cuoc.pdf", content=PDF, doc_type=None, title="Căn cước"):
    doc_type = doc_type or DocumentType.objects.get(name="Căn cước")
    return client.post(
        reverse("citizen:store_upload"),
        {"doc_type": doc_type.pk, "title": title, "file": SimpleUploadedFile(name, content)},
    )


def test_document_types_are_seeded_and_admin_editable():
    names = list(DocumentType.objects.values_list("name", flat=True))
    assert {"Căn cước", "Sổ hộ khẩu", "Giấy chứng nhận quyền sử dụng đất"} <= set(names)
    from wagtail.snippets.models import get_snippet_models

    assert DocumentType in get_snippet_models()


def test_upload_list_download_and_delete(client):
    user = citizen()
    client.force_login(user)
    assert upload(client, "mat truoc.png", PNG, title="").status_code == 302
    document = StoredDocument.objects.get(owner=user)
    assert (document.title, document.content_type, document.size) == ("mat truoc.png", "image/png", len(PNG))
    # kept in the private storage, outside the public media root
    assert storages["private"].exists(document.file.name)
    assert document.file.storage.location == storages["private"].location
    assert not os.path.exists(os.path.join(str(client_settings_media_root()), document.file.name))

    page = client.get(reverse("citizen:store"))
    assert page.status_code == 200 and "mat truoc.png" in page.content.decode()

    response = client.get(reverse("citizen:store_download", args=[document.pk]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PNG
    assert response["Content-Disposition"].startswith("attachment")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in response["Cache-Control"]

    assert client.get(reverse("citizen:store_delete", args=[document.pk])).status_code == 200  # confirmation page
    response = client.post(reverse("citizen:store_delete", args=[document.pk]))
    assert response.status_code == 302
    assert not StoredDocument.objects.exists()


def client_settings_media_root():
    from django.conf import settings

    return settings.MEDIA_ROOT


@pytest.mark.parametrize(
    "name, content",
    [
        ("gia-mao.pdf", b"MZ\x90\x00 this is an exe"),  # content is not a PDF
        ("anh.png", PDF),  # a PDF named .png
        ("virus.exe", b"MZ\x90\x00"),  # extension not allowed
        ("trong.pdf", b""),  # empty
    ],
)
def test_upload_refuses_files_whose_content_does_not_match(client, name, content):
    client.force_login(citizen())
    response = upload(client, name, content)
    assert response.status_code == 400
    assert "file" in response.context["form"].errors
    assert not StoredDocument.objects.exists()


@pytest.mark.parametrize("kind", ATTACKS)
def test_upload_refuses_the_attack_files_and_keeps_nothing(client, kind):
    client.force_login(citizen())
    evil = attack(kind)
    response = upload(client, evil.name, evil.read())
    assert response.status_code == 400
    assert evil.name in " ".join(response.context["form"].errors["file"])  # the message names the file
    assert not StoredDocument.objects.exists()


def test_upload_refuses_files_over_the_limit(client, settings):
    settings.DOSSIER_UPLOAD_MAX_BYTES = 1024
    client.force_login(citizen())
    response = upload(client, "lon.pdf", PDF + b"0" * 2048)
    assert response.status_code == 400 and "file" in response.context["form"].errors
    assert not StoredDocument.objects.exists()


def test_upload_refuses_an_inactive_or_unknown_type(client):
    inactive = DocumentType.objects.create(name="Loại cũ", is_active=False)
    client.force_login(citizen())
    assert upload(client, doc_type=inactive).status_code == 400
    response = client.post(
        reverse("citizen:store_upload"), {"doc_type": 999999, "title": "x", "file": SimpleUploadedFile("a.pdf", PDF)}
    )
    assert response.status_code == 400


def test_another_users_document_is_a_404(client):
    document = stored_document(citizen())
    client.force_login(citizen())
    assert client.get(reverse("citizen:store_download", args=[document.pk])).status_code == 404
    assert client.get(reverse("citizen:store_delete", args=[document.pk])).status_code == 404
    assert client.post(reverse("citizen:store_delete", args=[document.pk])).status_code == 404
    assert StoredDocument.objects.filter(pk=document.pk).exists()
    assert document.title not in client.get(reverse("citizen:store")).content.decode()


def test_staff_and_anonymous_cannot_download_stored_documents(client):
    document = stored_document(citizen())
    url = reverse("citizen:store_download", args=[document.pk])
    assert client.get(url).status_code == 302  # to sign in
    client.force_login(UserFactory())
    assert client.get(url).status_code == 403


def test_stored_document_becomes_an_upload_for_a_dossier():
    user = citizen()
    document = stored_document(user, title="Sổ đỏ", name="so-do.pdf")
    picked = owned_documents(user).get(pk=document.pk)
    upload_ = stored_document_to_upload(picked, procedure_document_id=None)
    assert upload_.name == "Sổ đỏ.pdf"
    assert upload_.content.read() == PDF
    assert list(owned_documents(citizen())) == []
