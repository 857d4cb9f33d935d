"""Citizens' questions about a procedure → officials answer → reviewed answers join the sector FAQ (QT 25)."""

from django.db import transaction
from django.utils import timezone
from django.utils.html import escape, linebreaks
from django.utils.translation import gettext as _

from catalog.models import FaqEntry
from feedback import notify
from feedback.errors import InvalidFeedback, NotAllowed, WrongState
from feedback.models import Question, QuestionStatus
from feedback.services import _check_spam, _clean_text, can_handle_feedback

MAX_QUESTION = 2000


def may_review(user) -> bool:
    """Publishing into the FAQ is an editor's decision (catalog.add_faqentry, e.g. the content editor group)."""
    return bool(user and user.is_authenticated and user.has_perm("catalog.add_faqentry"))


@transaction.atomic
def question_submit(*, procedure, asker_name, asker_email, question) -> Question:
    if procedure is None:
        raise InvalidFeedback(_("Choose the procedure your question is about."))
    name = _clean_text(asker_name, _("Name"), 255)
    text = _clean_text(question, _("Question"), MAX_QUESTION)
    _check_spam(text)
    from django.core.exceptions import ValidationError
    from django.core.validators import validate_email

    email = (asker_email or "").strip()
    try:
        validate_email(email)
    except ValidationError:
        raise InvalidFeedback(_("Enter a valid e-mail address.")) from None
    return Question.objects.create(procedure=procedure, asker_name=name, asker_email=email, question=text)


def _lock(actor, question_id):
    if not can_handle_feedback(actor):
        raise NotAllowed()
    question = Question.objects.visible_to(actor).select_related("procedure").filter(pk=question_id).first()
    if question is None:
        raise NotAllowed(_("Question not found."))
    return Question.objects.select_for_update(of=("self",)).select_related("procedure").get(pk=question.pk)


@transaction.atomic
def question_answer(*, actor, question_id, answer) -> Question:
    """An official of an agency implementing the procedure answers; the asker gets the answer by e-mail."""
    question = _lock(actor, question_id)
    if question.status == QuestionStatus.PUBLISHED:
        raise WrongState(_("This answer is already published in the FAQ."))
    question.answer = _clean_text(answer, _("Answer"), 10_000)
    question.answered_by = actor
    question.answered_at = timezone.now()
    question.status = QuestionStatus.ANSWERED
    question.save()
    from django.template.loader import render_to_string

    body = render_to_string("feedback/email/question_answer.txt", {"question": question}).strip()
    notify._queue([question.asker_email], "feedback_question_answer", _("Answer to your question"), body)
    return question


@transaction.atomic
def question_publish(*, actor, question_id, question_text=None, answer=None) -> Question:
    """After review, the (edited) question and answer become a published entry of the procedure's sector FAQ."""
    if not may_review(actor):
        raise NotAllowed(_("Only FAQ editors may publish answers into the FAQ."))
    question = _lock(actor, question_id)
    if question.status != QuestionStatus.ANSWERED:
        raise WrongState(_("Only an answered question can be published."))
    text = _clean_text(question_text if question_text is not None else question.question, _("Question"), 500)
    answer = _clean_text(answer if answer is not None else question.answer, _("Answer"), 10_000)
    entry = FaqEntry.objects.create(
        sector_id=question.procedure.sector_id,
        procedure=question.procedure,
        question=text,
        answer=linebreaks(escape(answer)),
        is_published=True,
    )
    question.faq_entry = entry
    question.reviewed_by = actor
    question.status = QuestionStatus.PUBLISHED
    question.save()
    return question


@transaction.atomic
def question_keep_private(*, actor, question_id) -> Question:
    """The answer was sent to the asker but is not of general interest."""
    question = _lock(actor, question_id)
    if question.status != QuestionStatus.ANSWERED:
        raise WrongState(_("Only an answered question can be closed."))
    question.reviewed_by = actor
    question.status = QuestionStatus.ANSWERED_PRIVATELY
    question.save()
    return question
