"""Officials' feedback screens in the Wagtail admin (registered in ``feedback/wagtail_hooks.py``).

* queue (overdue first; the centre sees every unit's, an agency its own),
* detail with the action forms and the event log (who, unit, when),
* entering feedback received by letter, phone, fax or e-mail (QN 17.3b),
* rating results (scoped), citizens' questions → FAQ.

Views only read the request and call :mod:`feedback.services` / :mod:`feedback.questions`
(writes) or :mod:`feedback.selectors` (reads).
"""

from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from wagtail.admin import messages
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from catalog.access_log.services import record_access
from catalog.models import AccessKind
from catalog.officials.scoping import sees_all_units, visible_agency_ids
from feedback import questions, selectors, services, transitions
from feedback.errors import FeedbackError
from feedback.forms import (
    AssignForm,
    ClassifyForm,
    OfflineFeedbackForm,
    PublishForm,
    QuestionAnswerForm,
    QuestionPublishForm,
    TextForm,
)
from feedback.models import Feedback, FeedbackCategory, FeedbackStatus, Question, QuestionStatus
from workflow.worktime import DAY_MINUTES, get_calendar

PAGE_SIZE = 50


class FeedbackPermissionMixin(WagtailAdminTemplateMixin):
    viewset = None

    def dispatch(self, request, *args, **kwargs):
        if not services.can_handle_feedback(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def url(self, name, *args):
        return reverse(f"feedback_admin:{name}", args=args)

    def render(self, template, status=200, **context):
        return TemplateResponse(self.request, template, self.get_context_data(**context), status=status)


class QueueView(FeedbackPermissionMixin, View):
    page_title = gettext_lazy("Feedback")
    header_icon = "mail"
    template_name = "feedback/admin/queue.html"

    def get(self, request):
        user, now = request.user, timezone.now()
        status = request.GET.get("status") or None
        if status not in FeedbackStatus.values:
            status = None
        category_id = request.GET.get("category") or None
        agency_id = request.GET.get("agency") or None
        qs = selectors.feedback_queue(
            user,
            now=now,
            status=status,
            q=request.GET.get("q", "")[:60],
            category_id=int(category_id) if (category_id or "").isdigit() else None,
            agency_id=int(agency_id) if (agency_id or "").isdigit() else None,
            overdue=request.GET.get("overdue") == "1",
        )
        page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("p"))
        agencies = None
        if sees_all_units(user):
            from catalog.models import Agency

            agencies = Agency.objects.active().order_by("name").only("pk", "name")
        return self.render(
            self.template_name,
            page=page,
            now=now,
            statuses=FeedbackStatus.choices,
            categories=FeedbackCategory.objects.all(),
            agencies=agencies,
            counts=selectors.feedback_counts(user, now),
            filters_get=request.GET,
            new_url=self.url("new"),
        )


ACTIONS = {
    # name: (label, form class); offered in the statuses of feedback.transitions.TRANSITIONS
    "classify": (gettext_lazy("Classify"), ClassifyForm),
    "assign": (gettext_lazy("Assign to an agency"), AssignForm),
    "forward": (gettext_lazy("Forward to another agency"), AssignForm),
    "start": (gettext_lazy("Start handling"), None),
    "update": (gettext_lazy("Post a progress update (the sender sees it)"), TextForm),
    "answer": (gettext_lazy("Answer"), TextForm),
    "publish": (gettext_lazy("Publish the answer"), PublishForm),
    "reject": (gettext_lazy("Reject as out of scope (e.g. a complaint or denunciation)"), TextForm),
}


def _initial(name, feedback):
    if name == "publish":
        return {
            "public_subject": feedback.public_subject or feedback.subject,
            "public_content": feedback.public_content or feedback.content,
            "answer": feedback.answer,
        }
    return {}


class DetailView(FeedbackPermissionMixin, View):
    header_icon = "mail"
    template_name = "feedback/admin/detail.html"

    def get_page_title(self):
        return _("Feedback %(code)s") % {"code": self.feedback.tracking_code}

    def get_feedback(self, pk):
        try:
            self.feedback = selectors.feedback_get(self.request.user, pk)
        except Feedback.DoesNotExist:
            raise Http404 from None
        return self.feedback

    def get(self, request, pk):
        feedback = self.get_feedback(pk)
        response = self.render_detail(feedback)
        record_access(request, AccessKind.FEEDBACK_DETAIL, object_id=feedback.tracking_code)  # sender's contacts
        return response

    def render_detail(self, feedback, bound=None, status=200):
        forms = []
        allowed = transitions.allowed_actions(feedback)
        for name, (label, form_class) in ACTIONS.items():
            if name not in allowed:
                continue
            form = (
                bound[1]
                if bound and bound[0] == name
                else (form_class(initial=_initial(name, feedback), prefix=name) if form_class else None)
            )
            forms.append(
                {
                    "name": name,
                    "label": label,
                    "form": form,
                    "url": self.url("action", feedback.pk, name),
                    "open": bool(bound and bound[0] == name),
                }
            )
        now = timezone.now()
        calendar = get_calendar()
        remaining = calendar.remaining_minutes(feedback.due_at, now) if feedback.is_open else None
        return self.render(
            self.template_name,
            status=status,
            feedback=feedback,
            forms=forms,
            revision=feedback.revision,
            events=selectors.feedback_events(feedback).select_related("actor"),
            attachments=feedback.attachments.all(),
            remaining_days=None if remaining is None else round(remaining / DAY_MINUTES, 1),
            update_overdue=bool(
                feedback.is_open
                and feedback.next_update_due_at
                and feedback.due_at < now
                and feedback.next_update_due_at < now
            ),
            published_on_time=services.published_on_time(feedback),
        )


