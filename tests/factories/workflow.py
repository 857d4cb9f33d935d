"""Factories for officials, processes and dossiers."""

from decimal import Decimal

import factory
from django.contrib.auth import get_user_model
from factory.django import DjangoModelFactory

from catalog.models import Official
from tests.factories.catalog import AgencyFactory, ProcedureFactory
from workflow.models import ProcessStatus, StepKind
from workflow.processes.services import StepSpec, process_build


class UserFactory(DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"canbo{n}")
    first_name = factory.Sequence(lambda n: f"Cán bộ {n}")
    last_name = "Nguyễn"
    email = factory.Sequence(lambda n: f"canbo{n}@example.gov.vn")
    is_staff = True
    password = factory.django.Password("Mat-khau-2026!")


class OfficialFactory(DjangoModelFactory):
    class Meta:
        model = Official

    user = factory.SubFactory(UserFactory)
    agency = factory.SubFactory(AgencyFactory)
    position = "Chuyên viên"


def official(agency, username=None, position="Chuyên viên", **user_fields):
    """A staff user who is an official of ``agency``."""
    kwargs = {"username": username} if username else {}
    user = UserFactory(**kwargs, **user_fields)
    OfficialFactory(user=user, agency=agency, position=position)
    return user


DEFAULT_STEPS = [
    ("Tiếp nhận hồ sơ", StepKind.RECEPTION, "1"),
    ("Thẩm định hồ sơ", StepKind.PROCESSING, "5"),
    ("Phê duyệt", StepKind.APPROVAL, "1"),
    ("Trả kết quả", StepKind.RESULT, "1"),
]


def published_process(procedure, agency=None, steps=DEFAULT_STEPS, officials=None):
    """A published process, built by the designer's service (its rules apply); ``steps`` are
    ``(name, kind, hours[, hand-off agency])``, ``officials`` maps step index -> users allowed to hold it."""
    return process_build(
        procedure=procedure,
        agency=agency,
        name=f"Quy trình {procedure.national_code}",
        status=ProcessStatus.PUBLISHED,
        version=1,
        steps=[
            StepSpec(
                step[0],
                step[1],
                Decimal(step[2]),
                agency=step[3] if len(step) > 3 else None,
                officials=list((officials or {}).get(index, [])),
            )
            for index, step in enumerate(steps)
        ],
    )


__all__ = ["AgencyFactory", "ProcedureFactory", "UserFactory", "OfficialFactory", "official", "published_process"]
