"""The designer's world: Sở Xây dựng (A) with its officials in their role groups and unit admin, Sở Tài chính (B)
for hand-offs, a 40-working-hour procedure both implement and its province-wide default process."""

from decimal import Decimal

import pytest
from wagtail.users.models import UserProfile

from catalog.models import TimeUnit
from catalog.officials import roles
from tests.factories import ProcedureFactory
from tests.factories.workflow import UserFactory
from tests.factories.world import build_unit, member
from workflow.models import ProcessStatus, StepKind
from workflow.processes.services import StepSpec, process_build


def in_english(user):
    """The tests read the English source strings (the site default is vi)."""
    profile = UserProfile.get_for_user(user)
    profile.preferred_language = "en"
    profile.save()
    return user


@pytest.fixture
def home():
    unit = build_unit(
        "000.00.15.H99",
        "Sở Xây dựng",
        procedure=False,
        officials={
            "officer": member(roles.RECEPTION_OFFICER, username="motcua.a", first_name="Một", last_name="Lê Thị"),
            "specialist": member(roles.SPECIALIST, username="chuyenvien.a", first_name="Chuyên", last_name="Phạm Văn"),
            "leader": member(roles.LEADER, username="lanhdao.a", first_name="Lãnh", last_name="Hoàng Văn"),
            "admin": member(roles.UNIT_ADMIN, username="quantri.a", first_name="Quản", last_name="Trần Văn"),
        },
    )
    for user in unit.officials.values():
        in_english(user)
    return unit


@pytest.fixture
def other():
    return build_unit(
        "000.00.16.H99",
        "Sở Tài chính",
        procedure=False,
        officials={"specialist": member(roles.SPECIALIST, username="chuyenvien.b", first_name="Tài", last_name="Vũ")},
    )


@pytest.fixture
def procedure(home, other):
    return ProcedureFactory(
        agencies=[home.agency, other.agency], processing_time=Decimal("5"), processing_time_unit=TimeUnit.DAY
    )


DEFAULT_STEPS = [
    ("Tiếp nhận hồ sơ", StepKind.RECEPTION, "4"),
    ("Thẩm định hồ sơ", StepKind.PROCESSING, "24"),
    ("Lấy ý kiến Sở Tài chính", StepKind.HANDOFF, "4"),
    ("Lãnh đạo phê duyệt", StepKind.APPROVAL, "4"),
    ("Trả kết quả", StepKind.RESULT, "4"),
]


@pytest.fixture
def default_process(procedure, other):
    """The province's default process (no agency): 40 working hours in five steps, one a hand-off to B."""
    return process_build(
        procedure=procedure,
        name="Quy trình mặc định",
        status=ProcessStatus.PUBLISHED,
        steps=[
            StepSpec(name, kind, Decimal(hours), agency=other.agency if kind == StepKind.HANDOFF else None)
            for name, kind, hours in DEFAULT_STEPS
        ],
    )


@pytest.fixture
def superuser():
    return in_english(UserFactory(username="quantri", is_staff=True, is_superuser=True))


@pytest.fixture(autouse=True)
def english():
    """The services' messages in English, the language the tests read (the screens' users are set to English)."""
    from django.utils import translation

    with translation.override("en"):
        yield
