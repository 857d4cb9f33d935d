"""The main screens of the portal, fetched as their users see them, and what must never show in their text.

Used by ``tests/e2e/test_screens_text.py`` (raw values, UTC times: issue 14 item 7; UI strings in the chosen
language: item 17). ``visible_text`` keeps what a reader sees or hears (text, title/aria-label/placeholder).
"""

import re

from django.conf import settings

#: Raw Python values and machine formats that must never reach a reader.
RAW = [
    (re.compile(r"(?<![\w-])(True|False|None)(?![\w-])"), "a raw Python value"),
    (re.compile(r"[+-]00:00\b|\bUTC\b"), "a UTC offset"),
    (re.compile(r"\b\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}"), "an ISO timestamp"),
    (re.compile(r"→ ?(?!to\b)[a-z_]+\b"), "a raw status code"),
    (re.compile(r"\blocaltime\b"), "a template filter name"),
    (re.compile(r"\b\d+\.\d+%"), "a percentage with a decimal point"),
    # ".000" is a thousands group ("400.000 đ"), not a raw decimal
    (re.compile(r"(?<![\d.])\d+\.(?:0{1,2}|0{4})(?![\d.])"), "a number with a trailing .0"),
]


def visible_text(html: str) -> str:
    html = re.sub(r"<(script|style|template|svg)\b.*?</\1>", " ", html, flags=re.S | re.I)
    html = re.sub(r"<!--.*?-->", " ", html, flags=re.S)
    attrs = re.findall(r'(?:aria-label|title|placeholder|alt)="([^"]*)"', html)
    text = re.sub(r"<[^>]+>", " ", html)
    import html as html_lib

    return html_lib.unescape(" ".join(text.split() + attrs))


def problems(text: str, patterns=RAW) -> list[str]:
    found = []
    for pattern, what in patterns:
        for match in pattern.finditer(text):
            start = max(0, match.start() - 50)
            found.append(f"{what}: …{text[start : match.end() + 50]}…")
    return found


def use_language(client, language):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
