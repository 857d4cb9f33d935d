"""Citizens (accounts with a CitizenProfile), their stored documents, and their dossiers created through the
workflow services (never by writing rows directly)."""

import factory
from django.core.files.base import ContentFile
from django.utils import timezone
from factory.django import DjangoModelFactory

from catalog.officials import roles
from portal.citizens.identity import create_citizen
from portal.citizens.models import CitizenProfile, DocumentType
from tests.factories import files
from tests.factories.catalog import AgencyFactory
from tests.factories.world import build_unit, member
from workflow.dossiers import services
from workflow.dossiers.services import Applicant, Upload
from workflow.models import DocumentKind, StepKind

PASSWORD = "Mat-khau-cong-dan-2026"
PDF = files.PDF  # a real one-page PDF: uploads are parsed (portal.core.uploads)
PNG = files.image_bytes("PNG")


def pdf_file(name="giay-to.pdf", content=PDF):
    return ContentFile(content, name=name)


class CitizenUserFactory(DjangoModelFactory):
    """A citizen account (never staff) with its profile; signs in with ``email`` or ``phone`` + :data:`PASSWORD`."""

    class Meta:
        model = CitizenProfile
        exclude = ("password",)

    full_name = factory.Sequence(lambda n: f"Nguyễn Văn Dân {n}")
    email = factory.Sequence(lambda n: f"congdan{n}@example.com")
    phone = factory.Sequence(lambda n: f"09{n:08d}")
    id_number = factory.Sequence(lambda n: f"0011900{n:05d}")
    password = PASSWORD

    @classmethod
    def _create(cls, model_class, *, full_name, email, phone, password=PASSWORD, **fields):
        _user, profile = create_citizen(full_name=full_name, password=password, email=email, phone=phone, **fields)
        return profile


def citizen(**kwargs):
    """A citizen user (``user.citizen_profile`` is set)."""
    return CitizenUserFactory(**kwargs).user


class DocumentTypeFactory(DjangoModelFactory):
    class Meta:
        model = DocumentType
        django_get_or_create = ("name",)

    name = "Căn cước"


def stored_document(owner, *, title="Căn cước mặt trước", doc_type=None, name="can-cuoc.pdf", content=PDF):
    """A document in ``owner``'s data store, added through the store service (validated, private storage)."""
    from portal.citizens.accounts.store import add_stored_document

    return add_stored_document(
        owner=owner, doc_type=doc_type or DocumentTypeFactory(), title=title, file=pdf_file(name, content)
    )


def construction_unit():
    """Sở Xây dựng with a procedure, its officer and specialist, and a published 4-step process (one step at
    another agency, ``unit.other_agency``); built by :func:`tests.factories.world.build_unit`."""
    agency = AgencyFactory(name="Sở Xây dựng")
    other_agency = AgencyFactory(name="Sở Tài nguyên và Môi trường")
    unit = build_unit(
        agency=agency,
        officials={
            "officer": member(roles.RECEPTION_OFFICER, position="Cán bộ một cửa"),
            "specialist": member(roles.SPECIALIST),
        },
        steps=[
            ("Tiếp nhận hồ sơ", StepKind.RECEPTION, "1"),
            ("Phòng Quản lý xây dựng thẩm định", StepKind.PROCESSING, "5"),
            ("Lấy ý kiến Sở Tài nguyên và Môi trường", StepKind.HANDOFF, "8", other_agency),
            ("Trả kết quả", StepKind.RESULT, "1"),
        ],
        holders={0: ["officer"], 1: ["specialist"], 3: ["officer"]},
    )
    unit.other_agency = other_agency
    return unit


def submit_online(unit, user, *, organisation="", files=None, at=None):
    """An online dossier (status 1) of ``user`` through :func:`workflow.dossiers.services.dossier_submit_online`."""
    profile = user.citizen_profile
    return services.dossier_submit_online(
        applicant_user=user,
        procedure=unit.procedure,
        agency=unit.agency,
        applicant=Applicant(
            name=profile.full_name,
            kind=2 if organisation else 1,
            id_number=profile.id_number,
            organisation=organisation,
            address="Số 5 Lê Lợi",
            phone=profile.phone,
            email=profile.email,
        ),
        files=files if files is not None else [Upload("Tờ khai.pdf", pdf_file("to-khai.pdf"))],
        at=at,
    )


def receive(unit, dossier):
    return services.dossier_receive_online(actor=unit.officer, dossier_id=dossier.pk, at=timezone.now())


def request_supplement(unit, dossier, comment="Bổ sung bản vẽ mặt bằng"):
    return services.dossier_request_supplement(
        actor=unit.officer,
        dossier_id=dossier.pk,
        comment=comment,
        files=[Upload("Phiếu yêu cầu bổ sung.pdf", pdf_file("phieu.pdf"), DocumentKind.SLIP)],
    )


__all__ = [
    "PASSWORD",
    "CitizenUserFactory",
    "DocumentTypeFactory",
    "citizen",
    "construction_unit",
    "pdf_file",
    "receive",
    "request_supplement",
    "stored_document",
    "submit_online",
]
