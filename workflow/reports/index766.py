"""A service-quality index per agency in the spirit of Decision 766/QĐ-TTg (DESIGN §8; TN 16; AG 20.3).

100 points in six groups. Each group is made of indicators; an indicator has
a maximum, a full-point threshold and a rate computed from our own data:
``points = max`` when ``rate >= threshold``, else ``rate × max ÷ threshold``.
An indicator whose input does not exist in the system yet has no rate
("no data"): it scores nothing and is left out of the attainable maximum, so
an agency is never marked down for data the system does not hold.

Every rate is computed in a few aggregate queries for all agencies at once.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _

from catalog.models import Agency, OnlineLevel, Procedure, ProcedureDocument, ProcedureStatus
from workflow.models import Action, DocumentKind, DossierDocument, DossierEvent, Payment, PaymentStatus
from workflow.reports import figures
from workflow.reports.periods import Period


@dataclass(frozen=True)
class Indicator:
    key: str
    group: str
    label: str
    max_points: int
    threshold: Decimal
    formula: str
    source: str


GROUPS = {
    "publicity": (_("Publicity and transparency"), 18),
    "progress": (_("Processing progress"), 20),
    "online_service": (_("Online service"), 12),
    "online_payment": (_("Online payment"), 10),
    "satisfaction": (_("Satisfaction"), 18),
    "digitisation": (_("Digitisation"), 22),
}

INDICATORS = [
    Indicator(
        "procedures_published",
        "publicity",
        _("Procedures published in full"),
        9,
        Decimal("1.00"),
        _(
            "In-force procedures of the agency with their required documents listed ÷ in-force procedures "
            "of the agency."
        ),
        _("Catalog (procedures, documents); Decision 766 group 1; BN 4."),
    ),
    Indicator(
        "national_sync",
        "publicity",
        _("Dossiers synchronised with the national portal"),
        9,
        Decimal("1.00"),
        _("Dossiers whose status reached the national portal ÷ dossiers received."),
        _("National portal outbox (DESIGN §9) — not built yet: no data."),
    ),
    Indicator(
        "on_time_766",
        "progress",
        _("Dossiers handled on time (766 measure)"),
        20,
        Decimal("1.00"),
        _(
            "(Early + on time, without a second supplement request) ÷ (resolved + in progress and overdue at "
            "the period's end)."
        ),
        _("Report engine; QT 18.6-18.7, QT 19; AG 20.3; Decision 766 group 2."),
    ),
    Indicator(
        "online_procedures",
        "online_service",
        _("Procedures offered fully online"),
        6,
        Decimal("0.80"),
        _("In-force procedures with full online service ÷ in-force procedures; full points from 80%."),
        _("Catalog online level; Decision 766 group 3."),
    ),
    Indicator(
        "online_submissions",
        "online_service",
        _("Dossiers submitted online"),
        6,
        Decimal("0.50"),
        _("New dossiers received online ÷ new dossiers; full points from 50%."),
        _("Report engine (channel); Decision 766 group 3."),
    ),
    Indicator(
        "online_payment",
        "online_payment",
        _("Fees paid online"),
        10,
        Decimal("0.80"),
        _(
            "Dossiers asked to pay fees in the period and paid through an online provider ÷ dossiers asked to pay "
            "fees in the period; full points from 80%."
        ),
        _("Payment requests and online payments (workflow/payments; DESIGN 5.6); no data while none was asked."),
    ),
    Indicator(
        "satisfaction",
        "satisfaction",
        _("Satisfied applicants"),
        18,
        Decimal("0.90"),
        _("Ratings 'satisfied' or 'very satisfied' ÷ ratings in the period; full points from 90%."),
        _("Ratings once per dossier code (QT 24); no data while an agency has no rating."),
    ),
    Indicator(
        "digitised_dossiers",
        "digitisation",
        _("Dossiers digitised"),
        11,
        Decimal("0.80"),
        _("New dossiers with at least one submitted document on file ÷ new dossiers; full points from 80%."),
        _("Dossier documents; BN 13-14; Decision 766 group 6."),
    ),
    Indicator(
        "e_results",
        "digitisation",
        _("Results issued electronically"),
        11,
        Decimal("0.80"),
        _("Resolved dossiers with a result file ÷ resolved dossiers; full points from 80%."),
        _("Result files (QN 13.3); Decision 766 group 6."),
    ),
]


def points(rate, indicator: Indicator):
    if rate is None:
        return None
    rate = Decimal(str(rate))
    if rate >= indicator.threshold:
        return Decimal(indicator.max_points)
    return (rate * indicator.max_points / indicator.threshold).quantize(Decimal("0.01"))


@dataclass
class AgencyIndex:
    agency_id: int
    name: str
    rates: dict = field(default_factory=dict)  # indicator key -> rate or None
    inputs: dict = field(default_factory=dict)  # indicator key -> (numerator, denominator)

    def indicator_points(self):
        return {i.key: points(self.rates.get(i.key), i) for i in INDICATORS}

    def groups(self):
        pts = self.indicator_points()
        out = {}
        for key, (label, max_points) in GROUPS.items():
            members = [i for i in INDICATORS if i.group == key]
            got = [pts[i.key] for i in members if pts[i.key] is not None]
            available = sum(i.max_points for i in members if pts[i.key] is not None)
            out[key] = {"label": label, "max": max_points, "points": sum(got) if got else None, "available": available}
        return out

    @property
    def total(self):
        return sum((g["points"] for g in self.groups().values() if g["points"] is not None), Decimal(0))

    @property
    def available(self):
        return sum(g["available"] for g in self.groups().values())

    @property
    def scaled(self):
        """The total brought back to 100 over the indicators that have data."""
        return (self.total * 100 / self.available).quantize(Decimal("0.1")) if self.available else None


def _ratio(numerator, denominator):
    return round(numerator / denominator, 4) if denominator else None


#: Providers that are not online payment (an officer recording cash or card at the counter).
OFFLINE_PROVIDERS = ("counter",)


def _payment_counts(period, agency_ids):
    """Per agency: (dossiers asked to pay in the period and paid online, dossiers asked to pay in the period)."""
    asked = DossierEvent.objects.filter(
        action=Action.REQUEST_PAYMENT, at__gte=period.start, at__lt=period.end, dossier__agency_id__in=agency_ids
    )
    paid_online = Payment.objects.filter(dossier_id=OuterRef("dossier_id"), status=PaymentStatus.PAID).exclude(
        provider__in=OFFLINE_PROVIDERS
    )
    rows = (
        asked.annotate(online=Exists(paid_online))
        .order_by()
        .values("dossier__agency_id")
        .annotate(
            all=Count("dossier_id", distinct=True),
            online=Count("dossier_id", distinct=True, filter=Q(online=True)),
        )
    )
    return {r["dossier__agency_id"]: (r["online"], r["all"]) for r in rows}


def _rating_counts(period, agency_ids):
    """Satisfied / all ratings per agency, when the ratings table exists; {} otherwise."""
    try:
        from django.db import connection

        from feedback.models import SATISFIED_LEVELS, Rating
    except ImportError:
        return {}
    if Rating._meta.db_table not in connection.introspection.table_names():
        return {}
    rows = (
        Rating.objects.filter(created_at__gte=period.start, created_at__lt=period.end, agency_id__in=agency_ids)
        .order_by()
        .values("agency_id")
        .annotate(all=Count("pk"), satisfied=Count("pk", filter=Q(overall__in=SATISFIED_LEVELS)))
    )
    return {r["agency_id"]: (r["satisfied"], r["all"]) for r in rows}


def index_766(*, user=None, period: Period, now=None) -> list[AgencyIndex]:
    """The index of every agency the user may see (``user=None``: all), for ``period``."""
    report = figures.report(user=user, period=period, group_by="agency", now=now)
    by_agency = {row.key: row for row in report.rows}
    agency_qs = (
        Agency.objects.filter(pk__in=list(by_agency))
        if user is not None
        else Agency.objects.filter(Q(pk__in=list(by_agency)) | Q(is_active=True))
    )
    agencies = dict(agency_qs.values_list("pk", "name"))
    ids = list(agencies)
    # catalog: in-force procedures, with documents, fully online — per agency, one query
    through = Procedure.agencies.through
    with_docs = ProcedureDocument.objects.filter(procedure_id=OuterRef("procedure_id"))
    catalog = {
        r["agency_id"]: r
        for r in through.objects.filter(agency_id__in=ids, procedure__status=ProcedureStatus.IN_FORCE)
        .annotate(has_docs=Exists(with_docs))
        .order_by()
        .values("agency_id")
        .annotate(
            all=Count("pk"),
            documented=Count("pk", filter=Q(has_docs=True)),
            online=Count("pk", filter=Q(procedure__online_level=OnlineLevel.FULL)),
        )
    }
    # digitisation: documents on file for the new and the resolved dossiers — one query
    c = figures.conditions(period, now)
    submitted = DossierDocument.objects.filter(
        dossier_id=OuterRef("dossier_id"), kind__in=[DocumentKind.SUBMITTED, DocumentKind.SUPPLEMENT]
    )
    results = DossierDocument.objects.filter(dossier_id=OuterRef("dossier_id"), kind=DocumentKind.RESULT)
    digit = {
        r["agency_id"]: r
        for r in figures.base_queryset(user=user, period=period, now=now)
        .filter(agency_id__in=ids)
        .annotate(has_docs=Exists(submitted), has_result=Exists(results))
        .order_by()
        .values("agency_id")
        .annotate(
            new_docs=Count("pk", filter=c["new"] & Q(has_docs=True)),
            resolved_results=Count("pk", filter=c["resolved"] & Q(has_result=True)),
        )
    }
    ratings = _rating_counts(period, ids)
    payments = _payment_counts(period, ids)
    out = []
    for agency_id, name in sorted(agencies.items(), key=lambda kv: kv[1]):
        row = by_agency.get(agency_id)
        cat = catalog.get(agency_id, {"all": 0, "documented": 0, "online": 0})
        dig = digit.get(agency_id, {"new_docs": 0, "resolved_results": 0})
        new, resolved = (row.new, row.resolved) if row else (0, 0)
        inputs = {
            "procedures_published": (cat["documented"], cat["all"]),
            "national_sync": None,
            "on_time_766": (row.on_time_766, row.resolved + row.overdue) if row else (0, 0),
            "online_procedures": (cat["online"], cat["all"]),
            "online_submissions": (row.new_online if row else 0, new),
            "online_payment": payments.get(agency_id),
            "satisfaction": ratings.get(agency_id),
            "digitised_dossiers": (dig["new_docs"], new),
            "e_results": (dig["resolved_results"], resolved),
        }
        rates = {key: (_ratio(*value) if value else None) for key, value in inputs.items()}
        out.append(AgencyIndex(agency_id=agency_id, name=name, rates=rates, inputs=inputs))
    return out
