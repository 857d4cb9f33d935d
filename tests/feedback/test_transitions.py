"""The feedback transitions table (feedback/transitions.py) against the services that apply it, and the admin.

Every action is offered (``allowed_actions``) in exactly the statuses in which its service accepts it: each
service is called with valid input on feedback in each status, and refuses with ``WrongState`` precisely where
the table does not list the status.
"""

import pytest
from django.core.cache import cache
from django.utils.translation import gettext

from feedback import services, transitions
from feedback.admin_views import ACTIONS
from feedback.errors import WrongState
from feedback.models import Feedback, FeedbackAction, FeedbackCategory, FeedbackStatus
from feedback.services import Sender
from tests.factories import AgencyFactory
from tests.factories.workflow import official

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _clear_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def world(django_user_model):
    from django.contrib.auth.models import Permission

    centre = official(AgencyFactory(name="Trung tâm Phục vụ hành chính công"), "giamsat.tr")
    centre.user_permissions.add(Permission.objects.get(codename="view_all_units"))
    return {
        "actor": django_user_model.objects.get(pk=centre.pk),
        "category": FeedbackCategory.objects.order_by("sort_order").first(),
        "a": AgencyFactory(),
        "b": AgencyFactory(),
    }


def feedback_in(world, status, *, classified=True, with_agency=True):
    feedback = services.feedback_submit(
        sender=Sender("Nguyễn Văn An", email="an@example.com"), subject="Chậm trả kết quả", content="Quá hạn."
    )
    Feedback.objects.filter(pk=feedback.pk).update(
        status=status,
        category=world["category"] if classified else None,
        agency=world["a"] if with_agency else None,
    )
    return Feedback.objects.get(pk=feedback.pk)


def call(world, action, feedback):
    """The action's service with valid input; ``None`` if it was accepted, else the ``WrongState`` raised."""
    common = {"actor": world["actor"], "feedback_id": feedback.pk}
    calls = {
        FeedbackAction.CLASSIFY: lambda: services.feedback_classify(category=world["category"], **common),
        FeedbackAction.ASSIGN: lambda: services.feedback_assign(agency=world["b"], **common),
        FeedbackAction.FORWARD: lambda: services.feedback_forward(agency=world["b"], comment="Thẩm quyền", **common),
        FeedbackAction.START: lambda: services.feedback_start(**common),
        FeedbackAction.UPDATE: lambda: services.feedback_post_update(text="Đang xác minh.", **common),
        FeedbackAction.ANSWER: lambda: services.feedback_answer(answer="Đã xử lý.", **common),
        FeedbackAction.PUBLISH: lambda: services.feedback_publish(
            public_subject="Chậm trả kết quả", public_content="Đã xử lý.", **common
        ),
        FeedbackAction.REJECT: lambda: services.feedback_reject(reason="Khiếu nại", **common),
    }
    assert set(calls) == set(transitions.TRANSITIONS)
    try:
        calls[action]()
    except WrongState as error:
        return error
    return None


@pytest.mark.parametrize("status", FeedbackStatus.values)
def test_every_action_is_offered_exactly_where_its_service_accepts_it(world, status):
    for action in transitions.TRANSITIONS:
        feedback = feedback_in(world, status)
        offered = action in transitions.allowed_actions(feedback)
        refused = call(world, action, feedback)
        assert offered == (refused is None), (status, action, refused)
        assert offered == (status in transitions.TRANSITIONS[action])


@pytest.mark.parametrize(
    ("action", "status", "kwargs"),
    [
        (FeedbackAction.ASSIGN, FeedbackStatus.RECEIVED, {"classified": False}),
        (FeedbackAction.FORWARD, FeedbackStatus.ASSIGNED, {"classified": False}),
        (FeedbackAction.FORWARD, FeedbackStatus.IN_PROGRESS, {"with_agency": False}),
    ],
)
def test_the_guards_beyond_the_status_hold_on_both_sides(world, action, status, kwargs):
    feedback = feedback_in(world, status, **kwargs)
    assert action not in transitions.allowed_actions(feedback)
    assert call(world, action, feedback) is not None


def test_refusals_name_the_status_or_the_action_to_take_instead(world):
    assert call(world, FeedbackAction.ASSIGN, feedback_in(world, FeedbackStatus.ASSIGNED)).message == gettext(
        "The feedback is already assigned; forward it instead."
    )
    assert call(world, FeedbackAction.FORWARD, feedback_in(world, FeedbackStatus.CLASSIFIED)).message == gettext(
        "Assign the feedback to an agency first."
    )
    assert call(
        world, FeedbackAction.ASSIGN, feedback_in(world, FeedbackStatus.RECEIVED, classified=False)
    ).message == (gettext("Classify the feedback before assigning it."))
    answered = feedback_in(world, FeedbackStatus.ANSWERED)
    assert call(world, FeedbackAction.START, answered).message == gettext(
        "This action is not possible while the feedback is “%(status)s”."
    ) % {"status": answered.get_status_display()}


def test_the_admin_offers_the_actions_of_the_table():
    assert list(ACTIONS) == list(transitions.TRANSITIONS)
