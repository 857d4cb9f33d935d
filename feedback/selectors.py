"""Reads for feedback, ratings and questions; every back-office list goes through ``visible_to`` (DESIGN 10)."""

from dataclasses import dataclass

from django.db.models import Case, Count, IntegerField, Q, Value, When
from django.utils import timezone

from catalog.officials.scoping import ALL, visible_agency_ids
from feedback.models import (
    CRITERIA,
    OPEN_FEEDBACK_STATUSES,
    SATISFIED_LEVELS,
    Feedback,
    FeedbackEvent,
    FeedbackStatus,
    Question,
    QuestionStatus,
    Rating,
)

# --- feedback, back office -----------------------------------------------------------------------------


def feedback_queue(user, *, now=None, status=None, agency_id=None, category_id=None, q=None, overdue=False):
    """The handling queue: overdue first (QN 17.4, the centre chases them), then by due time.

    Agency officials see their unit's feedback; the centre (``catalog.view_all_units``) sees every unit's.
    """
    now = now or timezone.now()
    overdue_q = Q(status__in=OPEN_FEEDBACK_STATUSES, due_at__lt=now) | Q(
        status=FeedbackStatus.ANSWERED, publish_due_at__lt=now
    )
    qs = (
        Feedback.objects.visible_to(user)
        .select_related("agency", "category")
        .annotate(is_overdue=Case(When(overdue_q, then=Value(1)), default=Value(0), output_field=IntegerField()))
    )
    if status:
        qs = qs.filter(status=status)
    if agency_id:
        qs = qs.filter(agency_id=agency_id)
    if category_id:
        qs = qs.filter(category_id=category_id)
    if overdue:
        qs = qs.filter(overdue_q)
    if q:
        q = q.strip()
        qs = qs.filter(Q(tracking_code__iexact=q) | Q(subject__icontains=q) | Q(dossier_code__iexact=q))
    return qs.order_by("-is_overdue", "due_at", "pk")


def feedback_get(user, pk):
    return (
        Feedback.objects.visible_to(user)
        .select_related("agency", "category", "procedure", "suggested_agency", "answered_by", "entered_by")
        .get(pk=pk)
    )


def feedback_events(feedback, *, public_only=False):
    qs = FeedbackEvent.objects.filter(feedback=feedback).select_related("actor_agency", "from_agency", "to_agency")
    if public_only:
        qs = qs.filter(is_public=True)
    return qs


def feedback_counts(user, now=None):
    """Dashboard numbers: open, overdue, answered but not published."""
    now = now or timezone.now()
    return Feedback.objects.visible_to(user).aggregate(
        open=Count("pk", filter=Q(status__in=OPEN_FEEDBACK_STATUSES)),
        overdue=Count("pk", filter=Q(status__in=OPEN_FEEDBACK_STATUSES, due_at__lt=now)),
        unpublished=Count("pk", filter=Q(status=FeedbackStatus.ANSWERED)),
    )


# --- feedback, public ------------------------------------------------------------------------------------

#: The only fields the public answers page and API read: never the sender's data.
PUBLIC_FIELDS = (
    "pk",
    "tracking_code",
    "public_subject",
    "public_content",
    "answer",
    "answered_at",
    "published_at",
    "agency__name",
    "category__name",
    "agency_id",
    "category_id",
)


def feedback_public_answers(*, agency_id=None, category_id=None, q=None):
    qs = (
        Feedback.objects.published()
        .select_related("agency", "category")
        .only(
            "tracking_code",
            "public_subject",
            "public_content",
            "answer",
            "answered_at",
            "published_at",
            "agency__name",
            "category__name",
            "agency_id",
            "category_id",
        )
    )
    if agency_id:
        qs = qs.filter(agency_id=agency_id)
    if category_id:
        qs = qs.filter(category_id=category_id)
    if q:
        for term in q.split()[:8]:
            qs = qs.filter(
                Q(public_subject__icontains=term) | Q(public_content__icontains=term) | Q(answer__icontains=term)
            )
    return qs.order_by("-published_at", "-pk")


