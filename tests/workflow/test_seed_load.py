from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from workflow.models import Dossier, DossierEvent, ReceptionCycle, Status, StepRun, Timeliness

pytestmark = pytest.mark.django_db


def test_seed_load_creates_realistic_dossiers_with_unique_codes():
    call_command("seed_load", dossiers=600, agencies=5, stdout=StringIO())
    assert Dossier.objects.count() == 600
    assert Dossier.objects.values("code").distinct().count() == 600
    assert Dossier.objects.values("agency").distinct().count() == 5
    statuses = set(Dossier.objects.values_list("status", flat=True))
    assert {Status.PROCESSING, Status.RETURNED, Status.SUPPLEMENT} <= statuses
    assert Dossier.objects.filter(timeliness=Timeliness.LATE).exists()
    assert Dossier.objects.filter(clock_paused_at__isnull=False).exists()
    assert DossierEvent.objects.count() > 600 and StepRun.objects.exists()
    # The seeded reception cycles are what the services would have derived from the seeded logs.
    out = StringIO()
    call_command("report_facts", stdout=out)
    assert "600 dossiers, 0 whose facts differ" in out.getvalue()
    assert ReceptionCycle.objects.filter(ending="result", timeliness=Timeliness.LATE).exists()
    # A second run continues the daily sequences instead of clashing.
    call_command("seed_load", dossiers=100, agencies=5, seed=9, stdout=StringIO())
    assert Dossier.objects.values("code").distinct().count() == 700


def test_seed_load_open_only():
    call_command("seed_load", dossiers=200, agencies=2, open_only=True, stdout=StringIO())
    assert not Dossier.objects.exclude(status__in=[1, 2, 4, 5, 6]).exists()


def test_seed_load_rejects_nonsense():
    with pytest.raises(CommandError):
        call_command("seed_load", dossiers=0, stdout=StringIO())
