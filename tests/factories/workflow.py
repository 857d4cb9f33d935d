"""Factories for officials, processes and dossiers."""

from decimal import Decimal

import factory
from django.contrib.auth import get_user_model
from factory.django import DjangoModelFactory

from catalog.models import Official
from tests.factories.catalog import AgencyFactory, ProcedureFactory
from workflow.models import Process, ProcessStatus, ProcessStep, StepKind


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
    """A published process; ``officials`` maps step index -> list of users allowed to hold it."""
    process = Process.objects.create(
        procedure=procedure, agency=agency, name=f"Quy trình {procedure.national_code}", status=ProcessStatus.PUBLISHED
    )
    for index, step in enumerate(steps):
        name, kind, hours = step[:3]
        step_agency = step[3] if len(step) > 3 else None
        created = ProcessStep.objects.create(
            process=process, sort_order=index, name=name, kind=kind, allowance_hours=Decimal(hours), agency=step_agency
        )
        holders = (officials or {}).get(index, [])
        if holders:
            # A ParentalManyToManyField only reaches the database on commit().
            created.officials.add(*holders)
            created.officials.commit()
    return process


__all__ = ["AgencyFactory", "ProcedureFactory", "UserFactory", "OfficialFactory", "official", "published_process"]
