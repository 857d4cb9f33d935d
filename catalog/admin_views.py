"""The admin's procedure list searches with the public catalog search (:mod:`catalog.search`): diacritics and
case ignored, typos tolerated, best match first unless the editor sorts by a column."""

from django.db.models import Case, IntegerField, Value, When
from wagtail.snippets.views.snippets import IndexView

from catalog.search import ranked_ids

#: Matches ordered by relevance in the admin list; the rest follow by code.
RANKED_IN_ADMIN = 200


class ProcedureIndexView(IndexView):
    def search_queryset(self, queryset):
        if not self.is_searching:
            return queryset
        queryset = queryset.search(self.search_query)
        if self.is_explicitly_ordered:
            return queryset
        ranks = [
            When(pk=pk, then=Value(rank)) for rank, pk in enumerate(ranked_ids(self.search_query)[:RANKED_IN_ADMIN])
        ]
        if not ranks:
            return queryset
        relevance = Case(*ranks, default=Value(RANKED_IN_ADMIN), output_field=IntegerField())
        return queryset.alias(relevance=relevance).order_by("relevance", "national_code")
