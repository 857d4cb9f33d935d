from workflow.models.calendar import (
    CalendarDay,
    ExtraDayOff,
    SwappedWorkingDay,
    Weekday,
    WorkingSchedule,
    WorkingSession,
)
from workflow.models.cycles import ANSWERS, OPEN_UNTIL, RESOLVING, CycleEnding, CyclePause, ReceptionCycle
from workflow.models.dossier import (
    ApplicantKind,
    Channel,
    Delivery,
    DocumentKind,
    Dossier,
    DossierCodeCounter,
    DossierDocument,
    Status,
    StepRun,
    Timeliness,
)
from workflow.models.events import Action, DossierEvent, ImmutableRecordError
from workflow.models.late_lists import LateList, LateListEntry, LateListKind
from workflow.models.notifications import Notification, NotificationChannel
from workflow.models.payments import CallbackOutcome, Payment, PaymentCallback, PaymentStatus, ReceiptCounter
from workflow.models.process import Process, ProcessStatus, ProcessStep, StepKind
from workflow.models.reconciliation import Discrepancy, DiscrepancyKind, Statement, StatementLine
from workflow.models.slips import SlipKind, SlipTemplate
from workflow.models.snapshots import FigureKind, FigureRevision, PublishedFigures

__all__ = [
    "ANSWERS",
    "OPEN_UNTIL",
    "RESOLVING",
    "CycleEnding",
    "CyclePause",
    "ReceptionCycle",
    "Action",
    "ApplicantKind",
    "CalendarDay",
    "Channel",
    "Delivery",
    "DocumentKind",
    "Dossier",
    "DossierCodeCounter",
    "DossierDocument",
    "DossierEvent",
    "Discrepancy",
    "DiscrepancyKind",
    "ExtraDayOff",
    "FigureKind",
    "FigureRevision",
    "ImmutableRecordError",
    "LateList",
    "LateListEntry",
    "LateListKind",
    "Notification",
    "CallbackOutcome",
    "Payment",
    "PaymentCallback",
    "PaymentStatus",
    "ReceiptCounter",
    "NotificationChannel",
    "Process",
    "ProcessStatus",
    "SlipKind",
    "Statement",
    "StatementLine",
    "SlipTemplate",
    "ProcessStep",
    "PublishedFigures",
    "Status",
    "StepKind",
    "StepRun",
    "SwappedWorkingDay",
    "Timeliness",
    "Weekday",
    "WorkingSchedule",
    "WorkingSession",
]
