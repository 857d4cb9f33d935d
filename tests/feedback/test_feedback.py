"""Feedback (phản ánh, kiến nghị): deadlines with worked dates, cadence, reminders, scoping, public pages, API.

Worked calendar (VN statutory holidays from the ``holidays`` package, default sessions 07:30–11:30, 13:00–17:00):
Hùng Kings' day 2026 (10/3 lunar) is Sunday 26 April, so the day off is observed Monday 27 April; 30 April
(Thu) and 1 May (Fri) are holidays; 2–3 May is a weekend. The answer is due at the close (17:00) of the 15th
working day after the day of receipt (that day not counted, QN 18.1; tests/feedback/test_feedback_deadlines.py);
a progress update every 5 × 480 working minutes after it.
"""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils.translation import gettext

from catalog.officials.scoping import visible_agency_ids
from feedback import questions, selectors, services
from feedback.errors import InvalidFeedback, NotAllowed, StaleForm, WrongState
from feedback.models import (
    Feedback,
    FeedbackCategory,
    FeedbackChannel,
    FeedbackEvent,
    FeedbackReminder,
    FeedbackStatus,
    ImmutableFeedbackEvent,
    Question,
    QuestionStatus,
    ReminderKind,
)
from feedback.services import Sender
from tests.factories import AgencyFactory, ProcedureFactory
from tests.factories.files import ATTACKS, PDF, attack
from tests.factories.workflow import UserFactory, official
from workflow.models import Notification

pytestmark = pytest.mark.django_db
TZ = ZoneInfo("Asia/Ho_Chi_Minh")


def at(*args):
    return datetime(*args, tzinfo=TZ)


@pytest.fixture(autouse=True)
def _clear_cache():
    cache.clear()  # rate-limit counters live in the cache
    yield
    cache.clear()


@pytest.fixture
def category():
    return FeedbackCategory.objects.order_by("sort_order").first()  # seeded by migration 0002


@pytest.fixture
def centre_user(django_user_model):
    from django.contrib.auth.models import Permission

    centre = AgencyFactory(name="Trung tâm Phục vụ hành chính công")
    user = official(centre, "giamsat.fb", email="giamsat@example.gov.vn")
    user.user_permissions.add(Permission.objects.get(codename="view_all_units"))
    return django_user_model.objects.get(pk=user.pk)  # fresh permission cache


@pytest.fixture
def units():
    a, b = AgencyFactory(email="sxd@example.gov.vn"), AgencyFactory(email="stp@example.gov.vn")
    return a, b, official(a, "canbo.a"), official(b, "canbo.b")


def submit(when=at(2026, 4, 24, 9, 0), **kwargs):
    data = {
        "sender": Sender("Nguyễn Văn An", email="an@example.com", phone="0912345678"),
        "subject": "Chậm trả kết quả",
        "content": "Hồ sơ của tôi quá hạn mà chưa có kết quả.",
        "at": when,
    }
    data.update(kwargs)
    return services.feedback_submit(**data)


def assigned(centre_user, category, agency, when=at(2026, 4, 24, 9, 0)):
    feedback = submit(when)
    services.feedback_classify(actor=centre_user, feedback_id=feedback.pk, category=category, at=when)
    return services.feedback_assign(actor=centre_user, feedback_id=feedback.pk, agency=agency, at=when)


# --- deadlines with worked dates ---------------------------------------------------------------------


