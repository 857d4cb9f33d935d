"""Check or rebuild the reception cycles (the facts reports count) from the dossiers' event logs.

    manage.py report_facts            # compare: how many dossiers' stored facts differ from their logs
    manage.py report_facts --rebuild  # re-derive them (after loading dossiers in bulk, or a fix of the rules)

The services write the facts in every action's transaction, so a check finds no difference unless rows were
written around the services (bulk loads) or the derivation rules changed.
"""

from django.core.management.base import BaseCommand
from django.db import transaction

from workflow.dossiers import cycles
from workflow.models import Dossier, ReceptionCycle


def stored(dossier_ids):
    rows = {}
    for c in ReceptionCycle.objects.filter(dossier_id__in=dossier_ids).prefetch_related("pauses"):
        pauses = [[p.started_at, p.ended_at, p.reason] for p in c.pauses.all()]
        rows.setdefault(c.dossier_id, []).append((c.number, *sorted(_columns(c).items()), str(pauses)))
    return rows


def _columns(cycle):
    return {name: getattr(cycle, name) for name in cycles.Fact(number=0, entered_at=None).columns()}


class Command(BaseCommand):
    help = "Compare (or with --rebuild, re-derive) the reception cycles with the dossiers' event logs."

    def add_arguments(self, parser):
        parser.add_argument("--rebuild", action="store_true", help="Write the facts derived from the logs.")

    def handle(self, *args, rebuild=False, **options):
        if rebuild:
            with transaction.atomic():
                count = cycles.rebuild()
            self.stdout.write(f"rebuilt the facts of {count} dossiers")
            return
        ids = list(Dossier.objects.values_list("pk", flat=True))
        before = stored(ids)
        with transaction.atomic():
            cycles.rebuild()
            after = stored(ids)
            transaction.set_rollback(True)
        differ = sorted(pk for pk in ids if before.get(pk) != after.get(pk))
        self.stdout.write(f"{len(ids)} dossiers, {len(differ)} whose facts differ from their logs")
        for pk in differ[:20]:
            self.stdout.write(f"  dossier {pk}")
