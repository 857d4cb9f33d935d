"""Published figures are snapshots (DESIGN §8): the monthly late list, the 766 index and each closed month of the
transparency page are stored when published; a later recomputation that differs is a revision shown beside the
published figures, with what changed, never a silent replacement.

* :func:`publish` stores a closed month's figures once (publishing again returns what was published);
* :func:`recheck` recomputes them and stores a :class:`~workflow.models.FigureRevision` when the result differs
  from the latest stored state (the snapshot or its last revision), so the same recomputation is stored once;
* :func:`diff` is the pure comparison (what differs from the published figures);
* :func:`publish_month` (the monthly task) and :func:`recheck_recent` (the nightly task, the last
  ``PUBLISHED_FIGURES_RECHECK_MONTHS`` published months);
* :func:`shown` and :func:`revision_note` are what the admin screens, the public pages and the API display.

A payload is plain JSON, independent of the report engine's classes, so it reads the same after the engine
changes: ``{"columns": [{"key", "label", "format"}], "sections": [{"key", "label", "rows": [{"key", "label",
"agency", "extra", "values": {column: value}}]}]}``. Labels are stored as their source (English) text and
translated when shown, so a figure the engine renames later keeps the label it was published with. Only the
columns both payloads have are compared: a figure added to or dropped from the engine is not a revision.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from catalog.officials.scoping import ALL
from portal.core.formatting import format_date, format_number, format_percent
from workflow.errors import InvalidState
from workflow.models import FigureKind, FigureRevision, LateList, LateListKind, PublishedFigures
from workflow.reports import figures, index766
from workflow.reports.periods import Period
from workflow.reports.services import late_list_entries, late_list_store

COUNT, RATE, POINTS = "count", "rate", "points"

#: The transparency page's rates (its counted figures are ``public.PUBLIC_FIGURES``).
PUBLIC_RATES = ["resolution_rate", "on_time_rate", "online_share"]

LATE_LIST_COLUMNS = [
    ("resolved", gettext_lazy("Resolved"), COUNT),
    ("late_resolved", gettext_lazy("Resolved late"), COUNT),
    ("overdue", gettext_lazy("Open and overdue"), COUNT),
    ("late", gettext_lazy("Late"), COUNT),
    ("share", gettext_lazy("Share"), RATE),
]


def _value(value):
    """A figure as JSON: ints stay, decimals and floats become floats rounded to 4 places, None stays."""
    if value is None or isinstance(value, bool | int):
        return value
    if isinstance(value, Decimal | float):
        return round(float(value), 4)
    return value


def _column(key, label, fmt=COUNT):
    return {"key": key, "label": str(label), "format": fmt}


def _month(period) -> Period:
    period = Period.parse(period) if isinstance(period, str) else period
    if period.key != f"{period.first:%Y-%m}":
        raise ValueError(f"Published figures are monthly, not {period.key!r}")
    return period


# --- payloads ---------------------------------------------------------------------------------------------------


def _late_row_key(entry):
    """An agency's id, an official's user id (their name in the agency once the account is gone)."""
    if entry.kind == LateListKind.AGENCY:
        return str(entry.agency_id)
    return str(entry.user_id) if entry.user_id else f"{entry.agency_id}:{entry.name}"


def late_list_payload(entries) -> dict:
    """The late list's published figures from its entries (saved, or as computed now)."""
    sections = []
    for kind, label in (
        (LateListKind.AGENCY, gettext_lazy("Agencies")),
        (LateListKind.OFFICIAL, gettext_lazy("Officials")),
    ):
        rows = [
            {
                "key": _late_row_key(e),
                "label": e.name,
                "agency": e.agency_id,
                "extra": {"agency_name": e.agency_name, "position": e.position},
                "values": {key: _value(getattr(e, key)) for key, _label, _fmt in LATE_LIST_COLUMNS},
            }
            for e in entries
            if e.kind == kind
        ]
        sections.append({"key": str(kind), "label": str(label), "rows": rows})
    return {"columns": [_column(*c) for c in LATE_LIST_COLUMNS], "sections": sections}