def test_deadline_15_working_days_across_hung_kings_and_30_4_1_5():
    # Received Fri 24/04/2026 09:00. Working days after it: Tue 28/4 (1), Wed 29/4 (2) — Mon 27/4 is the
    # observed Hùng Kings day, 30/4 and 1/5 are holidays — Mon 4/5 (3) … Fri 8/5 (7), Mon 11/5 (8) … Fri 15/5
    # (12), Mon 18/5 (13), Tue 19/5 (14), Wed 20/5 (15), to its close. Without the three holidays: Fri 15/5.
    feedback = submit(at(2026, 4, 24, 9, 0))
    assert feedback.received_at == at(2026, 4, 24, 9, 0)
    assert feedback.due_at == at(2026, 5, 20, 17, 0)
    # The first progress update (if still unanswered) is due 5 working days after the deadline:
    # Thu 21/5 (1), Fri 22/5 (2), Mon 25/5 (3), Tue 26/5 (4), Wed 27/5 (5), at its close.
    assert feedback.next_update_due_at == at(2026, 5, 27, 17, 0)


def test_deadline_10_working_days_in_thai_nguyen(settings):
    # TN 15.2: 10 working days. Same count as above, stopping at the 10th: Wed 13/5/2026, 17:00.
    settings.FEEDBACK_ANSWER_WORKING_DAYS = 10
    assert submit(at(2026, 4, 24, 9, 0)).due_at == at(2026, 5, 13, 17, 0)


def test_reception_outside_working_time_counts_from_next_session():
    # Sent Saturday 25/4 22:00 → received at the next session, Tue 28/4 07:30 (Sun 26/4, and Mon 27/4 the
    # observed Hùng Kings day, are skipped). The day of receipt, Sat 25/4, is not counted; the first working day
    # after it is 28/4: 28/4 (1), 29/4 (2), 4/5–8/5 (3–7), 11/5–15/5 (8–12), 18/5 (13), 19/5 (14), 20/5 (15)
    # → Wed 20/5 17:00, the same as for Friday 24/4 09:00.
    feedback = submit(at(2026, 4, 25, 22, 0))
    assert feedback.received_at == at(2026, 4, 28, 7, 30)
    assert feedback.due_at == at(2026, 5, 20, 17, 0)


# --- the 5-working-day update cadence -------------------------------------------------------------------


def test_progress_update_cadence(centre_user, category, units):
    a, _b, official_a, _ = units
    feedback = assigned(centre_user, category, a)
    # An update before the deadline does not move the first overdue update (due 27/5 17:00).
    feedback = services.feedback_post_update(
        actor=official_a, feedback_id=feedback.pk, text="Đang xác minh.", at=at(2026, 5, 4, 10, 0)
    )
    assert feedback.status == FeedbackStatus.IN_PROGRESS
    assert feedback.next_update_due_at == at(2026, 5, 27, 17, 0)
    # Overdue since 20/5; update posted Fri 29/5 14:00 → next one 5 working days later:
    # Mon 1/6 (1), Tue 2/6 (2), Wed 3/6 (3), Thu 4/6 (4), Fri 5/6 (5) at 14:00.
    feedback = services.feedback_post_update(
        actor=official_a, feedback_id=feedback.pk, text="Đang phối hợp với Sở Tư pháp.", at=at(2026, 5, 29, 14, 0)
    )
    assert feedback.next_update_due_at == at(2026, 6, 5, 14, 0)
    # The sender sees every update.
    lookup = selectors.feedback_lookup(feedback.tracking_code)
    assert [u["text"] for u in lookup.updates if u["text"]] == ["Đang xác minh.", "Đang phối hợp với Sở Tư pháp."]
    assert Notification.objects.filter(kind="feedback_update", recipient="an@example.com").count() == 2


# --- publish within 2 working days ------------------------------------------------------------------------


def test_publish_within_two_working_days(centre_user, category, units):
    a, _b, official_a, _ = units
    feedback = assigned(centre_user, category, a)
    # Answered Wed 29/4 10:00 → 30/4 and 1/5 are holidays → Mon 4/5 (1), Tue 5/5 (2): publish by 5/5 10:00.
    feedback = services.feedback_answer(
        actor=official_a, feedback_id=feedback.pk, answer="Đã trả kết quả.", at=at(2026, 4, 29, 10, 0)
    )
    assert feedback.publish_due_at == at(2026, 5, 5, 10, 0)
    assert services.published_on_time(feedback) is None
    published = services.feedback_publish(
        actor=official_a,
        feedback_id=feedback.pk,
        public_subject="Chậm trả kết quả",
        public_content="Công dân phản ánh hồ sơ chậm.",
        at=at(2026, 5, 5, 10, 0),
    )
    assert published.status == FeedbackStatus.PUBLISHED
    assert services.published_on_time(published) is True


