"""Feedback deadlines to the letter (QN 18.1, TN 15.2; issue 16.7), with worked dates.

Rule: "15 ngày làm việc kể từ ngày nhận được" — the day of receipt (the calendar day on which the feedback
arrived, whatever the hour, working day or not) is not counted (Civil Code 2015 Art. 147.1); the answer is due
at the close of the 15th working day after it (17:00 with the default sessions), not 15 × 480 working minutes
after the reception minute.

Calendar: default sessions 07:30–11:30, 13:00–17:00; January 2026 has no holiday after 1/1; 30/4 (Thu) and
1/5 (Fri) 2026 are holidays; Saturday 22/8/2026 is a statutory make-up working day, 31/8–2/9 are days off.

A missed progress update: while overdue, an update is due every 5 working days; once such a due time passes
without an update, the agency (who hears of overdue feedback) and the feedback's handlers get a distinct
"progress update missed" reminder, once per missed due time.
"""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.db import IntegrityError, transaction

from feedback import services
from feedback.models import FeedbackCategory, FeedbackReminder, ReminderKind
from feedback.services import Sender
from tests.factories import AgencyFactory
from tests.factories.workflow import official
from workflow import worktime
from workflow.models import Notification, SwappedWorkingDay

pytestmark = pytest.mark.django_db
TZ = ZoneInfo("Asia/Ho_Chi_Minh")


def at(*args):
    return datetime(*args, tzinfo=TZ)


def submit(when):
    return services.feedback_submit(
        sender=Sender("Nguyễn Văn An", email="an@example.com"),
        subject="Chậm trả kết quả",
        content="Hồ sơ của tôi quá hạn mà chưa có kết quả.",
        at=when,
    )


@pytest.fixture
def fresh_calendar():
    worktime.invalidate_calendar()
    yield
    worktime.invalidate_calendar()


# --- the answer deadline -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "sent, received, due",
    [
        # Mon 5/1 10:00: day 1 is Tue 6/1 … Fri 9/1 (4), 12/1–16/1 (5–9), 19/1–23/1 (10–14), Mon 26/1 (15).
        (at(2026, 1, 5, 10, 0), at(2026, 1, 5, 10, 0), at(2026, 1, 26, 17, 0)),
        # Mon 5/1 07:30 and 16:59: the same day of receipt, the same deadline.
        (at(2026, 1, 5, 7, 30), at(2026, 1, 5, 7, 30), at(2026, 1, 26, 17, 0)),
        (at(2026, 1, 5, 16, 59), at(2026, 1, 5, 16, 59), at(2026, 1, 26, 17, 0)),
        # Fri 9/1 16:59: day 1 is Mon 12/1 … Fri 16/1 (5), 19/1–23/1 (6–10), 26/1–30/1 (11–15) → Fri 30/1 17:00.
        (at(2026, 1, 9, 16, 59), at(2026, 1, 9, 16, 59), at(2026, 1, 30, 17, 0)),
        # Fri 9/1 17:00 (the day is over) and Sat 10/1: received Mon 12/1 07:30, but the day of receipt is
        # still Fri 9/1 resp. Sat 10/1, and Monday 12/1 is day 1 → Fri 30/1 17:00 as well.
        (at(2026, 1, 9, 17, 0), at(2026, 1, 12, 7, 30), at(2026, 1, 30, 17, 0)),
        (at(2026, 1, 10, 10, 0), at(2026, 1, 12, 7, 30), at(2026, 1, 30, 17, 0)),
        # Mon 12/1 07:30: Monday is the day of receipt, Tue 13/1 day 1 … Mon 2/2 (15).
        (at(2026, 1, 12, 7, 30), at(2026, 1, 12, 7, 30), at(2026, 2, 2, 17, 0)),
        # Wed 29/4 10:00: 30/4, 1/5 and the weekend skipped, day 1 is Mon 4/5 … Fri 8/5 (5), 11/5–15/5
        # (6–10), 18/5–22/5 (11–15) → Fri 22/5 17:00.
        (at(2026, 4, 29, 10, 0), at(2026, 4, 29, 10, 0), at(2026, 5, 22, 17, 0)),
        # Fri 14/8 10:00: 17/8–21/8 (1–5), the make-up Sat 22/8 (6), 24/8–28/8 (7–11), 31/8–2/9 off,
        # Thu 3/9 (12), Fri 4/9 (13), Mon 7/9 (14), Tue 8/9 (15).
        (at(2026, 8, 14, 10, 0), at(2026, 8, 14, 10, 0), at(2026, 9, 8, 17, 0)),
    ],
)
def test_answer_due_at_the_close_of_the_15th_working_day_after_the_day_of_receipt(sent, received, due):
    feedback = submit(sent)
    assert feedback.received_at == received
    assert feedback.due_at == due


