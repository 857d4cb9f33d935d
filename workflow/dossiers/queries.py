"""Reads behind the officials' admin screens: the four inboxes, their warnings and the dashboard counts.

Everything starts from :func:`workflow.dossiers.selectors.dossier_list`, i.e. from
``Dossier.objects.visible_to(user)`` — the one scoping rule. Warnings are
computed in SQL against two instants taken once per request
(:class:`workflow.dossiers.selectors.WarningThresholds`), so a list costs the same
number of queries whatever its length.
"""

from django.contrib.auth import get_user_model
from django.db.models import Case, CharField, Count, DateTimeField, Exists, F, OuterRef, Q, Subquery, Value, When

from catalog.models import Official, Procedure
from catalog.officials import roles
from catalog.officials.scoping import ALL, sees_all_units, user_agency_id, visible_agency_ids
from portal.core.names import display_name
from workflow.dossiers.selectors import WarningThresholds, dossier_list
from workflow.models import ProcessStep, Status, StepRun
from workflow.worktime import WarningLevel

#: The inboxes of the "Dossiers" menu, in menu order.
INBOXES = ("mine", "unit", "reception", "all")


def can_use_inbox(user) -> bool:
    """Officials of a unit and supervisors work with dossiers; other back-office accounts have nothing to see."""
    return bool(user and user.is_authenticated and (user_agency_id(user) or sees_all_units(user)))


def step_group_q(user):
    """Dossiers waiting, without a named holder, at a step whose group ``user`` is in (QT 22.2b).

    The group is the step's listed officials; a step with none listed is held
    by the officials of its group (``holder_role``) in its unit (the step's
    agency, else the receiving one) — the same rule the services apply.
    """
    through = ProcessStep.officials.through
    listed = through.objects.filter(processstep_id=OuterRef("current_step_id"))
    condition = Q(Exists(listed.filter(user_id=user.pk)))
    agency_id = user_agency_id(user)
    if agency_id:
        own_unit = Q(current_step__agency_id=agency_id) | Q(current_step__agency__isnull=True, agency_id=agency_id)
        own_group = Q(current_step__holder_role__in=user.groups.filter(role__isnull=False).values("role__code"))
        condition |= ~Q(Exists(listed)) & own_unit & own_group
    return Q(current_holder__isnull=True, current_step__isnull=False) & condition


def mine_q(user):
    """Held by ``user``, or unassigned at a step of their group; only dossiers still being worked on."""
    return Q(closed_at__isnull=True) & (Q(current_holder=user) | step_group_q(user))


def _sort_due():
    """The deadline a list is sorted by: reception deadline while new, else the processing due time."""
    return Case(When(status=Status.NEW, then=F("reception_due_at")), default=F("due_at"), output_field=DateTimeField())


def with_step_warning(queryset, thresholds: WarningThresholds):
    """Annotate the open step timer's ``step_due_at`` and its ``step_warning`` (QT 21c), in the same query."""
    open_run = StepRun.objects.filter(dossier=OuterRef("pk"), departed_at__isnull=True).order_by("-arrived_at", "-pk")
    return queryset.annotate(step_due_at=Subquery(open_run.values("due_at")[:1])).annotate(
        step_warning=Case(
            When(step_due_at__lt=thresholds.now, then=Value(WarningLevel.OVERDUE.value)),
            When(step_due_at__lt=thresholds.due_soon_until, then=Value(WarningLevel.DUE_SOON.value)),
            default=Value(WarningLevel.OK.value),
            output_field=CharField(),
        )
    )


def inbox_queryset(inbox, user, thresholds: WarningThresholds):
    """The rows of one inbox with everything a row shows (fixed number of queries)."""
    queryset = with_step_warning(dossier_list(user=user, thresholds=thresholds), thresholds)
    queryset = queryset.annotate(sort_due=_sort_due())
    if inbox == "mine":
        return queryset.filter(mine_q(user))
    if inbox == "unit":
        return queryset.filter(closed_at__isnull=True)
    if inbox == "reception":
        return queryset.filter(status=Status.NEW)
    if inbox == "all":
        return queryset
    raise ValueError(inbox)


def warning_filter(queryset, value):
    """Filter an annotated inbox by warning: overdue, due soon, a step due or overdue, or none."""
    if value == "step":
        return queryset.exclude(step_warning=WarningLevel.OK.value)
    if value in WarningLevel.values:
        return queryset.filter(warning=value)
    return queryset


def procedures_for_filter(user):
    """Procedures offered by the list filter: those of the user's unit (all for supervisors)."""
    agency_ids = visible_agency_ids(user)
    queryset = Procedure.objects.only("pk", "national_code", "name").order_by("national_code")
    if agency_ids is ALL:
        return queryset
    return queryset.filter(pk__in=Procedure.objects.filter(agencies__in=agency_ids).values("pk"))


def dashboard_counts(user, thresholds: WarningThresholds) -> dict:
    """The dashboard panel's four numbers, in one aggregate query over the user's visible dossiers."""
    queryset = dossier_list(user=user, thresholds=thresholds).filter(closed_at__isnull=True)
    agency_ids = visible_agency_ids(user)
    in_my_unit = Q() if agency_ids is ALL else Q(agency_id__in=agency_ids)
    mine = mine_q(user)
    return queryset.aggregate(
        held=Count("pk", filter=Q(current_holder=user)),
        mine=Count("pk", filter=mine),
        waiting=Count("pk", filter=Q(status=Status.NEW) & in_my_unit),
        overdue=Count("pk", filter=mine & Q(warning=WarningLevel.OVERDUE.value)),
        due_soon=Count("pk", filter=mine & Q(warning=WarningLevel.DUE_SOON.value)),
    )


# --- who can be chosen in the action forms ---------------------------------------------------------


def officials_for_step(step, dossier):
    """Active accounts that may hold ``step`` of ``dossier``: its listed officials, else its group's officials
    in its unit."""
    User = get_user_model()
    listed = list(step.officials.filter(is_active=True).select_related("official"))
    if listed:
        return listed
    agency_id = step.agency_id or dossier.agency_id
    return list(
        User.objects.filter(roles.holders_q(step.holder_role), is_active=True, official__agency_id=agency_id)
        .distinct()
        .select_related("official")
        .order_by("last_name", "first_name", "username")
    )


def colleagues_for_handover(dossier, user):
    """Colleagues of the same unit who may hold the current step, except ``user``."""
    step = dossier.current_step
    if step is None:
        return []
    agency_id = step.agency_id or dossier.agency_id
    return [
        u
        for u in officials_for_step(step, dossier)
        if u.pk != user.pk and getattr(getattr(u, "official", None), "agency_id", None) == agency_id
    ]


def later_steps(dossier):
    """The steps after the current one, in order (forward may skip ahead, QT 22)."""
    if not dossier.process_id or dossier.current_step is None:
        return []
    current = dossier.current_step.sort_order
    return [step for step in dossier.process.steps.all() if step.sort_order > current]


def official_label(user):
    """“Full name — position (unit)” for choosers."""
    name = display_name(user)
    try:
        official = user.official
    except Official.DoesNotExist:
        return name
    position = f" — {official.position}" if official.position else ""
    return f"{name}{position}"
