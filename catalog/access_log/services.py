"""The access log of citizens' personal data (DESIGN 10; TN 17.10d; BN 7.4).

* Writing: every official-side view that shows a citizen's personal data
  (dossier detail, e-form answers, documents, slips, the API, feedback and
  question details, citizen accounts in the admin) calls :func:`record_access`
  once — one INSERT, no extra SELECT. Lists are not logged, details are.
* The log is append-only: the model and its queryset refuse updates and
  deletes, and database triggers (migration ``catalog/0004``) refuse UPDATE and
  DELETE from any client.
* Reading: supervisors and the system admin read the entries
  (``catalog.view_personaldataaccess``, :func:`access_log_list`); the police
  role reads only the aggregated figures (``catalog.view_access_statistics``,
  :func:`access_statistics`): per unit, per day or month, per kind, and how
  many officials — never who read which citizen's dossier (BN 7.4 gives the
  provincial police the follow-up and statistics of how units use citizens'
  data, not the data itself).
"""

from dataclasses import dataclass, field
from datetime import date

from django.db.models import Count, Min
from django.db.models.functions import TruncDate, TruncMonth
from django.utils import timezone

from catalog.models import AccessKind, PersonalDataAccess
from catalog.officials.scoping import user_agency_id
from portal.core.names import display_name
from portal.core.ratelimit import valid_client_ip


def record_access(request, kind: AccessKind | str, *, dossier=None, object_id="", at=None):
    """Log that the signed-in official of ``request`` viewed a citizen's data; returns the entry or None.

    ``dossier`` (when the data belongs to one) gives the dossier id and code; ``object_id`` names what was
    read (a document id, a slip kind, a feedback code). Nothing is written for anonymous callers or for an
    applicant reading their own dossier: the log is about officials reading other people's data. Callers
    are views that already let only officials in. One INSERT; ``dossier`` must already be loaded.
    """
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return None
    if dossier is not None and dossier.applicant_user_id == user.pk:
        return None
    return PersonalDataAccess.objects.create(
        user=user,
        user_name=display_name(user)[:255],
        agency_id=user_agency_id(user),
        at=at or timezone.now(),
        kind=kind,
        object_id=str(object_id or (dossier.pk if dossier is not None else ""))[:64],
        dossier_id=getattr(dossier, "pk", None),
        dossier_code=(getattr(dossier, "code", "") or "")[:40],
        ip_address=valid_client_ip(request),
    )


def can_read_access_log(user) -> bool:
    """Supervisors and the system admin: who read which dossier, when, from where."""
    return bool(
        user
        and user.is_authenticated
        and user.is_active
        and (user.is_superuser or user.has_perm("catalog.view_personaldataaccess"))
    )


def can_read_access_statistics(user) -> bool:
    """The police role, supervisors and the system admin: aggregated figures only."""
    return bool(
        user
        and user.is_authenticated
        and user.is_active
        and (
            user.is_superuser
            or user.has_perm("catalog.view_access_statistics")
            or user.has_perm("catalog.view_personaldataaccess")
        )
    )


def access_log_list(*, user):
    """The whole log for those allowed to read it, newest first (unit joined); nothing otherwise."""
    if not can_read_access_log(user):
        return PersonalDataAccess.objects.none()
    return PersonalDataAccess.objects.select_related("agency").order_by("-at", "-pk")


PERIODS = ("day", "month")


@dataclass
class AccessStatistics:
    """The figures of :func:`access_statistics`; every list is ``[{..., "count", "officials"}]``."""

    total: int = 0
    officials: int = 0
    by_unit: list = field(default_factory=list)  # agency_id, agency__name (None: accounts without a unit)
    by_period: list = field(default_factory=list)  # period (a date: the day, or the month's first day)
    by_kind: list = field(default_factory=list)  # kind, label
    period: str = "day"
    first_at: object = None


def _window(queryset, since: date | None, until: date | None):
    if since:
        queryset = queryset.filter(at__date__gte=since)
    if until:
        queryset = queryset.filter(at__date__lte=until)
    return queryset


def access_statistics(
    *, user, since: date | None = None, until: date | None = None, period: str = "day", agency_id=None
) -> AccessStatistics | None:
    """Accesses to citizens' data in [since, until] (local dates), aggregated in SQL: four queries.

    ``officials`` counts distinct officials. Days and months are in the site's time zone. ``None`` for a
    user who may not read the statistics.
    """
    if not can_read_access_statistics(user):
        return None
    if period not in PERIODS:
        period = "day"
    queryset = _window(PersonalDataAccess.objects.all(), since, until)
    if agency_id:
        queryset = queryset.filter(agency_id=agency_id)
    figures = queryset.aggregate(total=Count("pk"), officials=Count("user", distinct=True), first_at=Min("at"))
    counts = {"count": Count("pk"), "officials": Count("user", distinct=True)}
    by_unit = list(queryset.values("agency_id", "agency__name").annotate(**counts).order_by("-count", "agency__name"))
    trunc = TruncDate("at") if period == "day" else TruncMonth("at")
    by_period = list(queryset.annotate(period=trunc).values("period").annotate(**counts).order_by("period"))
    for row in by_period:  # TruncMonth gives a datetime; show both as dates
        if hasattr(row["period"], "date"):
            row["period"] = (
                timezone.localtime(row["period"]).date() if timezone.is_aware(row["period"]) else row["period"].date()
            )
    labels = dict(AccessKind.choices)
    by_kind = [
        {**row, "label": labels.get(row["kind"], row["kind"])}
        for row in queryset.values("kind").annotate(**counts).order_by("-count", "kind")
    ]
    return AccessStatistics(
        total=figures["total"],
        officials=figures["officials"],
        by_unit=by_unit,
        by_period=by_period,
        by_kind=by_kind,
        period=period,
        first_at=figures["first_at"],
    )
