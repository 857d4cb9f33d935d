"""Dossier processing: one function per state change (QT 14-22, DESIGN §5).

Every action follows the same shape, in one transaction: lock the row (:func:`~.base.lock`, a stale form is
refused), check the actor and the dossier's status against the transitions table
(:func:`workflow.dossiers.transitions.check`), change it, append an immutable event (:func:`~.base.record`), and
queue the applicant's notification (:mod:`workflow.notifications`, sent after commit by huey). The admin
screens, the API and the tasks all call these functions; none of them re-implements a rule.

Time rules (working time from :mod:`workflow.worktime`):

* the clock starts at reception, at the next working moment (QT 18.2);
  due = start + the procedure's allowance; appointment = start of the session
  after the one the due time falls in (QT 18.3);
* a supplement request stops the clock and the resubmission counts from the
  beginning as a new reception (QT 19.3); after the appointment it needs an
  apology first and the dossier counts as late;
* an apology moves the appointment and marks the dossier late (QT 19.1);
* refusal, stop or withdrawal counts as a returned result at that moment (QT 19.2);
* each stay at a step is a :class:`StepRun`; time at a step runs from arrival
  to departure, and a dossier sent back for explanation counts for the step it
  returns to, the one that sent it forward (QT 20.1b); runs carry the agency
  so inter-agency time splits per agency (QT 20.2);
* on time = result recorded no later than the due time (QT 18.4).

The sections: :mod:`.reception` (entry), :mod:`.steps` (moving between steps and officials), :mod:`.loops`
(supplement, payment, apology), :mod:`.endings` (stop, withdrawal, result), :mod:`.bulk` (several at once,
reading helpers); :mod:`.base` and :mod:`.guards` hold what they share.
"""

from workflow.dossiers.services.base import ONLINE_RECEPTION_MINUTES, Applicant, Upload, allocate_code
from workflow.dossiers.services.bulk import BulkOutcome, dossier_warning, dossiers_bulk, time_by_agency
from workflow.dossiers.services.endings import (
    dossier_record_result,
    dossier_request_withdrawal,
    dossier_return_result,
    dossier_stop,
    dossier_withdraw,
)
from workflow.dossiers.services.loops import (
    dossier_apologize,
    dossier_confirm_payment,
    dossier_payment_received,
    dossier_request_payment,
    dossier_request_supplement,
    dossier_resubmit,
)
from workflow.dossiers.services.reception import (
    dossier_guide,
    dossier_receive_at_counter,
    dossier_receive_online,
    dossier_refuse_reception,
    dossier_submit_online,
)
from workflow.dossiers.services.steps import (
    dossier_forward,
    dossier_handover,
    dossier_reassign,
    dossier_return_previous,
)
from workflow.worktime import DAY_MINUTES

__all__ = [
    "DAY_MINUTES",
    "ONLINE_RECEPTION_MINUTES",
    "Applicant",
    "BulkOutcome",
    "Upload",
    "allocate_code",
    "dossier_apologize",
    "dossier_confirm_payment",
    "dossier_payment_received",
    "dossier_forward",
    "dossier_guide",
    "dossier_handover",
    "dossier_reassign",
    "dossier_receive_at_counter",
    "dossier_receive_online",
    "dossier_record_result",
    "dossier_refuse_reception",
    "dossier_request_payment",
    "dossier_request_supplement",
    "dossier_request_withdrawal",
    "dossier_resubmit",
    "dossier_return_previous",
    "dossier_return_result",
    "dossier_stop",
    "dossier_submit_online",
    "dossier_warning",
    "dossier_withdraw",
    "dossiers_bulk",
    "time_by_agency",
]
