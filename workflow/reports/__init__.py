"""Reports and transparency (DESIGN §8; QT 18.6-18.7, AG 32.9-32.10, BN 16.9).

* :mod:`.periods` — report periods (month, quarter, year, any range) and their keys;
* :mod:`.figures` — the report engine: every figure a condition on ``Dossier``, one aggregate query per
  report, the drill-down behind each number, the trend by month and the backlog by warning level;
* :mod:`.index766` — the service index per agency in the spirit of Decision 766/QĐ-TTg;
* :mod:`.services` — the monthly late list (computed, published, supervisors notified); :mod:`.tasks` the jobs;
* :mod:`.snapshots` — published figures kept as published (late list, 766 index, transparency months) and the
  revisions a later recomputation stores beside them;
* :mod:`.charts` — server-rendered SVG charts;
* :mod:`.views` and :mod:`.admin` — the admin screens and dashboard panels (registered in
  ``workflow/wagtail_hooks.py``); :mod:`.public` — the public page /cong-khai/; :mod:`.api` — /api/v1/reports/.

The engine's public API is re-exported here (``from workflow import reports; reports.report(...)``).
"""

from workflow.reports.figures import (
    BACKLOG_LEVELS,
    FIGURES,
    GROUPINGS,
    RATES,
    backlog,
    backlog_drilldown,
    drilldown,
    report,
    trend,
)
from workflow.reports.periods import Period, last_months

__all__ = [
    "BACKLOG_LEVELS",
    "FIGURES",
    "GROUPINGS",
    "RATES",
    "Period",
    "backlog",
    "backlog_drilldown",
    "drilldown",
    "last_months",
    "report",
    "trend",
]