def test_publish_one_minute_late_is_late(centre_user, category, units):
    a, _b, official_a, _ = units
    feedback = assigned(centre_user, category, a)
    services.feedback_answer(actor=official_a, feedback_id=feedback.pk, answer="Trả lời.", at=at(2026, 4, 29, 10, 0))
    published = services.feedback_publish(
        actor=official_a, feedback_id=feedback.pk, public_subject="S", public_content="C", at=at(2026, 5, 5, 10, 1)
    )
    assert services.published_on_time(published) is False


# --- lifecycle, events, history ----------------------------------------------------------------------------


def test_full_lifecycle_records_every_change_with_who_and_when(centre_user, category, units):
    a, b, official_a, official_b = units
    feedback = submit()
    assert feedback.status == FeedbackStatus.RECEIVED and feedback.channel == FeedbackChannel.ONLINE
    services.feedback_classify(actor=centre_user, feedback_id=feedback.pk, category=category)
    services.feedback_assign(actor=centre_user, feedback_id=feedback.pk, agency=a)
    with pytest.raises(InvalidFeedback):
        services.feedback_forward(actor=official_a, feedback_id=feedback.pk, agency=b, comment="")
    services.feedback_forward(actor=official_a, feedback_id=feedback.pk, agency=b, comment="Thuộc thẩm quyền STP")
    with pytest.raises(NotAllowed):  # forwarded away: no longer in A's scope
        services.feedback_start(actor=official_a, feedback_id=feedback.pk)
    services.feedback_start(actor=official_b, feedback_id=feedback.pk)
    services.feedback_answer(actor=official_b, feedback_id=feedback.pk, answer="Đã xử lý.")
    services.feedback_publish(actor=official_b, feedback_id=feedback.pk, public_subject="S", public_content="C")
    events = list(FeedbackEvent.objects.filter(feedback=feedback))
    assert [e.action for e in events] == ["submit", "classify", "assign", "forward", "start", "answer", "publish"]
    forward = events[3]
    assert (forward.actor, forward.actor_agency, forward.from_agency, forward.to_agency) == (official_a, a, a, b)
    assert all(e.at for e in events)
    assert Feedback.history.filter(id=feedback.pk).count() >= 7
    with pytest.raises(ImmutableFeedbackEvent):
        events[0].save()
    with pytest.raises(ImmutableFeedbackEvent):
        FeedbackEvent.objects.filter(feedback=feedback).delete()


def test_reject_out_of_scope_with_reason(centre_user):
    feedback = submit(content="Tôi tố cáo cán bộ nhận hối lộ.")
    with pytest.raises(InvalidFeedback):
        services.feedback_reject(actor=centre_user, feedback_id=feedback.pk, reason="  ")
    feedback = services.feedback_reject(
        actor=centre_user, feedback_id=feedback.pk, reason="Đơn tố cáo không thuộc phạm vi tiếp nhận (QT 26.2)."
    )
    assert feedback.status == FeedbackStatus.REJECTED
    assert "QT 26.2" in selectors.feedback_lookup(feedback.tracking_code).rejection_reason
    with pytest.raises(WrongState):
        services.feedback_answer(actor=centre_user, feedback_id=feedback.pk, answer="x")


