"""Reads of dossier processing, shared by the admin screens and the API (HackSoft: selectors).

* :func:`dossier_list` — the scoped list with its QT 21 warning computed in SQL,
  so filtering by warning never breaks pagination;
* :func:`dossier_get` — one scoped dossier with everything its detail shows;
* :func:`dossier_allowed_actions` — the actions a user may do on a dossier now,
  by the same checks the services make (it calls them), so a button is shown
  exactly when the service would accept the action.

Every queryset here starts from ``Dossier.objects.visible_to(user)``, the one
scoping rule (DESIGN 10).
"""

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Case, CharField, DateTimeField, F, Prefetch, Q, Value, When
from django.http import Http404
from django.utils import timezone

from workflow.dossiers import transitions
from workflow.models import Action, Dossier, DossierDocument, DossierEvent, Status, StepRun
from workflow.worktime import DAY_MINUTES, WarningLevel, get_calendar

# --- warnings (QT 21) -------------------------------------------------------------


@dataclass(frozen=True)
class WarningThresholds:
    """Two instants computed once per request: past ``now`` is overdue, before ``due_soon_until`` is due soon.

    ``due_soon_until`` = now + one working day, so ``deadline < due_soon_until``
    is the same as "less than one working day left" of
    :meth:`workflow.worktime.WorkCalendar.warning_level`.
    """

    now: datetime
    due_soon_until: datetime

    @classmethod
    def at(cls, now=None):
        now = (now or timezone.now()).replace(second=0, microsecond=0)
        return cls(now=now, due_soon_until=get_calendar().add_working_minutes(now, DAY_MINUTES))


def _warning_deadline():
    """The deadline a warning is about: reception for online dossiers not yet received, else processing.

    Mirrors :func:`workflow.dossiers.services.dossier_warning`: a paused clock
    (supplement, payment) and closed dossiers carry no warning.
    """
    return Case(
        When(status=Status.NEW, then=F("reception_due_at")),
        When(status__in=[Status.RECEIVED, Status.PROCESSING], then=F("due_at")),
        default=Value(None),
        output_field=DateTimeField(),
    )


def with_warning(queryset, thresholds: WarningThresholds):
    """Annotate ``warning`` (overdue / due_soon / ok) in SQL; filter on it freely."""
    return queryset.alias(warning_deadline=_warning_deadline()).annotate(
        warning=Case(
            When(warning_deadline__lt=thresholds.now, then=Value(WarningLevel.OVERDUE.value)),
            When(warning_deadline__lt=thresholds.due_soon_until, then=Value(WarningLevel.DUE_SOON.value)),
            default=Value(WarningLevel.OK.value),
            output_field=CharField(),
        )
    )


# --- lists and details ---------------------------------------------------------------


def dossier_list(*, user, thresholds: WarningThresholds | None = None):
    """The dossiers ``user`` may see, with the columns of every list joined in (fixed query count)."""
    thresholds = thresholds or WarningThresholds.at()
    queryset = Dossier.objects.visible_to(user).select_related("procedure", "agency", "current_step", "current_holder")
    return with_warning(queryset, thresholds)


def dossier_search(queryset, text: str):
    """Code or applicant name contains ``text``, ignoring case.

    SQLite folds only ASCII letters, so the usual spellings of a Vietnamese
    name (as typed, lower, upper, title case) are tried as well.
    """
    text = text.strip()
    if not text:
        return queryset
    condition = Q(code__icontains=text)
    for variant in {text, text.lower(), text.upper(), text.title()}:
        condition |= Q(applicant_name__icontains=variant)
    return queryset.filter(condition)


def dossier_get(*, user, dossier_id, thresholds: WarningThresholds | None = None) -> Dossier:
    """One dossier with its timers, events and documents; ``Http404`` when missing *or* not visible."""
    thresholds = thresholds or WarningThresholds.at()
    queryset = with_warning(
        Dossier.objects.visible_to(user).select_related(
            "procedure",
            "procedure__sector",
            "agency",
            "current_agency",
            "current_step",
            "current_holder",
            "process",
        ),
        thresholds,
    ).prefetch_related(
        "process__steps",
        Prefetch("step_runs", queryset=StepRun.objects.select_related("step", "agency", "holder")),
        Prefetch(
            "events",
            queryset=DossierEvent.objects.select_related(
                "actor_agency", "from_step", "to_step", "to_holder"
            ).prefetch_related(Prefetch("documents", queryset=DossierDocument.objects.only("pk"))),
        ),
        "documents",
    )
    try:
        return queryset.get(pk=dossier_id)
    except (Dossier.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def dossier_visible_get(*, user, dossier_id) -> Dossier:
    """The bare dossier row if ``user`` may see it (for actions and downloads); ``Http404`` otherwise."""
    try:
        return Dossier.objects.visible_to(user).get(pk=dossier_id)
    except (Dossier.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def dossier_document_get(*, user, dossier_id, document_id) -> DossierDocument:
    """A document of a dossier ``user`` may see; ``Http404`` otherwise (same answer as a missing id)."""
    visible = Dossier.objects.visible_to(user).filter(pk=dossier_id)
    try:
        return DossierDocument.objects.select_related("dossier").get(pk=document_id, dossier__in=visible)
    except (DossierDocument.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def step_run_progress(run: StepRun, now) -> tuple[int, bool]:
    """(working minutes used, overdue) of a step timer; an open one is measured up to ``now``."""
    if run.departed_at is not None:
        return run.used_minutes, run.overdue
    used = get_calendar().working_minutes_between(run.arrived_at, now) if now > run.arrived_at else 0
    return used, bool(run.due_at and now > run.due_at)


# --- what the user may do now ----------------------------------------------------------

#: Every action name :func:`dossier_allowed_actions` can return, in display order.
#: The names are the :class:`workflow.models.Action` values; the API path is the name with "-" for "_".
ACTION_NAMES = [
    Action.RECEIVE,
    Action.GUIDE,
    Action.REFUSE_RECEPTION,
    Action.FORWARD,
    Action.RETURN_PREVIOUS,
    Action.HANDOVER,
    Action.REQUEST_SUPPLEMENT,
    Action.RESUBMIT,
    Action.REQUEST_PAYMENT,
    Action.CONFIRM_PAYMENT,
    Action.APOLOGIZE,
    Action.STOP,
    Action.WITHDRAW,
    Action.RECORD_RESULT,
    Action.RETURN_RESULT,
]


def dossier_allowed_actions(dossier, user, *, now=None) -> list[str]:
    """The action names ``user`` may do on ``dossier`` now (a subset of :data:`ACTION_NAMES`).

    Decided by the transitions table the services check (:mod:`workflow.dossiers.transitions`: status,
    visibility, holder or step group, and the state each action needs). For a single dossier; it reads the
    process steps and events, so pass one from :func:`dossier_get` to avoid
    extra queries.
    """
    if user is None or not user.is_authenticated or not user.is_active:
        return []
    now = now or timezone.now()
    memo = {}  # the guards run once for all the rows
    return [action.value for action in ACTION_NAMES if transitions.permitted(user, dossier, action, memo=memo, now=now)]
