"""Public pages: send feedback, look it up, published answers, rate a dossier, rating results, ask a question.

Views read the request, call a service or selector and render; posts are
rate-limited per client (:mod:`portal.core.ratelimit`, scopes ``feedback`` and
``rating``; lookups share the ``lookup`` scope).
"""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from catalog.models import Procedure
from feedback import questions, ratings, selectors, services
from feedback.errors import FeedbackError
from feedback.forms import AnswersFilterForm, FeedbackForm, LookupForm, PublicRatingForm, QuestionForm, RatingScoresForm
from portal.core.ratelimit import ratelimit
from workflow.models import Dossier

TOO_MANY = "feedback/too_many.html"


@never_cache
@require_http_methods(["GET", "POST"])
@ratelimit("feedback", methods=["POST"], template_name=TOO_MANY)
def feedback_new(request):
    form = FeedbackForm(request.POST or None, request.FILES or None)
    error = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            feedback = services.feedback_submit(
                sender=services.Sender(
                    name=data["sender_name"],
                    email=data["sender_email"],
                    phone=data["sender_phone"],
                    address=data["sender_address"],
                ),
                subject=data["subject"],
                content=data["content"],
                dossier_code=data["dossier_code"],
                agency=data["agency"],
                attachments=[services.Attachment(f.name, f) for f in data["attachments"]],
            )
        except FeedbackError as exc:
            error = exc.message
        else:
            return redirect(reverse("feedback:lookup") + "?" + urlencode({"code": feedback.tracking_code, "new": 1}))
    return render(
        request,
        "feedback/feedback_form.html",
        {"form": form, "error": error},
        status=400 if request.method == "POST" else 200,
    )


@never_cache
@ratelimit("lookup", when=lambda r: bool(r.GET.get("code")), template_name=TOO_MANY)
def feedback_lookup(request):
    form = LookupForm(request.GET or None)
    result = None
    not_found = False
    if request.GET.get("code"):
        if form.is_valid():
            result = selectors.feedback_lookup(form.cleaned_data["code"])
        not_found = result is None
    return render(
        request,
        "feedback/lookup.html",
        {"form": form, "result": result, "not_found": not_found, "is_new": request.GET.get("new") == "1"},
        status=404 if not_found else 200,
    )


def public_answers(request):
    form = AnswersFilterForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    qs = selectors.feedback_public_answers(
        agency_id=data["agency"].pk if data.get("agency") else None,
        category_id=data["category"].pk if data.get("category") else None,
        q=data.get("q"),
    )
    page = Paginator(qs, 20).get_page(request.GET.get("page"))
    return render(request, "feedback/answers.html", {"form": form, "page": page})


def _scores(data):
    return ratings.Scores(
        **{k: data[k] for k in ("overall", "guidance", "attitude", "on_time", "result", "cost", "comment")}
    )


def _already_rated(request, rating, *, dossier=None, status=200):
    """A second visit of a rating link: the rating kept (one per dossier), not an empty form to fill again."""
    context = {"rating": rating, "dossier": dossier, "already_rated": ratings.AlreadyRated.default_message}
    return render(request, "feedback/rate.html", context, status=status)


@never_cache
@require_http_methods(["GET", "POST"])
@ratelimit("rating", methods=["POST"], template_name=TOO_MANY)
def rate_public(request):
    """Rate with the dossier code + the secret sent with the result (links arrive with both prefilled)."""
    initial = {"code": request.GET.get("code", "")[:40], "secret": request.GET.get("s", "")[:64]}
    form = PublicRatingForm(request.POST or None, initial=initial)
    error = None
    if request.method == "GET" and initial["code"] and initial["secret"]:
        rating = ratings.rating_of(dossier_code=initial["code"], secret=initial["secret"])
        if rating is not None:
            return _already_rated(request, rating)
    if request.method == "POST" and form.is_valid():
        try:
            ratings.rating_submit(
                dossier_code=form.cleaned_data["code"],
                secret=form.cleaned_data["secret"],
                scores=_scores(form.cleaned_data),
            )
        except ratings.AlreadyRated as exc:
            rating = ratings.rating_of(dossier_code=form.cleaned_data["code"], secret=form.cleaned_data["secret"])
            if rating is None:
                error = exc.message
            else:
                return _already_rated(request, rating, status=400)
        except FeedbackError as exc:
            error = exc.message
        else:
            return render(request, "feedback/rating_thanks.html")
    return render(
        request, "feedback/rate.html", {"form": form, "error": error}, status=400 if request.method == "POST" else 200
    )


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def rate_mine(request, code):
    """From "My dossiers": the signed-in applicant rates their own finished dossier."""
    dossier = (
        Dossier.objects.select_related("procedure", "agency")
        .filter(code=ratings.normalize_code(code), applicant_user=request.user)
        .first()
    )
    if dossier is None:
        raise Http404
    rating = ratings.rating_of(dossier_code=dossier.code, user=request.user)
    if rating is not None:  # rated already (by this account or with the code): show it, not an empty form
        return _already_rated(request, rating, dossier=dossier, status=400 if request.method == "POST" else 200)
    form = RatingScoresForm(request.POST or None)
    error = None
    if request.method == "POST" and form.is_valid():
        try:
            ratings.rating_submit(dossier_code=dossier.code, user=request.user, scores=_scores(form.cleaned_data))
        except FeedbackError as exc:
            error = exc.message
        else:
            return render(request, "feedback/rating_thanks.html")
    elif request.method == "GET" and not ratings.can_rate(request.user, dossier):
        error = (
            ratings.AlreadyRated.default_message if ratings.is_rated(dossier) else ratings.NotRatableYet.default_message
        )
    return render(
        request,
        "feedback/rate.html",
        {"form": form, "error": error, "dossier": dossier},
        status=400 if request.method == "POST" else 200,
    )


def rating_results(request):
    return render(
        request,
        "feedback/rating_results.html",
        {"agencies": selectors.rating_stats_by_agency(), "officials": selectors.rating_stats_by_official()},
    )


@never_cache
@require_http_methods(["GET", "POST"])
@ratelimit("feedback", methods=["POST"], template_name=TOO_MANY)
def ask_question(request):
    form = QuestionForm(request.POST or None, initial={"procedure_code": request.GET.get("procedure", "")[:40]})
    error = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        procedure = Procedure.objects.published().filter(national_code=data["procedure_code"].strip()).first()
        try:
            questions.question_submit(
                procedure=procedure,
                asker_name=data["asker_name"],
                asker_email=data["asker_email"],
                question=data["question"],
            )
        except FeedbackError as exc:
            error = exc.message
        else:
            return render(request, "feedback/question_thanks.html")
    return render(
        request,
        "feedback/question_form.html",
        {"form": form, "error": error},
        status=400 if request.method == "POST" else 200,
    )