def test_assign_requires_classification_and_stale_form_refused(centre_user, category, units):
    a, *_ = units
    feedback = submit()
    with pytest.raises(WrongState):
        services.feedback_assign(actor=centre_user, feedback_id=feedback.pk, agency=a)
    feedback = services.feedback_classify(actor=centre_user, feedback_id=feedback.pk, category=category)
    with pytest.raises(StaleForm):
        services.feedback_assign(actor=centre_user, feedback_id=feedback.pk, agency=a, revision=feedback.revision - 1)


def test_official_enters_phone_feedback_for_own_unit(units, category):
    a, b, official_a, _ = units
    feedback = services.feedback_enter(
        actor=official_a,
        channel=FeedbackChannel.PHONE,
        sender=Sender("Trần Thị Bình", phone="0987654321"),
        subject="Cán bộ hẹn nhiều lần",
        content="Gọi điện phản ánh.",
        received_at=at(2026, 4, 24, 9, 0),
        category=category,
        at=at(2026, 4, 28, 10, 0),
    )
    assert (feedback.channel, feedback.agency, feedback.entered_by) == ("phone", a, official_a)
    assert feedback.status == FeedbackStatus.CLASSIFIED
    # Counted from the day of the call (Fri 24/4), not from typing it in on Tue 28/4 (→ Thu 21/5 17:00).
    assert feedback.due_at == at(2026, 5, 20, 17, 0)
    with pytest.raises(NotAllowed):
        services.feedback_enter(
            actor=official_a, channel="letter", sender=Sender("X"), subject="s", content="c", agency=b
        )
    with pytest.raises(InvalidFeedback):
        services.feedback_enter(actor=official_a, channel="online", sender=Sender("X"), subject="s", content="c")
    with pytest.raises(NotAllowed):
        services.feedback_enter(actor=UserFactory(), channel="letter", sender=Sender("X"), subject="s", content="c")


# --- bad input -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "kwargs",
    [
        {"subject": ""},
        {"content": "x" * 10_001},
        {
            "content": "mua ngay http://a.example http://b.example http://c.example www.d.example "
            "http://e.example http://f.example"
        },
        {"sender": Sender("An")},  # no way to answer
        {"sender": Sender("An", email="not-an-email")},
    ],
)
def test_malformed_or_spam_feedback_is_rejected(kwargs):
    with pytest.raises(InvalidFeedback):
        submit(**kwargs)
    assert not Feedback.objects.exists()


def test_attachment_checked_by_content():
    fake = SimpleUploadedFile("anh.png", b"MZ\x90\x00 not a png", content_type="image/png")
    with pytest.raises(InvalidFeedback):
        submit(attachments=[services.Attachment("anh.png", fake)])
    for kind in ATTACKS:
        evil = attack(kind)
        with pytest.raises(InvalidFeedback, match=evil.name):
            submit(attachments=[services.Attachment(evil.name, evil)])
    assert not Feedback.objects.exists()
    pdf = SimpleUploadedFile("don.pdf", PDF, content_type="application/pdf")
    feedback = submit(attachments=[services.Attachment("don.pdf", pdf)])
    assert feedback.attachments.count() == 1


# --- reminders (idempotent) ---------------------------------------------------------------------------------


