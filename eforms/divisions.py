"""Vietnamese administrative divisions for the address field (province → commune).

``data/divisions.json`` lists the 34 provinces and centrally-run cities and
their 3,321 communes, wards and special zones (xã, phường, đặc khu) after the
arrangement of administrative units in force from 1 July 2025, with the
statistical codes of the General Statistics Office's list of administrative
units: 2 digits for a province, 5 for a commune. Loaded once per process.
"""

import json
from functools import lru_cache
from pathlib import Path

DATA_FILE = Path(__file__).resolve().parent / "data" / "divisions.json"


@lru_cache(maxsize=1)
def _data():
    provinces = json.loads(DATA_FILE.read_text(encoding="utf-8"))
    by_code = {}
    communes = {}
    for province in provinces:
        by_code[province["code"]] = province
        for code, name in province["communes"]:
            communes[code] = (name, province["code"])
    return provinces, by_code, communes


def provinces():
    """``[(code, name), ...]`` in the official order."""
    return [(p["code"], p["name"]) for p in _data()[0]]


def province_name(code) -> str:
    province = _data()[1].get(code)
    return province["name"] if province else ""


def communes_of(province_code):
    """``[(code, name), ...]`` of one province, or ``[]`` for an unknown code."""
    province = _data()[1].get(province_code)
    return [tuple(c) for c in province["communes"]] if province else []


def commune_name(code) -> str:
    entry = _data()[2].get(code)
    return entry[0] if entry else ""


def commune_province(code):
    """The province code a commune belongs to, or None."""
    entry = _data()[2].get(code)
    return entry[1] if entry else None


def is_province(code) -> bool:
    return code in _data()[1]
