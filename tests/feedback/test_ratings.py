"""Satisfaction ratings (QT 24.1): once per dossier code, by the applicant's account or the code + secret."""

from datetime import datetime
from unittest import mock
from zoneinfo import ZoneInfo

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils.html import escape
from django.utils.translation import gettext

from feedback import ratings, selectors
from feedback.errors import AlreadyRated, InvalidFeedback, NotRatableYet, RatingRefused
from feedback.models import Rating, RatingSource
from tests.factories import AgencyFactory, ProcedureFactory
from tests.factories.workflow import UserFactory, official
from workflow import notifications
from workflow.models import Action, Dossier, DossierEvent, Notification, Status

ALREADY_RATED = (
    "This dossier has already been rated. Each dossier code can be used to rate only once; the first rating is kept."
)
pytestmark = pytest.mark.django_db
TZ = ZoneInfo("Asia/Ho_Chi_Minh")
GOOD = ratings.Scores(overall=4, guidance=4, attitude=3, on_time=4, result=4, cost=3, comment="Nhanh, chu đáo.")
BAD = ratings.Scores(overall=1, guidance=2, attitude=1, on_time=1, result=2, cost=2)
_seq = iter(range(1, 10_000))


@pytest.fixture(autouse=True)
def _clear_cache():
    cache.clear()
    yield
    cache.clear()


def finished(agency=None, status=Status.RETURNED, applicant_user=None, officials=()):
    agency = agency or AgencyFactory()
    dossier = Dossier.objects.create(
        code=f"{agency.code}-260504-{next(_seq):04d}",
        procedure=ProcedureFactory(agencies=[agency]),
        agency=agency,
        applicant_name="Nguyễn Văn An",
        applicant_email="an@example.com",
        applicant_phone="0912345678",
        applicant_user=applicant_user,
        status=status,
    )
    for user in officials:
        DossierEvent.objects.create(
            dossier=dossier,
            action=Action.FORWARD,
            actor=user,
            actor_name=user.username,
            actor_agency=user.official.agency,
            at=datetime(2026, 5, 4, 9, 0, tzinfo=TZ),
        )
    return dossier


def test_secret_is_an_hmac_of_the_code_sent_with_the_result():
    dossier = finished()
    secret = ratings.rating_secret(dossier.code)
    assert len(secret) == 16 and secret == ratings.rating_secret(dossier.code.lower())
    other_code = dossier.code[:-1] + ("8" if dossier.code.endswith("9") else "9")  # another code, whatever its end
    assert secret != ratings.rating_secret(other_code)
    notifications.queue(dossier, "returned")
    email = Notification.objects.get(dossier=dossier, channel="email", kind="returned")
    assert secret in email.body and ratings.rating_public_url(dossier) in email.body
    sms = Notification.objects.get(dossier=dossier, channel="sms", kind="returned")
    assert secret in sms.body
    notifications.queue(dossier, "received")  # other notices carry no secret
    assert secret not in Notification.objects.get(dossier=dossier, channel="email", kind="received").body


def test_rate_with_code_and_secret_once_first_kept():
    clerk = official(AgencyFactory(), "motcua.r")
    dossier = finished(officials=[clerk])
    secret = ratings.rating_secret(dossier.code)
    rating = ratings.rating_submit(dossier_code=dossier.code, secret=secret, scores=GOOD)
    assert (rating.source, rating.overall, rating.dossier_code) == (RatingSource.CODE, 4, dossier.code)
    assert list(rating.officials.all()) == [clerk]
    with pytest.raises(AlreadyRated) as error:
        ratings.rating_submit(dossier_code=dossier.code, secret=secret, scores=BAD)
    assert str(error.value.message) == gettext(ALREADY_RATED)
    assert Rating.objects.get().overall == 4


def test_wrong_secret_and_unknown_code_get_the_same_refusal():
    dossier = finished()
    with pytest.raises(RatingRefused) as wrong:
        ratings.rating_submit(dossier_code=dossier.code, secret="AAAAAAAAAAAAAAAA", scores=GOOD)
    with pytest.raises(RatingRefused) as unknown:
        ratings.rating_submit(dossier_code="000.00.99.H99-260101-0001", secret="AAAAAAAAAAAAAAAA", scores=GOOD)
    with pytest.raises(RatingRefused):  # a stranger with only the code
        ratings.rating_submit(dossier_code=dossier.code, scores=GOOD)
    assert str(wrong.value.message) == str(unknown.value.message)
    assert not Rating.objects.exists()


def test_only_finished_dossiers_status_9_or_10():
    dossier = finished(status=Status.PROCESSING)
    with pytest.raises(NotRatableYet):
        ratings.rating_submit(dossier_code=dossier.code, secret=ratings.rating_secret(dossier.code), scores=GOOD)
    resolved = finished(status=Status.RESOLVED)
    ratings.rating_submit(dossier_code=resolved.code, secret=ratings.rating_secret(resolved.code), scores=GOOD)


