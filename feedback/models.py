"""Feedback (phản ánh, kiến nghị), satisfaction ratings (đánh giá) and citizens' questions (hỏi đáp).

Rules: DESIGN §7; QN 17-18, TN 15, QT 24-26. Writes go through
:mod:`feedback.services` and :mod:`feedback.ratings`; reads through
:mod:`feedback.selectors`.
"""

import secrets

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from catalog.officials.scoping import ALL, visible_agency_ids
from portal.core.storage import private_storage  # noqa: F401 (migrations refer to it here)

# --- feedback ------------------------------------------------------------------------------------------


class FeedbackCategory(models.Model):
    """Admin-editable classification (QT 26.1: delay/harassment, unsuitable rules, proposals)."""

    name = models.CharField(_("name"), max_length=255)
    description = models.TextField(_("description"), blank=True)
    sort_order = models.PositiveIntegerField(_("order"), default=0)
    is_active = models.BooleanField(_("active"), default=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("feedback category")
        verbose_name_plural = _("feedback categories")
        ordering = ["sort_order", "name"]

    def __str__(self):
        return self.name


class FeedbackChannel(models.TextChoices):
    ONLINE = "online", _("Online form")
    LETTER = "letter", _("Letter")
    PHONE = "phone", _("Phone")
    FAX = "fax", _("Fax")
    EMAIL = "email", _("E-mail")


class FeedbackStatus(models.TextChoices):
    RECEIVED = "received", _("Received")
    CLASSIFIED = "classified", _("Classified")
    ASSIGNED = "assigned", _("Assigned to an agency")
    IN_PROGRESS = "in_progress", _("Being handled")
    ANSWERED = "answered", _("Answered")
    PUBLISHED = "published", _("Answer published")
    REJECTED = "rejected", _("Rejected: out of scope")


#: Statuses in which the answer is still owed (the 15/10 working-day deadline runs).
OPEN_FEEDBACK_STATUSES = [
    FeedbackStatus.RECEIVED,
    FeedbackStatus.CLASSIFIED,
    FeedbackStatus.ASSIGNED,
    FeedbackStatus.IN_PROGRESS,
]


class FeedbackQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Per-unit scoping (DESIGN 10): the assigned agency's officials; the centre/supervisors see all."""
        agency_ids = visible_agency_ids(user)
        if agency_ids is ALL:
            return self
        return self.filter(agency_id__in=agency_ids)

    def open(self):
        return self.filter(status__in=OPEN_FEEDBACK_STATUSES)

    def published(self):
        return self.filter(status=FeedbackStatus.PUBLISHED)


def new_tracking_code():
    # PA + 10 characters of an unambiguous alphabet (~50 bits): not guessable, easy to read out on the phone.
    alphabet = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
    return "PA" + "".join(secrets.choice(alphabet) for _i in range(10))


class Feedback(models.Model):
    tracking_code = models.CharField(
        _("tracking code"), max_length=20, unique=True, default=new_tracking_code, editable=False
    )
    channel = models.CharField(
        _("channel"), max_length=10, choices=FeedbackChannel.choices, default=FeedbackChannel.ONLINE
    )
    # Sender (never shown publicly)
    sender_name = models.CharField(_("sender's name"), max_length=255)
    sender_email = models.EmailField(_("e-mail"), blank=True)
    sender_phone = models.CharField(_("phone"), max_length=20, blank=True)
    sender_address = models.CharField(_("address"), max_length=500, blank=True)
    # What it is about
    subject = models.CharField(_("subject"), max_length=255)
    content = models.TextField(_("content"))
    dossier_code = models.CharField(_("dossier code"), max_length=40, blank=True)
    procedure = models.ForeignKey(
        "catalog.Procedure",
        verbose_name=_("procedure"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    suggested_agency = models.ForeignKey(
        "catalog.Agency",
        verbose_name=_("agency named by the sender"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # Handling
    category = models.ForeignKey(
        FeedbackCategory,
        verbose_name=_("category"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="feedback",
    )
    agency = models.ForeignKey(
        "catalog.Agency",
        verbose_name=_("responsible agency"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="feedback",
    )
    status = models.CharField(
        _("status"), max_length=12, choices=FeedbackStatus.choices, default=FeedbackStatus.RECEIVED, db_index=True
    )
    received_at = models.DateTimeField(_("received at"))
    due_at = models.DateTimeField(_("answer due at"), db_index=True)
    last_update_at = models.DateTimeField(_("last progress update"), null=True, blank=True)
    next_update_due_at = models.DateTimeField(_("next progress update due"), null=True, blank=True)
    answer = models.TextField(_("answer"), blank=True)
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("answered by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    publish_due_at = models.DateTimeField(_("answer to be published by"), null=True, blank=True)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    # The published version: written by the official at publication, without personal data.
    public_subject = models.CharField(_("public subject"), max_length=255, blank=True)
    public_content = models.TextField(_("public summary of the feedback"), blank=True)
    rejection_reason = models.TextField(_("reason for rejection"), blank=True)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("entered by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    revision = models.PositiveIntegerField(default=0, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()
    objects = FeedbackQuerySet.as_manager()

    class Meta:
        verbose_name = _("feedback")
        verbose_name_plural = _("feedback")
        ordering = ["due_at", "pk"]
        indexes = [models.Index(fields=["agency", "status"]), models.Index(fields=["status", "published_at"])]

    def __str__(self):
        return f"{self.tracking_code} – {self.subject}"

    @property
    def is_open(self):
        return self.status in OPEN_FEEDBACK_STATUSES


def feedback_file_path(instance, filename):
    return f"feedback/{instance.feedback_id}/{secrets.token_hex(8)}-{filename[-100:]}"


class FeedbackAttachment(models.Model):
    feedback = models.ForeignKey(Feedback, on_delete=models.CASCADE, related_name="attachments")
    name = models.CharField(_("name"), max_length=255)
    file = models.FileField(_("file"), upload_to=feedback_file_path, storage=private_storage, max_length=500)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["pk"]

    def __str__(self):
        return self.name


class FeedbackAction(models.TextChoices):
    SUBMIT = "submit", _("Submitted online")
    ENTER = "enter", _("Entered by an official")
    CLASSIFY = "classify", _("Classified")
    ASSIGN = "assign", _("Assigned to an agency")
    FORWARD = "forward", _("Forwarded to another agency")
    START = "start", _("Handling started")
    UPDATE = "update", _("Progress update")
    ANSWER = "answer", _("Answered")
    PUBLISH = "publish", _("Answer published")
    REJECT = "reject", _("Rejected as out of scope")


class ImmutableFeedbackEvent(Exception):
    pass


class FeedbackEventQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise ImmutableFeedbackEvent("Feedback events cannot be changed.")

    def delete(self):
        raise ImmutableFeedbackEvent("Feedback events cannot be deleted.")


class FeedbackEvent(models.Model):
    """Append-only: who did what and when. ``is_public`` events are shown to the sender."""

    feedback = models.ForeignKey(Feedback, on_delete=models.PROTECT, related_name="events")
    action = models.CharField(_("action"), max_length=12, choices=FeedbackAction.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    actor_name = models.CharField(_("by"), max_length=255)
    actor_agency = models.ForeignKey(
        "catalog.Agency", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField(_("at"))
    from_status = models.CharField(max_length=12, blank=True)
    to_status = models.CharField(max_length=12, blank=True)
    from_agency = models.ForeignKey("catalog.Agency", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    to_agency = models.ForeignKey("catalog.Agency", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    comment = models.TextField(_("comment"), blank=True)
    is_public = models.BooleanField(_("shown to the sender"), default=False)

    objects = FeedbackEventQuerySet.as_manager()

    class Meta:
        verbose_name = _("feedback event")
        verbose_name_plural = _("feedback events")
        ordering = ["at", "pk"]
        default_permissions = ("view",)

    def __str__(self):
        return f"{self.feedback_id} {self.get_action_display()} {self.at:%Y-%m-%d %H:%M}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ImmutableFeedbackEvent("Feedback events cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ImmutableFeedbackEvent("Feedback events cannot be deleted.")


class ReminderKind(models.TextChoices):
    DUE_SOON = "due_soon", _("Answer due within 2 working days")
    OVERDUE = "overdue", _("Overdue (every 5 working days)")
    UNPUBLISHED = "unpublished", _("Answer not published 2 working days after it was given")
    UPDATE_MISSED = "update_missed", _("Progress update missed (due every 5 working days while overdue)")


class FeedbackReminder(models.Model):  # noqa: DJ008
    """One row per reminder sent; the unique constraint makes the periodic task idempotent.

    ``seq`` numbers the overdue reminders: 0 when the deadline passes, n after
    n × 5 working days overdue (QN 18.1). A missed progress update is keyed by
    the update due time it is about (``update_due_at``), once per due time;
    its ``seq`` counts the missed due times since the last update (0 first).
    """

    feedback = models.ForeignKey(Feedback, on_delete=models.CASCADE, related_name="reminders")
    kind = models.CharField(max_length=16, choices=ReminderKind.choices)
    seq = models.PositiveSmallIntegerField(default=0)
    update_due_at = models.DateTimeField(_("progress update due at"), null=True, blank=True)
    sent_at = models.DateTimeField()
    recipients = models.TextField(blank=True)

    class Meta:
        verbose_name = _("feedback reminder")
        verbose_name_plural = _("feedback reminders")
        constraints = [
            models.UniqueConstraint(
                fields=["feedback", "kind", "seq"],
                condition=~models.Q(kind="update_missed"),
                name="feedback_reminder_once",
            ),
            models.UniqueConstraint(
                fields=["feedback", "update_due_at"],
                condition=models.Q(kind="update_missed"),
                name="feedback_update_missed_once",
            ),
        ]


# --- ratings (QT 24) -------------------------------------------------------------------------------------


class Satisfaction(models.IntegerChoices):
    VERY_SATISFIED = 4, _("Very satisfied")
    SATISFIED = 3, _("Satisfied")
    UNSATISFIED = 2, _("Unsatisfied")
    VERY_UNSATISFIED = 1, _("Very unsatisfied")


SATISFIED_LEVELS = (Satisfaction.VERY_SATISFIED, Satisfaction.SATISFIED)

#: The per-criterion questions of the provinces' rating form.
CRITERIA = {
    "guidance": _("Guidance given when filing"),
    "attitude": _("Attitude of the officials"),
    "on_time": _("Result on time"),
    "result": _("The result itself"),
    "cost": _("Costs (fees and charges as published)"),
}


class RatingSource(models.TextChoices):
    ACCOUNT = "account", _("From “My dossiers”")
    CODE = "code", _("With the dossier code and secret")


class Rating(models.Model):
    """One rating per dossier code (QT 24.1): the unique constraint holds under concurrent submissions."""

    dossier = models.ForeignKey(
        "workflow.Dossier", verbose_name=_("dossier"), on_delete=models.PROTECT, related_name="+"
    )
    dossier_code = models.CharField(_("dossier code"), max_length=40)
    agency = models.ForeignKey(
        "catalog.Agency", verbose_name=_("agency"), on_delete=models.PROTECT, related_name="ratings"
    )
    procedure = models.ForeignKey(
        "catalog.Procedure", verbose_name=_("procedure"), on_delete=models.PROTECT, related_name="+"
    )
    officials = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("officials who handled it"),
        blank=True,
        related_name="ratings_received",
    )
    overall = models.PositiveSmallIntegerField(_("overall"), choices=Satisfaction.choices)
    guidance = models.PositiveSmallIntegerField(CRITERIA["guidance"], choices=Satisfaction.choices)
    attitude = models.PositiveSmallIntegerField(CRITERIA["attitude"], choices=Satisfaction.choices)
    on_time = models.PositiveSmallIntegerField(CRITERIA["on_time"], choices=Satisfaction.choices)
    result = models.PositiveSmallIntegerField(CRITERIA["result"], choices=Satisfaction.choices)
    cost = models.PositiveSmallIntegerField(CRITERIA["cost"], choices=Satisfaction.choices)
    comment = models.TextField(_("comment"), blank=True)
    source = models.CharField(_("rated"), max_length=10, choices=RatingSource.choices)
    rated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("rated at"))

    history = HistoricalRecords(excluded_fields=["comment"])

    class Meta:
        verbose_name = _("satisfaction rating")
        verbose_name_plural = _("satisfaction ratings")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["dossier"], name="rating_once_per_dossier"),
            models.UniqueConstraint(fields=["dossier_code"], name="rating_once_per_code"),
        ]

    def __str__(self):
        return f"{self.dossier_code}: {self.get_overall_display()}"

    @property
    def is_satisfied(self):
        return self.overall in SATISFIED_LEVELS


# --- questions → FAQ (QT 25) ----------------------------------------------------------------------------------


class QuestionStatus(models.TextChoices):
    NEW = "new", _("New")
    ANSWERED = "answered", _("Answered, waiting for review")
    PUBLISHED = "published", _("Published in the FAQ")
    ANSWERED_PRIVATELY = "private", _("Answered, not published")


class QuestionQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Officials of an agency implementing the procedure; the centre/supervisors see all."""
        agency_ids = visible_agency_ids(user)
        if agency_ids is ALL:
            return self
        return self.filter(procedure__agencies__in=agency_ids).distinct()


class Question(models.Model):
    procedure = models.ForeignKey(
        "catalog.Procedure", verbose_name=_("procedure"), on_delete=models.PROTECT, related_name="citizen_questions"
    )
    asker_name = models.CharField(_("your name"), max_length=255)
    asker_email = models.EmailField(_("e-mail"))
    question = models.TextField(_("question"))
    status = models.CharField(
        _("status"), max_length=10, choices=QuestionStatus.choices, default=QuestionStatus.NEW, db_index=True
    )
    answer = models.TextField(_("answer"), blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    answered_at = models.DateTimeField(null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    faq_entry = models.ForeignKey(
        "catalog.FaqEntry", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()
    objects = QuestionQuerySet.as_manager()

    class Meta:
        verbose_name = _("citizen question")
        verbose_name_plural = _("citizen questions")
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return self.question[:80]
