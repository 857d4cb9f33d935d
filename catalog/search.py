"""Accent- and case-insensitive matching for Vietnamese text.

Citizens type "cap giay phep xay dung" as often as "Cấp giấy phép xây dựng".
Each searchable row keeps a folded copy of its text; queries are folded the
same way and matched word by word, which behaves identically on SQLite and
PostgreSQL (no extension needed).
"""

import re
import unicodedata

_NON_WORD = re.compile(r"[^0-9a-z.]+")


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