def test_reminders_due_soon_overdue_every_5_days_never_twice(centre_user, category, units):
    a, *_ = units
    feedback = assigned(centre_user, category, a)  # due Wed 20/5/2026 17:00, updates due 27/5, 3/6 … 17:00
    assert services.feedback_send_reminders(at(2026, 5, 15, 9, 0)) == 0  # 3 working days left
    assert services.feedback_send_reminders(at(2026, 5, 18, 16, 59)) == 0  # 2 working days and 1 minute left
    # Mon 18/5 17:00: exactly 2 working days left → "due soon", once.
    assert services.feedback_send_reminders(at(2026, 5, 18, 17, 0)) == 1
    assert services.feedback_send_reminders(at(2026, 5, 18, 17, 30)) == 0
    # At the due time itself the answer is still on time; a minute later → "overdue" (seq 0), once.
    assert services.feedback_send_reminders(at(2026, 5, 20, 17, 0)) == 0
    assert services.feedback_send_reminders(at(2026, 5, 20, 17, 1)) == 1
    assert services.feedback_send_reminders(at(2026, 5, 26, 16, 0)) == 0
    # Wed 27/5 16:59: 4 working days + 479 minutes overdue, still period 0.
    assert services.feedback_send_reminders(at(2026, 5, 27, 16, 59)) == 0
    # Wed 27/5 17:00: 5 working days overdue → reminder seq 1; the progress update due then is not missed yet.
    assert services.feedback_send_reminders(at(2026, 5, 27, 17, 0)) == 1
    assert services.feedback_send_reminders(at(2026, 5, 27, 17, 0)) == 0
    # 17:01: the update due 27/5 17:00 was missed → its own reminder, once.
    assert services.feedback_send_reminders(at(2026, 5, 27, 17, 1)) == 1
    assert services.feedback_send_reminders(at(2026, 5, 28, 9, 0)) == 0
    # 3/6 17:00 → overdue seq 2; 17:01 → the update due 3/6 17:00 missed.
    assert services.feedback_send_reminders(at(2026, 6, 3, 17, 0)) == 1
    assert services.feedback_send_reminders(at(2026, 6, 3, 17, 1)) == 1
    kinds = list(
        FeedbackReminder.objects.filter(feedback=feedback)
        .order_by("sent_at")
        .values_list("kind", "seq", "update_due_at")
    )
    assert kinds == [
        (ReminderKind.DUE_SOON, 0, None),
        (ReminderKind.OVERDUE, 0, None),
        (ReminderKind.OVERDUE, 1, None),
        (ReminderKind.UPDATE_MISSED, 0, at(2026, 5, 27, 17, 0)),
        (ReminderKind.OVERDUE, 2, None),
        (ReminderKind.UPDATE_MISSED, 1, at(2026, 6, 3, 17, 0)),
    ]
    mails = Notification.objects.filter(kind__startswith="feedback_reminder_", recipient="sxd@example.gov.vn")
    assert mails.count() == 6


def test_centre_reminded_of_unpublished_answer_once(centre_user, category, units):
    a, _b, official_a, _ = units
    feedback = assigned(centre_user, category, a)
    services.feedback_answer(actor=official_a, feedback_id=feedback.pk, answer="Trả lời.", at=at(2026, 4, 29, 10, 0))
    assert services.feedback_send_reminders(at(2026, 5, 5, 9, 59)) == 0  # still within 2 working days
    assert services.feedback_send_reminders(at(2026, 5, 5, 10, 0)) == 1
    assert services.feedback_send_reminders(at(2026, 5, 6, 10, 0)) == 0
    assert (
        Notification.objects.filter(kind="feedback_reminder_unpublished", recipient="giamsat@example.gov.vn").count()
        == 1
    )


# --- scoping ------------------------------------------------------------------------------------------------


def test_agency_official_sees_only_own_units_feedback_centre_sees_all_overdue_first(centre_user, category, units):
    a, b, official_a, official_b = units
    fa = assigned(centre_user, category, a, when=at(2026, 4, 24, 9, 0))
    fb = assigned(centre_user, category, b, when=at(2026, 3, 2, 9, 0))  # overdue by now (frozen below)
    later = assigned(centre_user, category, a, when=at(2026, 5, 4, 9, 0))
    now = at(2026, 5, 6, 9, 0)
    assert visible_agency_ids(official_a) == [a.pk]
    assert list(selectors.feedback_queue(official_a, now=now)) == [fa, later]
    assert list(selectors.feedback_queue(official_b, now=now)) == [fb]
    queue = list(selectors.feedback_queue(centre_user, now=now))
    assert queue[0] == fb and queue[0].is_overdue == 1 and set(queue) == {fa, fb, later}
    with pytest.raises(NotAllowed):
        services.feedback_answer(actor=official_a, feedback_id=fb.pk, answer="x")


