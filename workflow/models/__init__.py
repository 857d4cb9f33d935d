from .calendar import CalendarDay, ExtraDayOff, SwappedWorkingDay, Weekday, WorkingSchedule, WorkingSession
from .dossier import (
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
from .events import Action, DossierEvent, ImmutableRecordError
from .late_lists import LateList, LateListEntry, LateListKind  # noqa: F401
from .notifications import Notification, NotificationChannel
from .process import Process, ProcessStatus, ProcessStep, StepKind
from .slips import SlipKind, SlipTemplate

__all__ = [
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
    "ExtraDayOff",
    "ImmutableRecordError",
    "Notification",
    "NotificationChannel",
    "Process",
    "ProcessStatus",
    "SlipKind",
    "SlipTemplate",
    "ProcessStep",
    "Status",
    "StepKind",
    "StepRun",
    "SwappedWorkingDay",
    "Timeliness",
    "Weekday",
    "WorkingSchedule",
    "WorkingSession",
]
