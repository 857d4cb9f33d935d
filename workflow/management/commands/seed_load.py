import time

from django.core.management.base import BaseCommand, CommandError

from workflow.dossiers.seed import seed_dossiers


class Command(BaseCommand):
    help = "Create N realistic dossiers (2 years, 50 agencies, all statuses, steps and events) with bulk inserts."

    def add_arguments(self, parser):
        parser.add_argument("--dossiers", type=int, required=True)
        parser.add_argument("--agencies", type=int, default=50)
        parser.add_argument("--days", type=int, default=730)
        parser.add_argument("--open-only", action="store_true", help="Only open dossiers (for inbox benchmarks).")
        parser.add_argument("--seed", type=int, default=2026)

    def handle(self, *args, **options):
        if options["dossiers"] <= 0 or options["agencies"] <= 0:
            raise CommandError("--dossiers and --agencies must be positive.")
        start = time.perf_counter()
        created = seed_dossiers(
            options["dossiers"],
            agencies=options["agencies"],
            days=options["days"],
            open_only=options["open_only"],
            seed=options["seed"],
            stdout=self.stdout,
        )
        elapsed = time.perf_counter() - start
        self.stdout.write(self.style.SUCCESS(f"{created} dossiers in {elapsed:.1f} s ({created / elapsed:.0f}/s)"))
