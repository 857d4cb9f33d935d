"""Satisfaction ratings of finished dossiers (QT 24.1): once per dossier code.

Two ways in:

* the applicant's own account ("My dossiers"): :func:`can_rate` and
  :func:`rating_account_url` for the citizen pages to link to;
* publicly, with the dossier code **and** the rating secret sent with the
  result (e-mail/SMS of the "result ready" / "result returned" notices): the
  secret is an HMAC of the code under the site's ``SECRET_KEY``
  (:func:`rating_secret`), so a stranger holding only a code cannot rate it,
  and nothing has to be stored. It is one-time because a code rates once.

An unknown code and a wrong secret get the same answer
(:class:`~feedback.errors.RatingRefused`). The database's unique constraint on
the dossier decides races: of two ratings arriving together exactly one is
stored, the other gets :class:`~feedback.errors.AlreadyRated`.
"""

import base64
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext as _

from feedback.errors import AlreadyRated, InvalidFeedback, NotRatableYet, RatingRefused
from feedback.models import CRITERIA, Rating, RatingSource, Satisfaction
from portal.core.links import absolute_url
from workflow.models import Dossier, DossierEvent, Status

RATABLE_STATUSES = (Status.RESOLVED, Status.RETURNED)
MAX_COMMENT = 2000
SECRET_LENGTH = 16
_SALT = "feedback.ratings.secret.v1"


def normalize_code(code) -> str:
    return (code or "").strip().upper()[:40]


def rating_secret(code) -> str:
    """16 characters of base32 HMAC-SHA256 of the code (80 bits): printed/sent with the result only."""
    digest = salted_hmac(_SALT, normalize_code(code), algorithm="sha256").digest()
    return base64.b32encode(digest).decode()[:SECRET_LENGTH]


def secret_matches(code, secret) -> bool:
    given = "".join((secret or "").split()).upper()[:64]
    return constant_time_compare(given, rating_secret(code))


def rating_public_url(dossier_or_code) -> str:
    """The absolute link sent with the result: the code and its secret prefilled."""
    code = getattr(dossier_or_code, "code", dossier_or_code)
    return absolute_url(reverse("feedback:rate"), {"code": code, "s": rating_secret(code)})


#: Notices that carry the one-time rating link (QT 24.1); registered with the outbox in FeedbackConfig.ready.
RATING_NOTICE_KINDS = ("result_ready", "returned")


def rating_notice_context(dossier) -> dict:
    """What a result notice adds so the applicant can rate (the link and the secret printed with it)."""
    return {"rating_url": rating_public_url(dossier), "rating_secret": rating_secret(dossier.code)}


def rating_account_url(dossier_or_code) -> str:
    """The signed-in applicant's rating page (for "My dossiers")."""
    return reverse("feedback:rate_mine", args=[getattr(dossier_or_code, "code", dossier_or_code)])


def is_rated(dossier) -> bool:
    return Rating.objects.filter(dossier=dossier).exists()


def can_rate(user, dossier) -> bool:
    """For "My dossiers": the applicant's own finished dossier, not rated yet."""
    return bool(
        user
        and user.is_authenticated
        and dossier.applicant_user_id == user.pk
        and dossier.status in RATABLE_STATUSES
        and not is_rated(dossier)
    )


@dataclass
class Scores:
    overall: int
    guidance: int
    attitude: int
    on_time: int
    result: int
    cost: int
    comment: str = ""

    def cleaned(self):
        values = {}
        for name in ("overall", *CRITERIA):
            try:
                value = int(getattr(self, name))
            except (TypeError, ValueError):
                value = None
            if value not in Satisfaction.values:
                raise InvalidFeedback(_("Choose a level for every question."))
            values[name] = value
        comment = (self.comment or "").replace("\x00", "").strip()
        if len(comment) > MAX_COMMENT:
            raise InvalidFeedback(_("The comment is too long (at most %(max)d characters).") % {"max": MAX_COMMENT})
        values["comment"] = comment
        return values


def _authenticate(code, secret, user):
    """The dossier, if the caller may rate it; the same refusal for an unknown code and a wrong secret."""
    expected_ok = secret_matches(code, secret) if secret else False  # computed first: same work either way
    dossier = Dossier.objects.select_related("agency", "procedure").filter(code=code).first() if code else None
    if dossier is not None and user is not None and user.is_authenticated and dossier.applicant_user_id == user.pk:
        return dossier, RatingSource.ACCOUNT
    if dossier is not None and expected_ok:
        return dossier, RatingSource.CODE
    raise RatingRefused()


def rating_of(*, dossier_code, secret=None, user=None):
    """The rating already given for this dossier, if the caller may see it (the same check as rating), else None.

    A second visit of the rating link (or of "Rate" in My dossiers) shows this rating instead of an empty form.
    """
    try:
        dossier, _source = _authenticate(normalize_code(dossier_code), secret, user)
    except RatingRefused:
        return None
    return Rating.objects.filter(dossier=dossier).first()


def handling_official_ids(dossier):
    """Officials who acted on the dossier (the accountability record), for per-official results."""
    return list(
        DossierEvent.objects.filter(dossier=dossier, actor__isnull=False, actor_agency__isnull=False)
        .values_list("actor_id", flat=True)
        .distinct()
    )


def rating_submit(*, dossier_code, scores: Scores, secret=None, user=None, at=None) -> Rating:
    """Store the one rating of a finished dossier (status 9 or 10)."""
    code = normalize_code(dossier_code)
    dossier, source = _authenticate(code, secret, user)
    if dossier.status not in RATABLE_STATUSES:
        raise NotRatableYet()
    values = scores.cleaned()
    if is_rated(dossier):  # the common case, answered without an insert; races end at the unique constraint
        raise AlreadyRated()
    try:
        with transaction.atomic():
            rating = Rating.objects.create(
                dossier=dossier,
                dossier_code=dossier.code,
                agency_id=dossier.agency_id,
                procedure_id=dossier.procedure_id,
                source=source,
                rated_by=user if source == RatingSource.ACCOUNT else None,
                created_at=at or timezone.now(),
                **values,
            )
            rating.officials.set(handling_official_ids(dossier))
    except IntegrityError:
        raise AlreadyRated() from None
    return rating