def test_from_my_dossiers_without_secret():
    citizen = UserFactory(is_staff=False)
    dossier = finished(applicant_user=citizen)
    assert ratings.can_rate(citizen, dossier)
    assert not ratings.can_rate(UserFactory(is_staff=False), dossier)
    with pytest.raises(RatingRefused):
        ratings.rating_submit(dossier_code=dossier.code, user=UserFactory(is_staff=False), scores=GOOD)
    rating = ratings.rating_submit(dossier_code=dossier.code, user=citizen, scores=GOOD)
    assert (rating.source, rating.rated_by) == (RatingSource.ACCOUNT, citizen)
    assert not ratings.can_rate(citizen, dossier)
    assert ratings.rating_account_url(dossier) == f"/danh-gia/ho-so/{dossier.code}/"


def test_second_rating_racing_past_the_check_hits_the_unique_constraint():
    """SQLite path of the race: both passed the "already rated?" check; the insert's IntegrityError decides."""
    dossier = finished()
    secret = ratings.rating_secret(dossier.code)
    ratings.rating_submit(dossier_code=dossier.code, secret=secret, scores=GOOD)
    with mock.patch("feedback.ratings.is_rated", return_value=False):
        with pytest.raises(AlreadyRated):
            ratings.rating_submit(dossier_code=dossier.code, secret=secret, scores=BAD)
    assert Rating.objects.count() == 1 and Rating.objects.get().overall == 4


@pytest.mark.parametrize("change", [{"overall": 5}, {"cost": None}, {"guidance": "x"}, {"comment": "x" * 2001}])
def test_malformed_scores_refused(change):
    dossier = finished()
    scores = ratings.Scores(**{**GOOD.__dict__, **change})
    with pytest.raises(InvalidFeedback):
        ratings.rating_submit(dossier_code=dossier.code, secret=ratings.rating_secret(dossier.code), scores=scores)


def test_aggregates_per_agency_and_official():
    a, b = AgencyFactory(name="Sở Xây dựng"), AgencyFactory(name="Sở Tư pháp")
    clerk_a, clerk_b = official(a, "cb.a"), official(b, "cb.b")
    for scores in (GOOD, GOOD, BAD):
        d = finished(a, officials=[clerk_a])
        ratings.rating_submit(dossier_code=d.code, secret=ratings.rating_secret(d.code), scores=scores)
    d = finished(b, officials=[clerk_b, clerk_a])
    ratings.rating_submit(dossier_code=d.code, secret=ratings.rating_secret(d.code), scores=BAD)
    by_agency = {row["agency__name"]: row for row in selectors.rating_stats_by_agency()}
    assert (by_agency["Sở Xây dựng"]["count"], by_agency["Sở Xây dựng"]["satisfied"]) == (3, 2)
    assert by_agency["Sở Xây dựng"]["share"] == 66.7
    assert by_agency["Sở Tư pháp"]["share"] == 0.0
    by_official = {row["user_id"]: row for row in selectors.rating_stats_by_official()}
    assert (by_official[clerk_a.pk]["count"], by_official[clerk_a.pk]["share"]) == (4, 50.0)
    assert (by_official[clerk_b.pk]["count"], by_official[clerk_b.pk]["share"]) == (1, 0.0)
    assert selectors.rating_stats_by_agency([b.pk])[0]["agency_id"] == b.pk


# --- pages and API ----------------------------------------------------------------------------------------


def _post_body(dossier, **extra):
    return {
        "dossier_code": dossier.code,
        "secret": ratings.rating_secret(dossier.code),
        "overall": 3,
        "guidance": 3,
        "attitude": 4,
        "on_time": 3,
        "result": 4,
        "cost": 3,
        **extra,
    }


def test_api_rating_once_wrong_secret_same_as_unknown(client):
    dossier = finished()
    response = client.post("/api/v1/ratings/", _post_body(dossier), content_type="application/json")
    assert response.status_code == 201, response.content
    again = client.post("/api/v1/ratings/", _post_body(dossier, overall=1), content_type="application/json")
    assert again.status_code == 409 and again.json()["code"] == "AlreadyRated"
    other = finished()
    wrong = client.post("/api/v1/ratings/", _post_body(other, secret="B" * 16), content_type="application/json")
    unknown = client.post(
        "/api/v1/ratings/",
        {**_post_body(other), "dossier_code": "000.00.77.H77-260101-0001"},
        content_type="application/json",
    )
    assert wrong.status_code == unknown.status_code == 403
    assert wrong.json() == unknown.json()