def test_an_admin_make_up_day_counts_as_a_working_day(fresh_calendar):
    # The province works Saturday 9/5/2026: received Wed 29/4 10:00 → 4/5–8/5 (1–5), Sat 9/5 (6),
    # 11/5–15/5 (7–11), 18/5–21/5 (12–15) → Thu 21/5 17:00 instead of Fri 22/5.
    SwappedWorkingDay.objects.create(date=date(2026, 5, 9), note="Làm bù")
    assert submit(at(2026, 4, 29, 10, 0)).due_at == at(2026, 5, 21, 17, 0)


def test_thai_nguyen_ten_working_days(settings):
    # TN 15.2 "10 ngày làm việc kể từ ngày tiếp nhận": Mon 5/1 10:00 → Tue 6/1 (1) … Mon 19/1 (10), 17:00.
    settings.FEEDBACK_ANSWER_WORKING_DAYS = 10
    assert submit(at(2026, 1, 5, 10, 0)).due_at == at(2026, 1, 19, 17, 0)
    # Received Wed 29/4: Mon 4/5 (1) … Fri 15/5 (10).
    assert submit(at(2026, 4, 29, 16, 0)).due_at == at(2026, 5, 15, 17, 0)


def test_close_of_working_day_after_on_a_shorter_day():
    # A province whose Fridays end at 11:30: the close of a Friday is 11:30.
    from workflow.worktime import Schedule, WorkCalendar, WorkTimeError

    week = {wd: [("07:30", "11:30"), ("13:00", "17:00")] for wd in range(4)}
    week[4] = [("07:30", "11:30")]
    calendar = WorkCalendar([Schedule.weekly(week)])
    assert calendar.close_of_working_day_after(date(2026, 1, 8), 1) == at(2026, 1, 9, 11, 30)
    assert calendar.close_of_working_day_after(date(2026, 1, 9), 1) == at(2026, 1, 12, 17, 0)
    with pytest.raises(WorkTimeError):
        calendar.close_of_working_day_after(date(2026, 1, 9), 0)


# --- a missed progress update ----------------------------------------------------------------------------------


@pytest.fixture
def world(django_user_model):
    from django.contrib.auth.models import Permission

    centre = AgencyFactory(name="Trung tâm Phục vụ hành chính công")
    supervisor = official(centre, "giamsat.fb", email="giamsat@example.gov.vn")
    supervisor.user_permissions.add(Permission.objects.get(codename="view_all_units"))
    supervisor = django_user_model.objects.get(pk=supervisor.pk)
    unit = AgencyFactory(email="sxd@example.gov.vn")
    handler = official(unit, "canbo.xuly", email="xuly@example.gov.vn")
    bystander = official(unit, "canbo.khac", email="khac@example.gov.vn")
    return supervisor, unit, handler, bystander


def started(world, when=at(2026, 4, 24, 9, 0)):
    """Received Fri 24/4/2026 → due Wed 20/5 17:00; progress updates due 27/5, 3/6, 10/6 … 17:00."""
    supervisor, unit, handler, _ = world
    feedback = submit(when)
    category = FeedbackCategory.objects.order_by("sort_order").first()
    services.feedback_classify(actor=supervisor, feedback_id=feedback.pk, category=category, at=when)
    services.feedback_assign(actor=supervisor, feedback_id=feedback.pk, agency=unit, at=when)
    return services.feedback_start(actor=handler, feedback_id=feedback.pk, at=when)


def missed_mails():
    return Notification.objects.filter(kind="feedback_reminder_update_missed")


def test_a_missed_update_warns_the_agency_and_the_handler_once(world):
    feedback = started(world)
    assert feedback.due_at == at(2026, 5, 20, 17, 0)
    assert feedback.next_update_due_at == at(2026, 5, 27, 17, 0)
    services.feedback_send_reminders(at(2026, 5, 27, 17, 0))  # due soon, overdue, overdue after 5 days
    assert not missed_mails().exists()  # at the update due time itself: not missed yet
    assert services.feedback_send_reminders(at(2026, 5, 27, 17, 1)) == 1
    assert services.feedback_send_reminders(at(2026, 5, 27, 17, 1)) == 0
    assert services.feedback_send_reminders(at(2026, 6, 1, 9, 0)) == 0
    assert sorted(missed_mails().values_list("recipient", flat=True)) == ["sxd@example.gov.vn", "xuly@example.gov.vn"]
    mail = missed_mails().get(recipient="xuly@example.gov.vn")
    assert feedback.tracking_code in mail.subject and "17:00 27/05/2026" in mail.subject
    # The overdue reminders go to the agency, not to the handler personally; the missed update is a notice apart.
    overdue = Notification.objects.filter(kind="feedback_reminder_overdue")
    assert set(overdue.values_list("recipient", flat=True)) == {"sxd@example.gov.vn"}
    reminder = FeedbackReminder.objects.get(feedback=feedback, kind=ReminderKind.UPDATE_MISSED)
    assert (reminder.seq, reminder.update_due_at) == (0, at(2026, 5, 27, 17, 0))
    # Still no update: the next due time, Wed 3/6 17:00, passes too → a second notice.
    assert services.feedback_send_reminders(at(2026, 6, 3, 17, 0)) == 1  # overdue seq 2 only
    assert services.feedback_send_reminders(at(2026, 6, 3, 17, 1)) == 1
    assert missed_mails().filter(recipient="xuly@example.gov.vn").count() == 2