class ActionView(DetailView):
    def post(self, request, pk, action):
        feedback = self.get_feedback(pk)
        if action not in ACTIONS:
            raise Http404
        label, form_class = ACTIONS[action]
        form = form_class(request.POST, prefix=action) if form_class else None
        if form is not None and not form.is_valid():
            return self.render_detail(feedback, bound=(action, form), status=400)
        data = form.cleaned_data if form is not None else {}
        common = {"actor": request.user, "feedback_id": feedback.pk, "revision": request.POST.get("revision")}
        try:
            if action == "classify":
                services.feedback_classify(category=data["category"], **common)
            elif action == "assign":
                services.feedback_assign(agency=data["agency"], comment=data["comment"], **common)
            elif action == "forward":
                services.feedback_forward(agency=data["agency"], comment=data["comment"], **common)
            elif action == "start":
                services.feedback_start(**common)
            elif action == "update":
                services.feedback_post_update(text=data["text"], **common)
            elif action == "answer":
                services.feedback_answer(answer=data["text"], **common)
            elif action == "publish":
                services.feedback_publish(
                    public_subject=data["public_subject"],
                    public_content=data["public_content"],
                    answer=data["answer"],
                    **common,
                )
            elif action == "reject":
                services.feedback_reject(reason=data["text"], **common)
        except FeedbackError as exc:
            if form is not None:
                form.add_error(None, exc.message)
            messages.error(request, exc.message)
            return self.render_detail(feedback, bound=(action, form), status=400)
        messages.success(request, _("Saved: %(action)s.") % {"action": label})
        if not Feedback.objects.visible_to(request.user).filter(pk=feedback.pk).exists():
            return redirect(self.url("index"))  # forwarded out of the official's unit
        return redirect(self.url("detail", feedback.pk))


class EnterView(FeedbackPermissionMixin, View):
    page_title = gettext_lazy("Enter feedback received by letter, phone, fax or e-mail")
    header_icon = "plus"
    template_name = "feedback/admin/form.html"

    def get(self, request):
        return self.render(self.template_name, form=OfflineFeedbackForm())

    def post(self, request):
        form = OfflineFeedbackForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                feedback = services.feedback_enter(
                    actor=request.user,
                    channel=data["channel"],
                    received_at=data["received_at"],
                    sender=services.Sender(
                        data["sender_name"], data["sender_email"], data["sender_phone"], data["sender_address"]
                    ),
                    subject=data["subject"],
                    content=data["content"],
                    dossier_code=data["dossier_code"],
                    category=data["category"],
                    agency=data["agency"],
                )
            except FeedbackError as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(request, _("Feedback %(code)s recorded.") % {"code": feedback.tracking_code})
                return redirect(self.url("detail", feedback.pk))
        return self.render(self.template_name, form=form, status=400)


class RatingsView(FeedbackPermissionMixin, View):
    page_title = gettext_lazy("Satisfaction ratings")
    header_icon = "pick"
    template_name = "feedback/admin/ratings.html"

    def get(self, request):
        ids = visible_agency_ids(request.user)
        return self.render(
            self.template_name,
            agencies=selectors.rating_stats_by_agency(ids),
            officials=selectors.rating_stats_by_official(ids),
            latest=selectors.rating_list(request.user)[:50],
        )


class QuestionQueueView(FeedbackPermissionMixin, View):
    page_title = gettext_lazy("Citizens' questions")
    header_icon = "help"
    template_name = "feedback/admin/questions.html"

    def get(self, request):
        status = request.GET.get("status")
        page = Paginator(
            selectors.question_queue(request.user, status if status in QuestionStatus.values else None), PAGE_SIZE
        ).get_page(request.GET.get("p"))
        return self.render(self.template_name, page=page, statuses=QuestionStatus.choices)


class QuestionDetailView(FeedbackPermissionMixin, View):
    page_title = gettext_lazy("Citizen question")
    header_icon = "help"
    template_name = "feedback/admin/question.html"

    def get_question(self, pk):
        question = (
            Question.objects.visible_to(self.request.user)
            .select_related("procedure", "faq_entry")
            .filter(pk=pk)
            .first()
        )
        if question is None:
            raise Http404
        return question

    def get(self, request, pk):
        question = self.get_question(pk)
        response = self.render_question(question)
        record_access(request, AccessKind.QUESTION_DETAIL, object_id=question.pk)  # asker's name and e-mail
        return response

    def render_question(self, question, answer_form=None, publish_form=None, status=200):
        return self.render(
            self.template_name,
            status=status,
            question=question,
            answer_form=answer_form or QuestionAnswerForm(initial={"answer": question.answer}),
            publish_form=publish_form
            or QuestionPublishForm(initial={"question": question.question[:500], "answer": question.answer}),
            may_review=questions.may_review(self.request.user),
        )

    def post(self, request, pk):
        question = self.get_question(pk)
        action = request.POST.get("action")
        try:
            if action == "answer":
                form = QuestionAnswerForm(request.POST)
                if not form.is_valid():
                    return self.render_question(question, answer_form=form, status=400)
                questions.question_answer(actor=request.user, question_id=pk, answer=form.cleaned_data["answer"])
            elif action == "publish":
                form = QuestionPublishForm(request.POST)
                if not form.is_valid():
                    return self.render_question(question, publish_form=form, status=400)
                questions.question_publish(
                    actor=request.user,
                    question_id=pk,
                    question_text=form.cleaned_data["question"],
                    answer=form.cleaned_data["answer"],
                )
            elif action == "private":
                questions.question_keep_private(actor=request.user, question_id=pk)
            else:
                raise Http404
        except FeedbackError as exc:
            messages.error(request, exc.message)
            return self.render_question(question, status=400)
        messages.success(request, _("Saved."))
        return redirect(self.url("question", pk))