@dataclass
class PublicLookup:
    """What a tracking code shows: the state and the answer, never the sender's contact data."""

    tracking_code: str
    subject: str
    status: str
    status_text: str
    received_at: object
    due_at: object
    agency: str
    answer: str
    answered_at: object
    rejection_reason: str
    updates: list


def feedback_lookup(tracking_code):
    code = (tracking_code or "").strip().upper()[:20]
    feedback = Feedback.objects.select_related("agency").filter(tracking_code=code).first() if code else None
    if feedback is None:
        return None
    updates = [
        {"at": e.at, "action": e.get_action_display(), "text": e.comment if e.action in ("update", "reject") else ""}
        for e in feedback_events(feedback, public_only=True)
    ]
    return PublicLookup(
        tracking_code=feedback.tracking_code,
        subject=feedback.subject,
        status=feedback.status,
        status_text=feedback.get_status_display(),
        received_at=feedback.received_at,
        due_at=feedback.due_at,
        agency=feedback.agency.name if feedback.agency_id else "",
        answer=feedback.answer if feedback.status in (FeedbackStatus.ANSWERED, FeedbackStatus.PUBLISHED) else "",
        answered_at=feedback.answered_at,
        rejection_reason=feedback.rejection_reason,
        updates=updates,
    )


# --- ratings ---------------------------------------------------------------------------------------------


def _share(satisfied, count):
    return round(100.0 * satisfied / count, 1) if count else None


def rating_stats_by_agency(agency_ids=ALL):
    """Per agency: number of ratings, number and share satisfied (overall), and satisfied share per criterion."""
    qs = Rating.objects.all()
    if agency_ids is not ALL:
        qs = qs.filter(agency_id__in=agency_ids)
    satisfied = {f"{name}_satisfied": Count("pk", filter=Q(**{f"{name}__in": SATISFIED_LEVELS})) for name in CRITERIA}
    rows = list(
        qs.values("agency_id", "agency__name")
        .annotate(
            count=Count("pk"),
            satisfied=Count("pk", filter=Q(overall__in=SATISFIED_LEVELS)),
            **satisfied,
        )
        .order_by("agency__name")
    )
    for row in rows:
        row["share"] = _share(row["satisfied"], row["count"])
        row["criteria"] = [(label, _share(row[f"{name}_satisfied"], row["count"])) for name, label in CRITERIA.items()]
    return rows


def rating_stats_by_official(agency_ids=ALL):
    """Per official who handled rated dossiers: count and share satisfied."""
    qs = Rating.officials.through.objects.all()
    if agency_ids is not ALL:
        qs = qs.filter(user__official__agency_id__in=agency_ids)
    rows = list(
        qs.values(
            "user_id",
            "user__first_name",
            "user__last_name",
            "user__username",
            "user__official__agency__name",
        )
        .annotate(
            count=Count("rating_id"),
            satisfied=Count("rating_id", filter=Q(rating__overall__in=SATISFIED_LEVELS)),
        )
        .order_by("user__official__agency__name", "user__last_name", "user__first_name")
    )
    for row in rows:
        full = f"{row['user__last_name']} {row['user__first_name']}".strip()
        row["name"] = full or row["user__username"]
        row["agency"] = row["user__official__agency__name"] or ""
        row["share"] = _share(row["satisfied"], row["count"])
    return rows


def rating_list(user):
    ids = visible_agency_ids(user)
    qs = Rating.objects.select_related("agency", "procedure")
    return qs if ids is ALL else qs.filter(agency_id__in=ids)


# --- questions -------------------------------------------------------------------------------------------


def question_queue(user, status=None):
    qs = Question.objects.visible_to(user).select_related("procedure", "procedure__sector")
    if status:
        qs = qs.filter(status=status)
    return qs.order_by(
        Case(
            When(status=QuestionStatus.NEW, then=Value(0)),
            When(status=QuestionStatus.ANSWERED, then=Value(1)),
            default=Value(2),
        ),
        "created_at",
    )