def test_admin_screens_scoped(client, centre_user, category, units):
    a, b, official_a, _ = units
    from django.contrib.auth.models import Permission

    official_a.user_permissions.add(Permission.objects.get(codename="access_admin"))
    fb = assigned(centre_user, category, b)
    fa = assigned(centre_user, category, a)
    client.force_login(official_a)
    response = client.get(reverse("feedback_admin:index"))
    assert response.status_code == 200
    assert fa.tracking_code in response.content.decode() and fb.tracking_code not in response.content.decode()
    assert client.get(reverse("feedback_admin:detail", args=[fb.pk])).status_code == 404
    assert client.get(reverse("feedback_admin:detail", args=[fa.pk])).status_code == 200
    response = client.post(reverse("feedback_admin:action", args=[fb.pk, "start"]), {"revision": fb.revision})
    assert response.status_code == 404
    response = client.post(reverse("feedback_admin:action", args=[fa.pk, "start"]), {"revision": fa.revision})
    assert response.status_code == 302
    assert Feedback.objects.get(pk=fa.pk).status == FeedbackStatus.IN_PROGRESS


def test_admin_queue_query_count_does_not_grow_with_rows(
    client, centre_user, category, units, django_assert_max_num_queries
):
    from django.contrib.auth.models import Permission

    a, *_ = units
    centre_user.user_permissions.add(Permission.objects.get(codename="access_admin"))
    client.force_login(centre_user)
    assigned(centre_user, category, a)
    client.get(reverse("feedback_admin:index"))  # warm caches (calendar, content types)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as one:
        assert client.get(reverse("feedback_admin:index")).status_code == 200
    for _i in range(12):
        assigned(centre_user, category, a)
    with CaptureQueriesContext(connection) as many:
        assert client.get(reverse("feedback_admin:index")).status_code == 200
    assert len(many) == len(one)
    with django_assert_max_num_queries(25):
        client.get(reverse("feedback_admin:index"))


# --- public pages ------------------------------------------------------------------------------------------


def test_public_form_says_complaints_not_accepted_and_gives_tracking_code(client):
    response = client.get(reverse("feedback:new"))
    assert response.status_code == 200
    assert (
        gettext(
            "Complaints and denunciations (khiếu nại, tố cáo) are not accepted here, nor requests for legal advice."
        )
        in response.content.decode()
    )
    response = client.post(
        reverse("feedback:new"),
        {
            "sender_name": "Lê Văn Cường",
            "sender_email": "cuong@example.com",
            "subject": "Thủ tục rườm rà",
            "content": "Đề nghị giảm giấy tờ.",
            "not_a_complaint": "on",
            "website": "",
        },
    )
    assert response.status_code == 302
    feedback = Feedback.objects.get()
    page = client.get(response["Location"])
    body = page.content.decode()
    assert feedback.tracking_code in body
    assert "cuong@example.com" not in body and "Lê Văn Cường" not in body


def test_public_form_honeypot_and_missing_contact_rejected(client):
    base = {"sender_name": "A", "subject": "s", "content": "c", "not_a_complaint": "on"}
    assert (
        client.post(
            reverse("feedback:new"), {**base, "sender_email": "a@example.com", "website": "http://spam"}
        ).status_code
        == 400
    )
    assert client.post(reverse("feedback:new"), base).status_code == 400
    assert not Feedback.objects.exists()


def test_public_form_rate_limited(client, settings):
    settings.RATELIMIT_RATES = {**settings.RATELIMIT_RATES, "feedback": ["2/minute"]}
    for _i in range(2):
        client.post(reverse("feedback:new"), {})
    assert client.post(reverse("feedback:new"), {}).status_code == 429


