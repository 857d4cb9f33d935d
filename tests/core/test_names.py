"""One display rule for a person's name (issue 14 item 2): họ đệm tên, "Lê Thị Một", never "Một Lê Thị".

``last_name`` holds the family and middle names, ``first_name`` the given name (portal/core/names.py); the
admin, slips, mails and events all show ``last_name first_name``.
"""

import pytest
from django.urls import reverse

from eforms.services import applicant_from
from portal.core.names import display_name
from tests.factories.citizens import citizen, construction_unit, pdf_file, receive, submit_online
from tests.factories.workflow import UserFactory
from workflow.dossiers import services
from workflow.dossiers.services import Upload
from workflow.models import Notification
from workflow.slips.rendering import render_slip_body

pytestmark = pytest.mark.django_db

NAME = "Lê Thị Một"


@pytest.fixture
def unit():
    unit = construction_unit()
    unit.officer.first_name, unit.officer.last_name = "Một", "Lê Thị"
    unit.officer.save()
    return unit


def test_the_rule_and_django_get_full_name_agree():
    user = UserFactory(first_name="Một", last_name="Lê Thị")
    assert display_name(user) == user.get_full_name() == NAME
    assert display_name(UserFactory(username="an", first_name="", last_name="")) == "an"


def test_receipt_is_signed_and_the_event_named_in_vietnamese_order(unit):
    dossier = receive(unit, submit_online(unit, citizen()))
    assert dossier.events.order_by("pk").last().actor_name == NAME
    body = render_slip_body(dossier, "receipt")  # signed by the official who received it
    assert NAME in body and "Một Lê Thị" not in body


def test_mail_to_an_applicant_without_profile_greets_in_vietnamese_order(unit):
    applicant = UserFactory(first_name="Một", last_name="Lê Thị", is_staff=False, email="mot@example.com")
    services.dossier_submit_online(
        applicant_user=applicant,
        procedure=unit.procedure,
        agency=unit.agency,
        applicant=applicant_from(None, applicant),
        files=[Upload("Tờ khai.pdf", pdf_file())],
    )
    mail = Notification.objects.get(recipient="mot@example.com")
    assert f"{NAME}," in mail.body and "Một Lê Thị" not in mail.body


def test_admin_lists_officials_in_vietnamese_order(client, unit):
    client.force_login(UserFactory(is_superuser=True))
    html = client.get(reverse("wagtailusers_users:index")).content.decode()
    assert NAME in html and "Một Lê Thị" not in html