def _transparency_payload(period, now) -> dict:
    from workflow.reports.public import PUBLIC_FIGURES  # the page's own list of figures

    report = figures.report(user=None, period=period, group_by="agency", now=now)
    counted = [name for name in PUBLIC_FIGURES if name in report.total.counts]
    rates = [name for name in PUBLIC_RATES if name in report.total.rates()]
    columns = [_column(name, figures.FIGURES.get(name, name)) for name in counted]
    columns += [_column(name, figures.RATES.get(name, name), RATE) for name in rates]

    def row(r, key, agency):
        values = {name: _value(r.counts[name]) for name in counted}
        values.update({name: _value(r.rates()[name]) for name in rates})
        return {"key": key, "label": r.label, "agency": agency, "extra": {}, "values": values}

    rows = [row(r, str(r.key), r.key) for r in report.rows if any(r.counts.values())]
    return {
        "columns": columns,
        "sections": [
            {"key": "agency", "label": str(gettext_lazy("Agencies")), "rows": rows},
            {"key": "total", "label": str(gettext_lazy("Total")), "rows": [row(report.total, "total", None)]},
        ],
    }


def _index_766_payload(period, now) -> dict:
    columns = [_column(f"group_{key}", label, POINTS) for key, (label, _max) in index766.GROUPS.items()]
    columns += [
        _column("points", gettext_lazy("Points"), POINTS),
        _column("attainable", gettext_lazy("Attainable with data"), POINTS),
        _column("out_of_100", gettext_lazy("Out of 100"), POINTS),
    ]
    rows = []
    for item in index766.index_766(user=None, period=period, now=now):
        groups = item.groups()
        values = {f"group_{key}": _value(group["points"]) for key, group in groups.items()}
        values.update(
            {"points": _value(item.total), "attainable": _value(item.available), "out_of_100": _value(item.scaled)}
        )
        available = {key: _value(group["available"]) for key, group in groups.items()}
        rows.append(
            {
                "key": str(item.agency_id),
                "label": item.name,
                "agency": item.agency_id,
                "extra": {"available": available},
                "values": values,
            }
        )
    return {"columns": columns, "sections": [{"key": "agency", "label": str(gettext_lazy("Agencies")), "rows": rows}]}


def compute(kind, period, now) -> dict:
    """The figures of ``kind`` for ``period`` as the engine computes them now, as a payload."""
    period = _month(period)
    with translation.override(None):  # labels as their source text, translated when shown
        if kind == FigureKind.LATE_LIST:
            return late_list_payload(late_list_entries(period, now)[0])
        if kind == FigureKind.INDEX_766:
            return _index_766_payload(period, now)
        if kind == FigureKind.TRANSPARENCY:
            return _transparency_payload(period, now)
    raise ValueError(f"Unknown kind of published figures {kind!r}")


# --- the comparison ---------------------------------------------------------------------------------------------


def diff(published: dict, now: dict) -> list[dict]:
    """What differs between two payloads, in the published order: one change per row and figure.

    Rows are matched by section and key; a row only one side has lists its non-zero figures against ``None``.
    Only the columns both payloads have are compared.
    """
    now_columns = {c["key"] for c in now.get("columns", [])}
    columns = [c for c in published.get("columns", []) if c["key"] in now_columns]
    old_sections = {s["key"]: s.get("rows", []) for s in published.get("sections", [])}
    new_sections = {s["key"]: s.get("rows", []) for s in now.get("sections", [])}
    changes = []
    for section in [*old_sections, *(k for k in new_sections if k not in old_sections)]:
        old_rows = {r["key"]: r for r in old_sections.get(section, [])}
        new_rows = {r["key"]: r for r in new_sections.get(section, [])}
        for key in [*old_rows, *(k for k in new_rows if k not in old_rows)]:
            old, new = old_rows.get(key), new_rows.get(key)
            for column in columns:
                a = old["values"].get(column["key"]) if old else None
                b = new["values"].get(column["key"]) if new else None
                if a == b or ((old is None or new is None) and not (a or b)):
                    continue
                row = old or new
                changes.append(
                    {
                        "section": section,
                        "row": key,
                        "agency": row.get("agency"),
                        "where": row["label"],
                        "column": column["key"],
                        "figure": column["label"],
                        "format": column.get("format", COUNT),
                        "published": a,
                        "now": b,
                    }
                )
    return changes


# --- writes -----------------------------------------------------------------------------------------------------