def _published(centre_user, category, agency, official_user, subject="Thủ tục đất đai"):
    feedback = assigned(centre_user, category, agency)
    services.feedback_answer(actor=official_user, feedback_id=feedback.pk, answer="Đã sửa quy trình.")
    return services.feedback_publish(
        actor=official_user,
        feedback_id=feedback.pk,
        public_subject=subject,
        public_content="Công dân phản ánh thời gian giải quyết dài.",
    )


def test_public_answers_searchable_no_personal_data(client, centre_user, category, units, django_assert_num_queries):
    a, b, official_a, official_b = units
    _published(centre_user, category, a, official_a, "Thủ tục đất đai")
    _published(centre_user, category, b, official_b, "Hộ tịch")
    submit(subject="Chưa trả lời")  # not published: never listed
    response = client.get(reverse("feedback:answers"))
    body = response.content.decode()
    assert "Thủ tục đất đai" in body and "Hộ tịch" in body and "Chưa trả lời" not in body
    assert "an@example.com" not in body and "Nguyễn Văn An" not in body and "0912345678" not in body
    body = client.get(reverse("feedback:answers"), {"agency": b.pk}).content.decode()
    assert "Hộ tịch" in body and "Thủ tục đất đai" not in body
    body = client.get(reverse("feedback:answers"), {"q": "đất"}).content.decode()
    assert "Thủ tục đất đai" in body and "Hộ tịch" not in body
    # Filter validation (category), count, one page query (agency and category joined), the two <select>
    # choice lists, and the maintenance notices (the rest of the site chrome is cached): 6, any page size.
    with django_assert_num_queries(6):
        client.get(reverse("feedback:answers"), {"category": category.pk})
    for i in range(4):
        _published(centre_user, category, a, official_a, f"Thêm {i}")
    with django_assert_num_queries(6):
        client.get(reverse("feedback:answers"), {"category": category.pk})


# --- API ----------------------------------------------------------------------------------------------------


