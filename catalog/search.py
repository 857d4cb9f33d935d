"""Procedure search: accent- and case-insensitive, ranked by relevance, tolerant of typos.

Citizens type "cap giay phep xay dung" as often as "Cấp giấy phép xây dựng", and often with a typo
("giay fep xay dung") or without spaces ("lylichtuphap"). The public catalog page, the catalog API and the
admin's procedure list all call :func:`ranked_ids`, so they find the same procedures.

How a query is matched (the same on SQLite and PostgreSQL: no database extension is involved):

* text is *folded* (:func:`fold`: lower case, no diacritics, "đ" → "d") on both sides;
* each procedure falls in a match class, best first: its national code is the query (or contains a code-like
  query); its name contains the whole phrase (spaces ignored too, so "lylichtuphap" matches); its name
  contains every word; or its name is close to the query by RapidFuzz's ``token_set_ratio`` (≥
  :data:`FUZZY_CUTOFF`), which absorbs typos and extra words ("xin", "làm");
* within a class, procedures are ordered by the same RapidFuzz scores (``token_set_ratio``, then
  ``ratio``: a name close to the whole query before a long one that merely contains it), then by code.

The folded names live in an in-process index (:class:`SearchIndex`), rebuilt when the catalog changes:
every save or delete of a procedure bumps the *catalog version* (:func:`bump_catalog_version`, connected in
:mod:`catalog.signals`) kept in Django's cache (Redis in production, so every worker sees it), and
``manage.py rebuild_search_index`` bumps it after bulk loads that bypass ``save()``. As a safety net an
index older than :data:`INDEX_MAX_AGE_S` is rebuilt anyway.
"""

import re
import threading
import time
import unicodedata
import uuid
from collections import OrderedDict

from django.core.cache import cache
from rapidfuzz import fuzz, process

_NON_WORD = re.compile(r"[^0-9a-z.]+")
_CODE_LIKE = re.compile(r"^[0-9][0-9.]*$")

#: Minimum RapidFuzz ``token_set_ratio`` (0–100) for a fuzzy match.
FUZZY_CUTOFF = 65
#: Minimum ``partial_ratio`` of a run-together query (one word of 8+ letters) against the name without spaces.
RUN_TOGETHER_CUTOFF = 85
#: Seconds after which the in-process index is rebuilt even without a version change.
INDEX_MAX_AGE_S = 300
VERSION_KEY = "catalog:version"
_RESULTS_KEPT = 256


def fold(text: str) -> str:
    """Lower-case ASCII form: 'Đăng ký Hộ kinh doanh' -> 'dang ky ho kinh doanh'."""
    if not text:
        return ""
    text = text.replace("đ", "d").replace("Đ", "D")
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(_NON_WORD.sub(" ", stripped.lower()).split())


def query_terms(query: str) -> list[str]:
    """Folded words of a search query, duplicates removed, order kept."""
    seen = []
    for term in fold(query).split():
        term = term.strip(".")
        if term and term not in seen:
            seen.append(term)
    return seen[:10]


# --- the catalog version -------------------------------------------------------------------------------------


def catalog_version() -> str:
    """A token that changes whenever a procedure, sector or agency changes (shared by every process)."""
    version = cache.get(VERSION_KEY)
    if version is None:
        version = uuid.uuid4().hex
        cache.add(VERSION_KEY, version, timeout=None)
        version = cache.get(VERSION_KEY, version)
    return version


def bump_catalog_version(**_signal_kwargs) -> None:
    """Mark the catalog changed: the search index and the cached catalog fragments are rebuilt."""
    cache.set(VERSION_KEY, uuid.uuid4().hex, timeout=None)


# --- the index -----------------------------------------------------------------------------------------------


