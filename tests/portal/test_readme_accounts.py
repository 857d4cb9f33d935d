"""The README's demo citizen signs in exactly as the README says (issue 14 item 8d).

Citizens never choose a username (accounts are made from an e-mail or phone number), so the sign-in box asks for
the e-mail or phone number; the README lists those, and each one it lists must work.
"""

import re
from pathlib import Path

import pytest
from django.core.cache import cache
from django.urls import reverse

from portal.demo.citizen_data import CITIZEN, load_citizen

ROOT = next(p for p in Path(__file__).resolve().parents if (p / "manage.py").is_file())
pytestmark = pytest.mark.django_db
PASSWORD = "Demo-mat-khau-2026"


def readme_citizen_identifiers():
    row = next(line for line in (ROOT / "README.md").read_text().splitlines() if "| citizen" in line)
    return re.findall(r"`([^`]+)`", row.split("|")[1])


def test_readme_lists_the_demo_citizen_by_what_the_sign_in_accepts():
    assert set(readme_citizen_identifiers()) == {CITIZEN[1], CITIZEN[2]}


@pytest.mark.parametrize("identifier", readme_citizen_identifiers())
def test_each_identifier_the_readme_gives_signs_in(client, identifier):
    cache.clear()
    load_citizen(PASSWORD)
    response = client.post(reverse("citizen:login"), {"username": identifier, "password": PASSWORD})
    assert response.status_code == 302 and response.url == reverse("citizen:dossiers")