def publish(kind, period, *, now, by=None) -> PublishedFigures:
    """Store the closed month's figures of ``kind`` once; publishing again returns the stored figures unchanged.

    The late list is stored in its own tables as well (``LateList``; a list stored before snapshots existed is
    taken as published). The current or a future month is refused: only a month that has ended is published.
    """
    period = _month(period)
    if period.end > now:
        raise InvalidState(_("Only a month that has ended can be published."))
    existing = PublishedFigures.objects.filter(kind=kind, period=period.key).first()
    if existing is not None:
        return existing
    with transaction.atomic():
        if kind == FigureKind.LATE_LIST:
            late_list = late_list_store(period, now)
            with translation.override(None):
                payload = late_list_payload(late_list.entries.all())
            published_at = late_list.published_at or now
        else:
            payload, published_at = compute(kind, period, now), now
        try:
            with transaction.atomic():
                return PublishedFigures.objects.create(
                    kind=kind, period=period.key, payload=payload, published_at=published_at, published_by=by
                )
        except IntegrityError:  # published at the same moment by another process: that one stands
            return PublishedFigures.objects.get(kind=kind, period=period.key)


def recheck(kind, period, *, now) -> FigureRevision | None:
    """Recompute a published month; store a revision when it differs from the latest stored state.

    Returns the new revision, or None (not published, or nothing changed since the last state).
    """
    period = _month(period)
    with transaction.atomic():
        snapshot = PublishedFigures.objects.select_for_update().filter(kind=kind, period=period.key).first()
        if snapshot is None:
            if kind != FigureKind.LATE_LIST or not LateList.objects.filter(month=period.first).exists():
                return None
            snapshot = publish(kind, period, now=now)  # a list published before snapshots existed
        payload = compute(kind, period, now)
        latest = snapshot.revisions.order_by("-computed_at", "-pk").first()
        if not diff(latest.payload if latest else snapshot.payload, payload):
            return None
        return FigureRevision.objects.create(
            snapshot=snapshot, computed_at=now, payload=payload, changes=diff(snapshot.payload, payload)
        )


def publish_month(period, *, now, by=None) -> dict:
    """Publish a closed month's figures of every kind: the late list (e-mailing the supervisors once), the 766
    index and the transparency page's month."""
    from workflow.reports.services import late_list_publish

    period = _month(period)
    late_list_publish(month=period.first, now=now, by=by)
    return {kind: publish(kind, period, now=now, by=by) for kind in FigureKind.values}


def recheck_recent(*, now, months: int | None = None) -> list[FigureRevision]:
    """Recheck the last ``months`` (``PUBLISHED_FIGURES_RECHECK_MONTHS``) published months of every kind."""
    months = settings.PUBLISHED_FIGURES_RECHECK_MONTHS if months is None else months
    revisions = []
    for kind in FigureKind.values:
        periods = set(PublishedFigures.objects.filter(kind=kind).values_list("period", flat=True))
        if kind == FigureKind.LATE_LIST:
            periods |= {f"{m:%Y-%m}" for m in LateList.objects.values_list("month", flat=True)}
        for key in sorted(periods, reverse=True)[:months]:
            revision = recheck(kind, key, now=now)
            if revision is not None:
                revisions.append(revision)
    return revisions


# --- what is shown ----------------------------------------------------------------------------------------------


def format_value(value, fmt=COUNT) -> str:
    if value is None:
        return "–"
    if fmt == RATE:
        return format_percent(value)
    return format_number(value)


def _visible(row_or_change, agency_ids) -> bool:
    if agency_ids is ALL:
        return True
    agency = row_or_change.get("agency")
    return agency is not None and agency in agency_ids


def scoped(payload: dict, agency_ids=ALL) -> dict:
    """The payload with only the rows of the agencies in ``agency_ids`` (a total row only for ``ALL``)."""
    if agency_ids is ALL:
        return payload
    sections = [
        {**s, "rows": [r for r in s.get("rows", []) if _visible(r, agency_ids)]} for s in payload.get("sections", [])
    ]
    return {**payload, "sections": sections}


def change_text(change) -> str:
    return _("%(figure)s %(published)s → %(now)s (%(where)s)") % {
        "figure": _(change["figure"]),
        "published": format_value(change["published"], change.get("format", COUNT)),
        "now": format_value(change["now"], change.get("format", COUNT)),
        "where": _(change["where"]) if change.get("row") == "total" else change["where"],
    }