class SearchIndex:
    """Folded codes and names of every procedure (abolished ones too: the admin finds them; the public
    callers filter them out with their queryset)."""

    def __init__(self, rows):
        rows = list(rows)
        self.pks = [pk for pk, _, _ in rows]
        self.codes = [code.lower() for _, code, _ in rows]
        self.names = [fold(name) for _, _, name in rows]
        self.joined = [name.replace(" ", "") for name in self.names]
        self._results = OrderedDict()
        self._lock = threading.Lock()

    @classmethod
    def build(cls):
        from catalog.models import Procedure

        return cls(Procedure.objects.order_by("national_code").values_list("pk", "national_code", "name"))

    def ranked(self, query: str) -> list[int]:
        """Primary keys of the procedures matching ``query``, best first (kept for repeated queries)."""
        folded = fold(query)
        with self._lock:
            if folded in self._results:
                self._results.move_to_end(folded)
                return self._results[folded]
        result = self._rank(folded)
        with self._lock:
            self._results[folded] = result
            while len(self._results) > _RESULTS_KEPT:
                self._results.popitem(last=False)
        return result

    def _rank(self, folded: str) -> list[int]:
        if not folded:
            return []
        if _CODE_LIKE.match(folded):
            hits = [(code != folded, code, i) for i, code in enumerate(self.codes) if folded in code]
            return [self.pks[i] for _, _, i in sorted(hits)]
        words = [word.strip(".") for word in folded.split() if word.strip(".")]
        joined_query = folded.replace(" ", "")
        fuzzy = {
            i: score
            for _, score, i in process.extract(
                folded, self.names, scorer=fuzz.token_set_ratio, limit=None, score_cutoff=FUZZY_CUTOFF
            )
        }
        if len(words) == 1 and len(joined_query) >= 8:
            for _, score, i in process.extract(
                joined_query, self.joined, scorer=fuzz.partial_ratio, limit=None, score_cutoff=RUN_TOGETHER_CUTOFF
            ):
                fuzzy[i] = max(fuzzy.get(i, 0), score)
        hits = []
        for i, name in enumerate(self.names):
            if self.codes[i] == folded:
                kind = 0
            elif folded in name or joined_query in self.joined[i]:
                kind = 1
            elif all(word in name for word in words):
                kind = 2
            elif i in fuzzy:
                kind = 3
            else:
                continue
            score = fuzzy.get(i) or fuzz.token_set_ratio(folded, name)
            hits.append((kind, -score, -fuzz.ratio(folded, name), self.codes[i], i))
        hits.sort()
        return [self.pks[hit[-1]] for hit in hits]


_current = {"version": None, "built": 0.0, "index": None}
_build_lock = threading.Lock()


def current_index() -> SearchIndex:
    """The index for the current catalog version (one cache read; a rebuild is one query)."""
    version = catalog_version()
    if _current["version"] != version or time.monotonic() - _current["built"] > INDEX_MAX_AGE_S:
        with _build_lock:
            if _current["version"] != version or time.monotonic() - _current["built"] > INDEX_MAX_AGE_S:
                _current.update(index=SearchIndex.build(), version=version, built=time.monotonic())
    return _current["index"]


def ranked_ids(query: str) -> list[int]:
    """Primary keys of every procedure matching ``query``, most relevant first."""
    return current_index().ranked(query)


class RankedResults:
    """A queryset's procedures that match a query, in relevance order, paged lazily.

    ``Paginator`` (and DRF's pagination) take it like a queryset: ``len()``/``count()`` cost one query of
    primary keys, each page one query (plus the queryset's prefetches) for its rows only.
    """

    def __init__(self, queryset, query: str):
        ranked = ranked_ids(query)
        allowed = set(queryset.filter(pk__in=ranked).values_list("pk", flat=True)) if ranked else set()
        self.queryset = queryset
        self.ids = [pk for pk in ranked if pk in allowed]

    def count(self):
        return len(self.ids)

    def __len__(self):
        return len(self.ids)

    def __iter__(self):
        return iter(self[:])

    def __getitem__(self, item):
        if isinstance(item, int):
            return self[item : item + 1][0]
        ids = self.ids[item]
        if not ids:
            return []
        rows = {row.pk: row for row in self.queryset.filter(pk__in=ids)}
        return [rows[pk] for pk in ids if pk in rows]