@pytest.mark.parametrize(
    "extra", [{"overall": 9}, {"extra_field": 1}, {"comment": "x" * 2001}, {"dossier_code": "x" * 41}]
)
def test_api_rating_malformed(client, extra):
    dossier = finished()
    assert (
        client.post("/api/v1/ratings/", _post_body(dossier, **extra), content_type="application/json").status_code
        == 400
    )
    assert not Rating.objects.exists()


def test_api_rating_rate_limited(client, settings):
    settings.RATELIMIT_RATES = {**settings.RATELIMIT_RATES, "rating": ["3/minute"]}
    for _i in range(3):
        client.post("/api/v1/ratings/", {}, content_type="application/json")
    assert client.post("/api/v1/ratings/", {}, content_type="application/json").status_code == 429


def test_api_stats_query_count_pinned(client, django_assert_num_queries):
    a = AgencyFactory()
    clerk = official(a, "cb.stats")
    for _i in range(3):
        d = finished(a, officials=[clerk])
        ratings.rating_submit(dossier_code=d.code, secret=ratings.rating_secret(d.code), scores=GOOD)
    with django_assert_num_queries(2):  # one aggregate per agency, one per official
        body = client.get("/api/v1/ratings/stats/").json()
    assert body["agencies"][0]["count"] == 3 and body["agencies"][0]["share_satisfied"] == 100.0
    assert body["officials"][0]["official_id"] == clerk.pk and len(body["agencies"][0]["criteria"]) == 5


def test_public_rating_page_and_results(client):
    clerk = official(AgencyFactory(name="Sở Y tế"), "cb.page")
    dossier = finished(clerk.official.agency, officials=[clerk])
    secret = ratings.rating_secret(dossier.code)
    page = client.get(reverse("feedback:rate"), {"code": dossier.code, "s": secret})
    assert page.status_code == 200 and secret in page.content.decode()
    form = {
        "code": dossier.code,
        "secret": secret,
        "overall": 4,
        "guidance": 4,
        "attitude": 4,
        "on_time": 4,
        "result": 4,
        "cost": 4,
        "comment": "",
    }
    assert client.post(reverse("feedback:rate"), form).status_code == 200
    again = client.post(reverse("feedback:rate"), form)
    assert again.status_code == 400 and escape(gettext(ALREADY_RATED)) in again.content.decode()
    results = client.get(reverse("feedback:rating_results")).content.decode()
    assert "Sở Y tế" in results and ("100.0" in results or "100,0" in results)


def test_my_dossiers_rating_page(client):
    citizen = UserFactory(is_staff=False)
    dossier = finished(applicant_user=citizen)
    client.force_login(UserFactory(is_staff=False))
    assert client.get(ratings.rating_account_url(dossier)).status_code == 404  # not their dossier
    client.force_login(citizen)
    assert client.get(ratings.rating_account_url(dossier)).status_code == 200
    response = client.post(
        ratings.rating_account_url(dossier),
        {"overall": 3, "guidance": 3, "attitude": 3, "on_time": 3, "result": 3, "cost": 3},
    )
    assert response.status_code == 200
    assert Rating.objects.get().rated_by == citizen


def test_opening_the_rating_link_again_shows_the_rating_kept(client):
    """Issue 14 item 8c: a second visit says the dossier is rated and shows the rating, not an empty form."""
    dossier = finished()
    secret = ratings.rating_secret(dossier.code)
    ratings.rating_submit(dossier_code=dossier.code, secret=secret, scores=GOOD)
    page = client.get(reverse("feedback:rate"), {"code": dossier.code, "s": secret})
    html = page.content.decode()
    assert page.status_code == 200
    assert escape(gettext(ALREADY_RATED)) in html and "Nhanh, chu đáo." in html
    assert 'name="overall"' not in html and gettext("Please check what you entered") not in html
    # A wrong secret learns nothing about the rating.
    wrong = client.get(reverse("feedback:rate"), {"code": dossier.code, "s": "A" * 16}).content.decode()
    assert "Nhanh, chu đáo." not in wrong and 'name="overall"' in wrong


def test_my_dossiers_rating_page_again_shows_the_rating(client):
    citizen = UserFactory(is_staff=False)
    dossier = finished(applicant_user=citizen)
    ratings.rating_submit(dossier_code=dossier.code, user=citizen, scores=BAD)
    client.force_login(citizen)
    page = client.get(ratings.rating_account_url(dossier))
    html = page.content.decode()
    assert page.status_code == 200 and escape(gettext(ALREADY_RATED)) in html
    assert str(ratings.Satisfaction.VERY_UNSATISFIED.label) in html or "Rất không hài lòng" in html
    assert 'name="overall"' not in html and gettext("Please check what you entered") not in html