def revision_note(revision, agency_ids=ALL) -> str:
    """``Revised on 20/06/2026: Overdue 2 → 1 (Sở A); …`` — the changes from the published figures."""
    changes = [c for c in revision.changes if _visible(c, agency_ids)]
    changes = [c for c in changes if c.get("row") != "total"] or changes  # the total is in the revised table
    if not changes:
        return _("Recomputed on %(date)s: the same as published.") % {"date": format_date(revision.computed_at)}
    return _("Revised on %(date)s: %(changes)s") % {
        "date": format_date(revision.computed_at),
        "changes": "; ".join(change_text(c) for c in changes),
    }


def tables(payload: dict, agency_ids=ALL) -> list[dict]:
    """The payload as display tables: one per section, headings and formatted cells."""
    payload = scoped(payload, agency_ids)
    columns = payload.get("columns", [])
    out = []
    for section in payload.get("sections", []):
        if not section.get("rows"):
            continue
        out.append(
            {
                "key": section["key"],
                "label": _(section["label"]),
                "columns": [_(c["label"]) for c in columns],
                "rows": [
                    {
                        "label": _(r["label"]) if r["key"] == "total" else r["label"],
                        "cells": [
                            {"key": c["key"], "text": format_value(r["values"].get(c["key"]), c.get("format", COUNT))}
                            for c in columns
                        ],
                    }
                    for r in section["rows"]
                ],
            }
        )
    return out


def entries(payload: dict, section: str, agency_ids=ALL) -> list[dict]:
    """A late-list payload's rows as entries (``name``, ``agency_name``, ``position`` and the figures)."""
    rows = next((s["rows"] for s in scoped(payload, agency_ids)["sections"] if s["key"] == section), [])
    return [
        {"kind": section, "name": r["label"], "agency_id": r.get("agency"), **r.get("extra", {}), **r["values"]}
        for r in rows
    ]


@dataclass
class Shown:
    """A published month as a page shows it: the snapshot, its revisions (oldest first) and their notes."""

    snapshot: PublishedFigures
    revisions: list = field(default_factory=list)
    agency_ids: object = ALL

    @property
    def latest(self):
        return self.revisions[-1] if self.revisions else None

    @property
    def month(self):
        return f"{Period.parse(self.snapshot.period).first:%m/%Y}"

    @property
    def published_on(self):
        return format_date(self.snapshot.published_at)

    @property
    def revised_on(self):
        return format_date(self.latest.computed_at) if self.latest else ""

    def notes(self):
        return [revision_note(r, self.agency_ids) for r in self.revisions]

    def tables(self):
        return tables(self.snapshot.payload, self.agency_ids)

    def revised_tables(self):
        return tables(self.latest.payload, self.agency_ids) if self.latest else []

    def revised_entries(self, section):
        return entries(self.latest.payload, section, self.agency_ids) if self.latest else []


def shown(kind, period, agency_ids=ALL) -> Shown | None:
    """The published figures of ``kind`` for ``period`` with their revisions, or None when not published."""
    try:
        period = _month(period)
    except ValueError:
        return None
    snapshot = PublishedFigures.objects.filter(kind=kind, period=period.key).first()
    if snapshot is None:
        return None
    return Shown(snapshot, list(snapshot.revisions.order_by("computed_at", "pk")), agency_ids)


def published_trend(points: list[dict]) -> list[dict]:
    """The public trend by month with each published month's points taken from its published total (the
    transparency page never shows a closed month other than as published); other months as computed."""
    published = {
        p.period: p.payload
        for p in PublishedFigures.objects.filter(
            kind=FigureKind.TRANSPARENCY, period__in=[point["period"] for point in points]
        )
    }
    out = []
    for point in points:
        sections = published.get(point["period"], {}).get("sections", [])
        total = next((s["rows"][0]["values"] for s in sections if s["key"] == "total" and s["rows"]), {})
        if {"new", "resolved", "early", "on_time", "in_progress"} <= set(total):
            on_time = total["early"] + total["on_time"]
            point = {
                **point,
                "new": total["new"],
                "resolved": total["resolved"],
                "on_time": on_time,
                "in_progress": total["in_progress"],
                "on_time_rate": round(on_time / total["resolved"], 4) if total["resolved"] else None,
            }
        out.append(point)
    return out


def published_periods(kind, limit=24) -> list[Period]:
    keys = PublishedFigures.objects.filter(kind=kind).order_by("-period").values_list("period", flat=True)[:limit]
    return [Period.parse(key) for key in keys]