def test_api_submit_and_lookup(client):
    response = client.post(
        "/api/v1/feedback/",
        {"sender_name": "Phạm D", "sender_phone": "0911222333", "subject": "Góp ý", "content": "Nội dung"},
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    code = response.json()["tracking_code"]
    body = client.get(f"/api/v1/feedback/{code}/").json()
    assert body["status"] == "received" and "sender_name" not in body and "0911222333" not in str(body)
    assert client.get("/api/v1/feedback/PAXXXXXXXXXX/").status_code == 404


@pytest.mark.parametrize(
    "payload",
    [
        {"sender_name": "A", "subject": "s", "content": "c"},  # no contact
        {"sender_name": "A", "sender_email": "a@example.com", "subject": "s", "content": "x" * 10_001},
        {"sender_name": "A", "sender_email": "a@example.com", "subject": "s", "content": "c", "is_admin": True},
        {"sender_name": "A", "sender_email": "a@example.com", "subject": "s" * 300, "content": "c"},
    ],
)
def test_api_rejects_malformed_or_oversized(client, payload):
    response = client.post("/api/v1/feedback/", payload, content_type="application/json")
    assert response.status_code == 400
    assert not Feedback.objects.exists()


def test_api_public_answers_query_count_pinned(client, centre_user, category, units, django_assert_num_queries):
    a, _b, official_a, _ = units
    for i in range(3):
        _published(centre_user, category, a, official_a, f"Chủ đề {i}")
    with django_assert_num_queries(2):  # count + page (agency, category joined)
        response = client.get("/api/v1/feedback/answers/")
    assert response.json()["count"] == 3
    assert set(response.json()["results"][0]) == {
        "tracking_code",
        "subject",
        "content",
        "answer",
        "agency",
        "category",
        "answered_at",
        "published_at",
    }
    for i in range(5):
        _published(centre_user, category, a, official_a, f"Thêm {i}")
    with django_assert_num_queries(2):
        client.get("/api/v1/feedback/answers/", {"agency": a.pk, "category": category.pk})


def test_api_lookup_rate_limited(client, settings):
    settings.RATELIMIT_RATES = {**settings.RATELIMIT_RATES, "lookup": ["3/minute"]}
    for _i in range(3):
        client.get("/api/v1/feedback/PA0000000000/")
    response = client.get("/api/v1/feedback/PA0000000000/")
    assert response.status_code == 429 and "Retry-After" in response


# --- questions → FAQ ----------------------------------------------------------------------------------------


def test_question_answered_then_published_into_sector_faq(client, units):
    from django.contrib.auth.models import Permission

    from catalog.models import FaqEntry

    a, b, official_a, official_b = units
    procedure = ProcedureFactory(agencies=[a])
    response = client.post(
        reverse("feedback:ask"),
        {
            "procedure_code": procedure.national_code,
            "asker_name": "Vũ E",
            "asker_email": "e@example.com",
            "question": "Có cần bản sao công chứng không?",
        },
    )
    assert response.status_code == 200
    question = Question.objects.get()
    with pytest.raises(NotAllowed):  # agency B does not implement the procedure
        questions.question_answer(actor=official_b, question_id=question.pk, answer="x")
    questions.question_answer(actor=official_a, question_id=question.pk, answer="Không cần, chỉ cần bản chụp.")
    with pytest.raises(NotAllowed):  # review is an FAQ editor's decision
        questions.question_publish(actor=official_a, question_id=question.pk)
    official_a.user_permissions.add(Permission.objects.get(codename="add_faqentry"))
    from django.contrib.auth import get_user_model

    reviewer = get_user_model().objects.get(pk=official_a.pk)
    question = questions.question_publish(actor=reviewer, question_id=question.pk)
    assert question.status == QuestionStatus.PUBLISHED
    entry = FaqEntry.objects.get()
    assert (entry.sector, entry.procedure, entry.is_published) == (procedure.sector, procedure, True)
    assert "Vũ E" not in entry.answer and "e@example.com" not in entry.answer


def test_admin_enter_detail_actions_ratings_and_questions_pages(client, centre_user, category, units):
    from django.contrib.auth.models import Permission

    a, *_ = units
    centre_user.user_permissions.add(Permission.objects.get(codename="access_admin"))
    client.force_login(centre_user)
    assert client.get(reverse("feedback_admin:new")).status_code == 200
    response = client.post(
        reverse("feedback_admin:new"),
        {
            "channel": "letter",
            "sender_name": "Đỗ F",
            "subject": "Thư phản ánh",
            "content": "Nội dung thư",
            "category": category.pk,
            "agency": a.pk,
        },
    )
    assert response.status_code == 302, response.content
    feedback = Feedback.objects.get(subject="Thư phản ánh")
    assert (feedback.channel, feedback.agency, feedback.status) == ("letter", a, FeedbackStatus.CLASSIFIED)
    detail = client.get(reverse("feedback_admin:detail", args=[feedback.pk]))
    assert detail.status_code == 200 and "Đỗ F" in detail.content.decode()
    response = client.post(
        reverse("feedback_admin:action", args=[feedback.pk, "assign"]),
        {"revision": feedback.revision, "assign-agency": a.pk},
    )
    assert response.status_code == 302
    response = client.post(
        reverse("feedback_admin:action", args=[feedback.pk, "answer"]),
        {"revision": feedback.revision + 1, "answer-text": ""},
    )
    assert response.status_code == 400  # empty answer
    response = client.post(
        reverse("feedback_admin:action", args=[feedback.pk, "answer"]),
        {"revision": feedback.revision, "answer-text": "Trả lời"},
    )
    assert response.status_code == 400  # stale form: someone changed it since
    for name in ("ratings", "questions", "index"):
        assert client.get(reverse(f"feedback_admin:{name}")).status_code == 200
    assert client.get(reverse("wagtailadmin_home")).status_code == 200