def test_an_update_in_time_means_no_missed_notice_and_restarts_the_series(world):
    _, _, handler, _ = world
    feedback = started(world)
    # Posted Wed 27/5 16:00, in time: the next update is due Wed 3/6 16:00.
    feedback = services.feedback_post_update(
        actor=handler, feedback_id=feedback.pk, text="Đang xử lý.", at=at(2026, 5, 27, 16, 0)
    )
    assert feedback.next_update_due_at == at(2026, 6, 3, 16, 0)
    services.feedback_send_reminders(at(2026, 5, 27, 17, 1))
    services.feedback_send_reminders(at(2026, 6, 3, 16, 0))
    assert not missed_mails().exists()
    services.feedback_send_reminders(at(2026, 6, 3, 16, 1))
    assert FeedbackReminder.objects.get(kind=ReminderKind.UPDATE_MISSED).update_due_at == at(2026, 6, 3, 16, 0)
    # A late update (Fri 5/6 10:00) restarts the series: due Fri 12/6 10:00; missed at 10:01, seq 0 again.
    services.feedback_post_update(actor=handler, feedback_id=feedback.pk, text="Chờ ý kiến.", at=at(2026, 6, 5, 10, 0))
    services.feedback_send_reminders(at(2026, 6, 12, 10, 0))  # overdue seq 3 (the overdue cadence goes on)
    assert missed_mails().count() == 2  # the agency and the handler, for 3/6 only
    services.feedback_send_reminders(at(2026, 6, 12, 10, 1))
    assert missed_mails().count() == 4
    assert list(
        FeedbackReminder.objects.filter(kind=ReminderKind.UPDATE_MISSED)
        .order_by("update_due_at")
        .values_list("seq", "update_due_at")
    ) == [(0, at(2026, 6, 3, 16, 0)), (0, at(2026, 6, 12, 10, 0))]


def test_a_late_first_run_sends_only_the_latest_missed_update(world):
    feedback = started(world)
    # First run on Thu 4/6: the updates due 27/5 and 3/6 17:00 were both missed; one notice, for 3/6.
    services.feedback_send_reminders(at(2026, 6, 4, 9, 0))
    assert list(
        FeedbackReminder.objects.filter(feedback=feedback, kind=ReminderKind.UPDATE_MISSED).values_list(
            "seq", "update_due_at"
        )
    ) == [(1, at(2026, 6, 3, 17, 0))]


def test_an_unassigned_overdue_feedback_warns_the_centre():
    feedback = submit(at(2026, 4, 24, 9, 0))  # nobody classified or assigned it
    from django.test import override_settings

    with override_settings(FEEDBACK_CENTRE_EMAILS=["trungtam@example.gov.vn"]):
        services.feedback_send_reminders(at(2026, 5, 27, 17, 1))
    assert list(missed_mails().values_list("recipient", flat=True)) == ["trungtam@example.gov.vn"]
    assert FeedbackReminder.objects.filter(feedback=feedback, kind=ReminderKind.UPDATE_MISSED).count() == 1


def test_an_answered_feedback_has_no_update_to_miss(world):
    _, _, handler, _ = world
    feedback = started(world)
    services.feedback_answer(actor=handler, feedback_id=feedback.pk, answer="Đã xử lý.", at=at(2026, 5, 26, 9, 0))
    services.feedback_send_reminders(at(2026, 6, 10, 9, 0))
    assert not missed_mails().exists()


def test_one_notice_per_update_due_time_even_from_parallel_runs(world):
    feedback = started(world)
    FeedbackReminder.objects.create(
        feedback=feedback,
        kind=ReminderKind.UPDATE_MISSED,
        seq=0,
        update_due_at=at(2026, 5, 27, 17, 0),
        sent_at=at(2026, 5, 27, 17, 1),
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        FeedbackReminder.objects.create(
            feedback=feedback,
            kind=ReminderKind.UPDATE_MISSED,
            seq=5,
            update_due_at=at(2026, 5, 27, 17, 0),
            sent_at=at(2026, 5, 28, 9, 0),
        )
    # The run that finds it recorded sends nothing for that due time.
    services.feedback_send_reminders(at(2026, 5, 28, 9, 0))
    assert not missed_mails().exists()
