"""`manage.py load_demo`: the demo province is complete, re-running changes nothing, and the citizen journey
starts right away (demo citizen, published e-form, prefilled first step)."""

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.urls import reverse

from catalog.models import Agency, Procedure
from eforms.models import EForm
from portal.demo.loader import DEMO_PASSWORD
from workflow.models import Dossier, Process

pytestmark = pytest.mark.django_db


def counts():
    return (
        Agency.objects.count(),
        Procedure.objects.count(),
        Process.objects.count(),
        Dossier.objects.count(),
        EForm.objects.count(),
        get_user_model().objects.count(),
    )


def test_demo_is_complete_and_idempotent(client):
    call_command("load_demo", stdout=open("/dev/null", "w"))
    first = counts()
    call_command("load_demo", stdout=open("/dev/null", "w"))
    assert counts() == first
    assert Agency.objects.filter(level="province").count() >= 5 and Agency.objects.filter(level="commune").count() >= 3
    assert Procedure.objects.count() >= 30 and Dossier.objects.exists()
    assert all(form.published_version for form in EForm.objects.all()) and EForm.objects.count() == 2

    # The demo citizen signs in with the phone number and starts the online form with the profile prefilled.
    assert (
        client.post(reverse("citizen:login"), {"username": "0912345678", "password": DEMO_PASSWORD}).status_code == 302
    )
    response = client.get(reverse("eforms:start", args=["1.011876.TK1"]), follow=True)
    assert response.status_code == 200
    assert "Nguyễn Văn An" in response.content.decode() and "038090001234" in response.content.decode()
