"""``manage.py rebuild_search_index``: after a bulk load that bypassed ``save()`` (``bulk_create``, SQL),
refresh the folded search text of every procedure and mark the catalog changed, so every process rebuilds
its search index and cached catalog fragments on its next request."""

from django.core.management.base import BaseCommand

from catalog.models import Procedure
from catalog.search import SearchIndex, bump_catalog_version, fold


class Command(BaseCommand):
    help = "Refresh the procedure search text and rebuild the search index."

    def handle(self, **options):
        stale = []
        for procedure in Procedure.objects.only("pk", "national_code", "name", "search_text").iterator():
            text = fold(f"{procedure.national_code} {procedure.name}")
            if procedure.search_text != text:
                procedure.search_text = text
                stale.append(procedure)
        Procedure.objects.bulk_update(stale, ["search_text"], batch_size=500)
        bump_catalog_version()
        index = SearchIndex.build()
        self.stdout.write(f"{len(index.pks)} procedures indexed ({len(stale)} search texts refreshed).")
